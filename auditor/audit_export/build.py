"""Assemble the quarterly audit export from the store.

`export_period` runs the analysis as of the period's last day (so findings
belong to that period; a stored run with the same inputs, e.g. the user's
`check` as of that day, stands in for it, see `auditor.evaluate.inputs`),
then `assemble` reads the store and returns the sealed document (see
`docs/export.md` for every field). Nothing here looks at the
wall clock: the same store, configuration, period and `as_of` give the same
bytes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from auditor import __version__
from auditor.audit_export.canonical import canonical_bytes, seal
from auditor.audit_export.names import People
from auditor.audit_export.period import Period
from auditor.audit_export.pseudonym import Pseudonymizer
from auditor.evaluate.coverage import Coverage, coverage_of, nothing_to_judge
from auditor.kernel.config import LoadedConfig
from auditor.kernel.enums import PeriodStatus
from auditor.kernel.errors import ExportError, NothingToJudgeError
from auditor.kernel.findings import severity_rank
from auditor.kernel.window import Window
from auditor.resolve.attribution import TIERS, attribution_activity, component_attribution
from auditor.resolve.locations.index import LocationIndex, ResolvedAt
from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.activity import Activity, person_commit_totals, unbucketed
from auditor.store.resolutions import of, of_run

# 2: policy.window; 3: signatures, strict dates, coverage, warnings (docs/export.md)
SCHEMA_VERSION = 3
TOOL_NAME = "provenance-auditor"
TOP_MAINTAINERS = 5
EXPORT_RUN_KIND = "export"  # the analysis an export runs; not a user-facing "latest analysis"


@dataclass(frozen=True)
class ExportOptions:
    period: Period
    as_of: date | None = None  # the day the export is issued; default: the period's end
    pseudonymizer: Pseudonymizer | None = None
    previous: Mapping[str, Any] | None = None  # a verified earlier export
    maintainers: int = TOP_MAINTAINERS
    allow_empty: bool = False  # write a period without commits (its coverage says so)

    @property
    def issued(self) -> date:
        return self.as_of or self.period.end


def export_period(engine: Engine, loaded: LoadedConfig, options: ExportOptions) -> dict[str, Any]:
    """Analyse as of the period's end, then assemble and seal the export.

    The run is stored with kind `export`: views and the TUI show the newest
    `analyze`/`check` run, which must stay the user's own analysis, not the
    quarter-end one an export needs. Its resolution is one of its own (or the
    stored one with the same inputs): the user's analysis keeps its rows.
    """
    from auditor.evaluate.run import analyze
    from auditor.report.triage import configured

    coverage = coverage_of(engine, loaded, options.period.start, options.period.end)
    empty = nothing_to_judge(coverage, "the period")
    if empty is not None and not options.allow_empty:
        raise NothingToJudgeError(f"{empty}; --allow-empty writes the export anyway")

    result = analyze(
        engine,
        loaded,
        options.period.end,
        kind=EXPORT_RUN_KIND,
        reuse=True,
        triage=configured(loaded, options.period.end),
    )
    return assemble(engine, loaded, options, result.run_id, coverage)


def assemble(
    engine: Engine,
    loaded: LoadedConfig,
    options: ExportOptions,
    run_id: int,
    coverage: Coverage | None = None,
) -> dict[str, Any]:
    """The sealed export document of run `run_id` and the resolution it evaluated."""
    period = options.period
    if options.issued < period.end:
        raise ExportError(f"--as-of {options.issued} is before the end of the period {period.end}")
    with engine.connect() as conn:
        resolution_id = of_run(conn, run_id)
    if resolution_id is None:
        raise ExportError(f"run {run_id} evaluated no resolution: nothing to export")
    people = People.load(engine, options.pseudonymizer, resolution_id)
    index = LocationIndex.load(engine, resolution_id)
    findings = _findings(engine, run_id, people, options)
    previous = _previous(options, findings)
    components, maintainers = _components(
        engine, loaded, period, index, people, options, resolution_id
    )
    waivers = _waivers(loaded, people, period, findings)
    people_section = _people(engine, period, index, people, findings, maintainers, resolution_id)
    for item in findings:
        item.pop("_finding", None)
        item.pop("_person", None)
        item.pop("_waiver_id", None)
    findings.sort(key=_finding_order)
    body: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "period": {"start": period.start, "end": period.end, "previous": previous},
        "generated_at": options.issued,
        "policy": policy_section(loaded, period.end),
        "sources": _sources(engine, period),
        "components": components,
        "people": people_section,
        "findings": findings,
        "waivers": waivers,
        "coverage": (coverage or coverage_of(engine, loaded, period.start, period.end)).as_json(),
        "warnings": _warnings(engine, options, resolution_id),
    }
    return seal(body)


def _warnings(engine: Engine, options: ExportOptions, resolution_id: int) -> list[str]:
    """The collection's and the resolution's warnings; those naming people are counted, not
    quoted, when pseudonymized."""
    if options.pseudonymizer is None:
        return run_warnings.read(engine, resolution_id)
    lines = run_warnings.read(engine, resolution_id, personal=False)
    personal = len(run_warnings.read(engine, resolution_id)) - len(lines)
    if personal:
        lines.append(f"{personal} identity warnings naming people left out (--pseudonymize)")
    return lines


# --- policy ----------------------------------------------------------------


def policy_part(loaded: LoadedConfig) -> dict[str, Any]:
    """What the rules judge by: jurisdictions, thresholds, components (not sources or waivers)."""
    config = loaded.config
    return {
        "jurisdictions": config.jurisdictions.model_dump(mode="json"),
        "policy": config.policy.model_dump(mode="json"),
        "components": [c.model_dump(mode="json") for c in config.components],
    }


def policy_window(loaded: LoadedConfig, end: date) -> dict[str, Any]:
    """The days the rules judged when evaluated as of `end` (the same bounds they use)."""
    from auditor.evaluate.context import build_policy

    policy = build_policy(loaded, end)
    return {
        "start": policy.window_start,
        "end": policy.window_end,
        "days": (policy.window_end - policy.window_start).days + 1,
    }


def policy_section(loaded: LoadedConfig, end: date) -> dict[str, Any]:
    """The policy judged by; `window` says which days the findings cover (not the period)."""
    jur = loaded.config.jurisdictions
    countries = set(jur.high) | set(jur.elevated) | set(jur.reasons) | set(jur.trusted or ())
    order = {"high": 0, "elevated": 1, "trusted": 2, "other": 3}
    listed = sorted(countries, key=lambda c: (order[jur.tier(c) or "other"], c))
    return {
        "sha256": hashlib.sha256(canonical_bytes(policy_part(loaded))).hexdigest(),
        "jurisdictions": [
            {"country": c, "tier": jur.tier(c) or "other", "reason": jur.reasons.get(c)}
            for c in listed
        ],
        "trusted_listed": jur.trusted is not None,
        "settings": loaded.config.policy.model_dump(mode="json"),
        "window": policy_window(loaded, end),
    }


# --- sources ---------------------------------------------------------------


def _sources(engine: Engine, period: Period) -> list[dict[str, Any]]:
    source, commit = models.Source, models.Commit
    lo, hi = Window(period.start, period.end).bounds()
    with engine.connect() as conn:
        in_period: dict[int, int] = dict(
            conn.execute(
                select(commit.c.source_id, func.count())
                .where(commit.c.authored_at >= lo, commit.c.authored_at < hi)
                .group_by(commit.c.source_id)
            ).all()
        )
        rows = list(conn.execute(select(source).order_by(source.c.name)))
    return [
        {
            "name": row.name,
            "kind": row.kind,
            "ref": row.ref,
            "head": row.head if row.kind == "git" else None,  # API sources keep a cursor there
            "sha256": row.sha256,
            "records": int(row.records or 0),
            "commits_in_period": int(in_period.get(row.id, 0)) if row.kind == "git" else None,
        }
        for row in rows
    ]


# --- components ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Maintainer:
    person: int
    churn: int
    commits: int
    last_day: date


def _location(where: ResolvedAt) -> dict[str, Any]:
    return {
        "country": where.country,
        "candidates": sorted(where.candidates),
        "confidence": where.confidence,
    }


def _components(
    engine: Engine,
    loaded: LoadedConfig,
    period: Period,
    index: LocationIndex,
    people: People,
    options: ExportOptions,
    resolution_id: int,
) -> tuple[list[dict[str, Any]], set[int]]:
    with engine.connect() as conn:
        # one read of the activity for both the shares and the maintainers
        rows = attribution_activity(conn, Window(period.start, period.end), resolution_id, index)
        top = _maintainers(conn, rows, resolution_id)
    attributed = component_attribution(
        engine,
        loaded,
        period.start,
        period.end,
        resolution_id=resolution_id,
        index=index,
        rows=rows,
    )
    tags = {c.name: sorted(c.tags) for c in loaded.config.components}
    named: set[int] = set()
    out = []
    for item in attributed:
        ranked = sorted(
            top.get(item.component, ()), key=lambda m: (-m.churn, -m.commits, people.ref(m.person))
        )[: options.maintainers]
        named |= {m.person for m in ranked}
        out.append(
            {
                "name": item.component,
                "sensitivity": item.sensitivity,
                "tags": tags.get(item.component, []),
                "activity": {"commits": item.commits, "churn": item.churn, "people": item.people},
                "jurisdictions": [
                    {
                        "country": j.country,
                        "tier": j.tier,
                        "churn": j.churn,
                        "churn_max": j.churn_max,
                        "commits": j.commits,
                        "share_min": j.share_min,
                        "share_max": j.share_max,
                    }
                    for j in item.jurisdictions
                ],
                "tiers": {
                    t: {"share_min": item.tiers[t].share_min, "share_max": item.tiers[t].share_max}
                    for t in TIERS
                },
                "maintainers": [
                    {
                        "person": people.ref(m.person),
                        "churn": m.churn,
                        "commits": m.commits,
                        "share": m.churn / item.churn if item.churn else 0.0,
                        "location": _location(index.at(m.person, m.last_day)),
                    }
                    for m in ranked
                ],
            }
        )
    return out, named


def _maintainers(
    conn: Connection, rows: list[Activity], resolution_id: int
) -> dict[str, list[_Maintainer]]:
    """Per component, each (non-bot) author's churn, commits and last change day in the period."""
    comp = models.Component
    names = dict(conn.execute(select(comp.c.id, comp.c.name).where(of(comp, resolution_id))).all())
    out: dict[str, list[_Maintainer]] = defaultdict(list)
    for a in unbucketed(rows):
        out[names[a.component_id]].append(_Maintainer(a.person_id, a.churn, a.commits, a.last_day))
    return out


