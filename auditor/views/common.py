"""Shared by the views: display orders, table handles, and the context every view reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, false, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import DEFAULT_CONFIG_NAME, AuditorConfig, LoadedConfig
from auditor.kernel.enums import Sensitivity, Severity, Tier
from auditor.kernel.window import SECONDS_PER_DAY, Window, day_of_number
from auditor.resolve.locations.summary import summarize_candidates
from auditor.store import models
from auditor.store.resolutions import Selection, default_selection, of

SEVERITY_ORDER = tuple(Severity)
SENSITIVITY_ORDER = tuple(Sensitivity)
TIERS = tuple(Tier)  # as the views show them, "ambiguous" included

_commit = models.Commit
_change = models.FileChange
_path = models.Path
_path_component = models.PathComponent
_component = models.Component
_person = models.Person
_person_identity = models.PersonIdentity
_identity = models.Identity
_resolved = models.ResolvedLocation
_evidence = models.LocationEvidence
_conflict = models.LocationConflict
_work_item = models.WorkItem
_work_item_component = models.WorkItemComponent
_source = models.Source
_run = models.Run
_finding = models.StoredFinding

_DAY = SECONDS_PER_DAY


# --- context ------------------------------------------------------------------


@dataclass(frozen=True)
class ViewContext:
    """What every view needs: the store, the policy, the window [start, as_of], the run
    whose findings it shows and the resolution whose people and components it shows."""

    engine: Engine
    loaded: LoadedConfig
    as_of: date
    window_days: int
    run_id: int | None = None
    resolution_id: int | None = None

    @classmethod
    def build(
        cls,
        engine: Engine,
        config: AuditorConfig | LoadedConfig | None = None,
        *,
        as_of: date | None = None,
        window_days: int | None = None,
        selection: Selection | None = None,
    ) -> ViewContext:
        """Without `selection`, the store's default (`resolutions.default_selection`):
        the newest analysis as of `as_of` when there is one."""
        if not isinstance(config, LoadedConfig):
            # no file behind it: nothing here resolves paths relative to the config
            config = LoadedConfig(config or AuditorConfig(), Path(DEFAULT_CONFIG_NAME), b"")
        if selection is None:
            with engine.connect() as conn:
                selection = default_selection(conn, as_of)
        return cls(
            engine=engine,
            loaded=config,
            as_of=as_of or date.today(),
            window_days=window_days or config.config.policy.window_days,
            run_id=selection.run_id,
            resolution_id=selection.resolution_id,
        )

    def of(self, tbl: Table) -> ColumnElement[bool]:
        """`tbl`'s rows of this view's resolution (for every derived table a query reads)."""
        return of(tbl, self.resolution_id)

    @property
    def config(self) -> AuditorConfig:
        return self.loaded.config

    @property
    def window(self) -> Window:
        return Window.ending(self.as_of, self.window_days)

    @property
    def start(self) -> date:
        return self.window.start

    @property
    def start_ts(self) -> int:
        return self.window.bounds()[0]

    @property
    def end_ts(self) -> int:
        """Exclusive: the first second after `as_of`."""
        return self.window.bounds()[1]

    def tier(self, country: str | None, candidates: Iterable[str] = ()) -> str:
        return display_tier(self.config.jurisdictions.tier, country, candidates)

    def location_label(
        self, country: str | None, candidates: Iterable[str] = (), pattern: str | None = None
    ) -> str:
        """The country, or a summary of the candidates ("UTC+8 · 13 incl. CN, RU")."""
        if country is not None:
            return country
        return summarize_candidates(list(candidates), self.config.jurisdictions.tier, pattern)

    def is_sensitive(self, sensitivity: str) -> bool:
        return sensitivity in self.config.policy.sensitive

    def reason(self, country: str | None) -> str:
        return self.config.jurisdictions.reasons.get(country or "", "")


def display_tier(
    tier_of: Callable[[str], str | None], country: str | None, candidates: Iterable[str] = ()
) -> str:
    """One of TIERS for a location: the country's tier; for a candidate set the one tier all
    its countries share ("trusted, country unresolved", as the rules count it), else
    ambiguous when a high-risk country is among them, else unknown."""
    if country is not None:
        return tier_of(country) or "other"
    tiers = {tier_of(c) or "other" for c in candidates}
    if len(tiers) == 1:
        return tiers.pop()
    if "high" in tiers:
        return "ambiguous"
    return "unknown"


# Location resolution may label a period with its zone pattern ("EET with EU DST");
# read it when the store has the column, so the views work before and after.
PATTERN_COLUMNS = ("zone_pattern", "pattern")


def zone_pattern(row: Any) -> str | None:
    """The zone pattern of a `resolved_location` row, None when there is none."""
    for column in PATTERN_COLUMNS:
        value = getattr(row, column, None)
        if value:
            return str(value)
    return None


def zone_patterns(
    conn: Connection, resolution_id: int | None
) -> dict[tuple[int, tuple[int, ...]], str]:
    """Zone pattern per (person, evidence ids of the period): how `LocationIndex` rows are met."""
    column = next((_resolved.c[c] for c in PATTERN_COLUMNS if c in _resolved.c), None)
    if column is None:
        return {}
    query = select(_resolved.c.person_id, _resolved.c.evidence_ids, column).where(
        column.is_not(None), of(_resolved, resolution_id)
    )
    return {(pid, tuple(ids or ())): str(p) for pid, ids, p in conn.execute(query) if p}


_day = day_of_number  # the views' spelling, kept for their many call sites


def _first_line(message: str) -> str:
    return (message or "").strip().splitlines()[0] if (message or "").strip() else ""


def people_commits_in_window(ctx: ViewContext) -> list[ColumnElement[bool]]:
    """Conditions for commits in the view's window by people (no merges, no bots).

    The query joins `_person` through `_person_identity` on the commit's author.
    """
    return [
        _commit.c.authored_at >= ctx.start_ts,
        _commit.c.authored_at < ctx.end_ts,
        _commit.c.is_merge == false(),
        _person.c.bot == false(),
        ctx.of(_person),
        ctx.of(_person_identity),
    ]
