"""Shared by the views: display orders, table handles, and the context every view reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, false

from auditor import models
from auditor.config import DEFAULT_CONFIG_NAME, AuditorConfig, LoadedConfig
from auditor.store import table

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
SENSITIVITY_ORDER = ("critical", "high", "normal", "low")
# Jurisdiction tiers as the views show them; "ambiguous" = unresolved but a
# candidate country is high-risk, "unknown" = no usable evidence.
# "other" = a known country outside an explicit `trusted` list.
TIERS = ("high", "elevated", "ambiguous", "trusted", "other", "unknown")

_commit = table(models.Commit)
_change = table(models.FileChange)
_path = table(models.Path)
_path_component = table(models.PathComponent)
_component = table(models.Component)
_person = table(models.Person)
_person_identity = table(models.PersonIdentity)
_identity = table(models.Identity)
_resolved = table(models.ResolvedLocation)
_evidence = table(models.LocationEvidence)
_conflict = table(models.LocationConflict)
_work_item = table(models.WorkItem)
_work_item_component = table(models.WorkItemComponent)
_source = table(models.Source)
_run = table(models.Run)
_finding = table(models.Finding)

_DAY = 86400


# --- context ------------------------------------------------------------------


@dataclass(frozen=True)
class ViewContext:
    """What every view needs: the store, the policy and the window [start, as_of]."""

    engine: Engine
    loaded: LoadedConfig
    as_of: date
    window_days: int

    @classmethod
    def build(
        cls,
        engine: Engine,
        config: AuditorConfig | LoadedConfig | None = None,
        *,
        as_of: date | None = None,
        window_days: int | None = None,
    ) -> ViewContext:
        if not isinstance(config, LoadedConfig):
            # no file behind it: nothing here resolves paths relative to the config
            config = LoadedConfig(config or AuditorConfig(), Path(DEFAULT_CONFIG_NAME), b"")
        return cls(
            engine=engine,
            loaded=config,
            as_of=as_of or date.today(),
            window_days=window_days or config.config.policy.window_days,
        )

    @property
    def config(self) -> AuditorConfig:
        return self.loaded.config

    @property
    def start(self) -> date:
        return self.as_of - timedelta(days=self.window_days - 1)

    @property
    def start_ts(self) -> int:
        return _epoch(self.start)

    @property
    def end_ts(self) -> int:
        """Exclusive: the first second after `as_of`."""
        return _epoch(self.as_of + timedelta(days=1))

    def tier(self, country: str | None, candidates: Iterable[str] = ()) -> str:
        juris = self.config.jurisdictions
        if country is not None:
            return juris.tier(country) or "other"
        if any(juris.tier(c) == "high" for c in candidates):
            return "ambiguous"
        return "unknown"

    def is_sensitive(self, sensitivity: str) -> bool:
        return sensitivity in self.config.policy.sensitive

    def reason(self, country: str | None) -> str:
        return self.config.jurisdictions.reasons.get(country or "", "")


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _day(day_number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day_number))


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
    ]