# --- people ----------------------------------------------------------------


def _people(
    engine: Engine,
    period: Period,
    index: LocationIndex,
    people: People,
    findings: list[dict[str, Any]],
    named: set[int],
    resolution_id: int,
) -> dict[str, Any]:
    """Everyone who committed in the period, is a top maintainer or a finding's subject."""
    evidence = models.LocationEvidence
    with engine.connect() as conn:
        activity = {
            t.person_id: (t.commits, t.churn)
            for t in person_commit_totals(conn, Window(period.start, period.end), resolution_id)
        }
        kinds = dict(
            conn.execute(
                select(evidence.c.id, evidence.c.kind).where(of(evidence, resolution_id))
            ).all()
        )
    subjects = {f["_person"] for f in findings if f.get("_person") is not None}
    entries = []
    for pid in set(activity) | named | subjects:
        row = people.rows[pid]
        commits, churn = activity.get(pid, (0, 0))
        entry: dict[str, Any] = {
            "id": people.ref(pid),
            "bot": row.bot,
            "commits": commits,
            "churn": churn,
            "locations": [
                {
                    "from": start,
                    "to": end,
                    **_location(where),
                    "sources": sorted({kinds[i] for i in where.evidence_ids if i in kinds}),
                }
                for start, end, where in index.periods(pid)
                if (start is None or start <= period.end) and (end is None or end >= period.start)
            ],
        }
        if not people.pseudonymized:
            entry["name"] = row.name
            entry["emails"] = sorted(people.emails.get(pid, ()))
        entries.append(entry)
    entries.sort(key=lambda e: (-e["churn"], e["id"]))
    pseudonymizer = people.pseudonymizer
    return {
        "pseudonymized": pseudonymizer is not None,
        "key_id": pseudonymizer.key_id if pseudonymizer else None,
        "entries": entries,
    }


# --- findings --------------------------------------------------------------


def _scrub_value(value: Any, people: People) -> Any:
    if isinstance(value, str):
        return people.scrub(value)
    if isinstance(value, Mapping):
        return {k: _scrub_value(v, people) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v, people) for v in value]
    return value


def _findings(
    engine: Engine, run_id: int, people: People, options: ExportOptions
) -> list[dict[str, Any]]:
    from auditor.evaluate.run import finding_from_row

    finding = models.StoredFinding
    pseudonymizer = options.pseudonymizer
    with engine.connect() as conn:
        rows = list(conn.execute(select(finding).where(finding.c.run_id == run_id)))
    out = []
    for row in rows:
        data = dict(row.data or {})
        # Rules record the person a finding is about as a store id; the export names them
        # the way it names everyone (key or pseudonym). Older rows: match the subject's name.
        person_id = data.get("person")
        if (
            isinstance(person_id, int)
            and not isinstance(person_id, bool)
            and person_id in people.rows
        ):
            data["person"] = people.ref(person_id)
        else:
            person_id = people.named(row.subject)
        subject = row.subject
        if person_id is not None and subject == people.rows[person_id].name:
            subject = people.ref(person_id) if people.pseudonymized else subject
        else:
            subject = people.subject(subject)
        out.append(
            {
                "fingerprint": (
                    pseudonymizer.rekeyed_fingerprint(row.fingerprint)
                    if pseudonymizer
                    else row.fingerprint
                ),
                "rule": row.rule,
                "severity": row.severity,
                "confidence": row.confidence,
                "component": row.component,
                "subject": subject,
                "message": people.scrub(row.message),
                "evidence": [
                    {"kind": str(e.get("kind", "")), "ref": people.scrub(str(e.get("ref", "")))}
                    for e in (row.evidence or [])
                ],
                "data": _scrub_value(data, people),
                "status": PeriodStatus.NEW,
                "waiver": None,
                # internal, dropped before sealing: for waiver matching and the people list
                "_finding": finding_from_row(row),
                "_person": person_id,
                "_waiver_id": row.waiver_id,  # the waiver the run's triage applied
            }
        )
    return out


def _previous(options: ExportOptions, findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Mark findings new/persisting against the previous export and append its resolved ones."""
    previous = options.previous
    if previous is None:
        return None
    key_id = options.pseudonymizer.key_id if options.pseudonymizer else None
    if previous["people"]["key_id"] != key_id:
        raise ExportError(
            "the previous export was "
            + ("pseudonymized" if previous["people"]["key_id"] else "not pseudonymized")
            + (" with another key" if previous["people"]["key_id"] and key_id else "")
            + (", this one is" if key_id and not previous["people"]["key_id"] else "")
            + (", this one is not" if key_id is None else "")
            + ": findings and people cannot be compared"
        )
    prev_start = date.fromisoformat(previous["period"]["start"])
    prev_end = date.fromisoformat(previous["period"]["end"])
    if prev_end >= options.period.start:
        raise ExportError(
            f"the previous export covers {prev_start}..{prev_end}, "
            f"which does not end before {options.period.start}"
        )
    before = {
        f["fingerprint"]: f
        for f in previous["findings"]
        if f.get("status") != PeriodStatus.RESOLVED
    }
    for item in findings:
        item["status"] = (
            PeriodStatus.PERSISTING if item["fingerprint"] in before else PeriodStatus.NEW
        )
    current = {f["fingerprint"] for f in findings}
    for fingerprint, old in before.items():
        if fingerprint not in current:
            findings.append(
                {**old, "status": PeriodStatus.RESOLVED, "waiver": None, "_finding": None}
            )
    return {
        "start": prev_start,
        "end": prev_end,
        "sha256": previous["integrity"]["sha256"],
    }


# --- waivers ---------------------------------------------------------------


def _waivers(
    loaded: LoadedConfig, people: People, period: Period, findings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every configured waiver (expired ones included) and the findings it matches.

    Which waiver covers a finding is what the run's triage stored
    (`auditor.report.triage`); matching here only lists what each waiver's terms
    match, expired or not, as of the period's end.
    """
    from auditor.report.waivers import matches

    pseudonymizer = people.pseudonymizer
    current = [f for f in findings if f.get("_finding") is not None]
    out = []
    for config in loaded.config.waivers:
        ident = config.id
        for item in current:
            if item["_waiver_id"] == ident:
                item["waiver"] = {"id": ident, "expires": config.expires}
        matched = [item["fingerprint"] for item in current if matches(config, item["_finding"])]
        out.append(
            {
                "id": ident,
                "rule": config.rule,
                "component": config.component,
                "subject": people.subject(config.subject),
                "fingerprint": (
                    pseudonymizer.rekeyed_fingerprint(config.fingerprint)
                    if pseudonymizer and config.fingerprint
                    else config.fingerprint
                ),
                "reason": people.scrub(config.reason),
                "approved_by": people.person_email(config.approved_by)
                if "@" in config.approved_by
                else people.scrub(config.approved_by),
                "ticket": people.scrub(config.ticket) if config.ticket else None,
                "expires": config.expires,
                "expired": config.expires < period.end,
                "findings": sorted(matched),
            }
        )
    out.sort(key=lambda w: (w["expires"], w["id"]))
    return out


def _finding_order(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        list(PeriodStatus).index(finding["status"]),
        severity_rank(finding["severity"]),
        finding["rule"],
        finding["component"] or "",
        finding["subject"] or "",
        finding["fingerprint"],
    )
