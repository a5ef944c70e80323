"""`analyze`: resolve people and components, evaluate every rule, store a run and its findings.

The run row (kind `analyze`, `check` or `export`) records `as_of`, the resolution
it evaluated (`resolution_id`: readers show its people and components next to
its findings), whether a commit range
was evaluated, the rules run and the rules that could not judge (`Unavailable`),
so "not available" stays visible and is never mistaken for "clean". Findings
are written in the same transaction as the finished run, each with the verdict
the caller's `triage` gives it (`auditor.report.triage`: new, baselined or
waived, and the waiver), and the waivers that applied to nothing go into the
run's stats: what a run said stays what it said. A failed analysis leaves only
a run marked `failed`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from auditor.evaluate.component_files import component_locations
from auditor.evaluate.context import build_context, main_path
from auditor.evaluate.inputs import analysis_inputs, reusable_run
from auditor.kernel.config import LoadedConfig, WaiverConfig
from auditor.kernel.enums import FindingStatus
from auditor.kernel.errors import AuditorError
from auditor.kernel.findings import Verdict, Verdicts, sort_key
from auditor.resolve.pipeline import ResolveSummary, resolve_all
from auditor.store import models
from auditor.store.engine import bulk_insert, transaction
from auditor.store.resolutions import of
from rules.interface import Evidence, Finding, PolicyFile, RuleContext, Unavailable
from rules.registry import all_rules


@dataclass(frozen=True)
class AnalyzeResult:
    run_id: int
    resolution_id: int
    as_of: date
    findings: tuple[Finding, ...]
    unavailable: tuple[Unavailable, ...]
    resolve: ResolveSummary
    rules: tuple[str, ...]
    verdicts: Verdicts = field(default_factory=Verdicts)  # as stored with the findings
    range_commits: int | None = None  # commits evaluated in range mode
    components: dict[str, str | None] = field(default_factory=dict)  # name -> main path


Triage = Callable[[Sequence[Finding]], Verdicts]  # auditor.report.triage decides


def evaluate(ctx: RuleContext) -> tuple[list[Finding], list[Unavailable]]:
    """Run every registered rule over `ctx`; findings sorted, one per fingerprint."""
    findings: dict[str, Finding] = {}
    notes: list[Unavailable] = []
    for rule_class in all_rules():
        rule = rule_class()
        for outcome in rule.evaluate(ctx):
            if isinstance(outcome, Unavailable):
                notes.append(outcome)
            elif outcome.fingerprint not in findings:
                findings[outcome.fingerprint] = outcome
    return sorted(findings.values(), key=sort_key), notes


def analyze(
    engine: Engine,
    loaded: LoadedConfig,
    as_of: date,
    *,
    triage: Triage,
    commit_shas: Collection[str] | None = None,
    kind: str = "analyze",
    reuse: bool = False,
    retriage: bool = False,
    policy_files: Sequence[PolicyFile] = (),
) -> AnalyzeResult:
    """Resolve, evaluate and store a run of `kind` with its findings.

    `triage` gives each finding its status before the run is stored. With
    `reuse`, a stored run whose inputs digest (`auditor.evaluate.inputs`)
    equals this analysis's is returned instead, and no run is written: its
    findings are exactly what evaluating again would give, with the verdicts
    stored then (the digest covers the waivers; a baseline is not an input).
    With `retriage` as well, the stored run's findings are triaged again (the
    baseline may have changed) and stored as a new run of `kind`: a `check`
    with nothing new evaluates nothing.
    """
    started = datetime.now(UTC)
    resolution = resolve_all(engine, loaded, as_of)
    summary, resolution_id = resolution.summary, resolution.id
    inputs = None
    if commit_shas is None:
        with engine.connect() as conn:
            modules = {r.__module__ for r in all_rules()}
            inputs = analysis_inputs(conn, loaded, as_of, resolution.digest, modules)
            stored = reusable_run(conn, inputs, as_of) if reuse else None
            if stored is not None:
                window = loaded.config.policy.window_days
                reused = _stored_result(conn, stored, as_of, summary, resolution_id, window)
                reused_stats = conn.execute(
                    select(models.Run.c.stats).where(models.Run.c.id == stored)
                ).scalar_one()
        if stored is not None:
            if not retriage:
                return reused
            verdicts = triage(reused.findings)
            return _stored_again(engine, kind, started, reused, verdicts, reused_stats)
    try:
        everything = any(rule.all_components for rule in all_rules())
        ctx = build_context(
            engine,
            loaded,
            as_of,
            resolution_id=resolution_id,
            commit_shas=commit_shas,
            all_components=everything,
            policy_files=policy_files,
        )
        findings, notes = evaluate(ctx)
        verdicts = triage(findings)
    except Exception as exc:
        _failed_run(engine, kind, as_of, started, exc, resolution_id)
        raise
    rules = tuple(r.id for r in all_rules())
    stats: dict[str, Any] = {
        "inputs": inputs,
        "rules": list(rules),
        "findings": len(findings),
        "unavailable": [
            {"rule": n.rule, "component": n.component, "reason": n.reason} for n in notes
        ],
        "range": commit_shas is not None,
        "range_commits": len(set(commit_shas)) if commit_shas is not None else None,
        "changes": len(ctx.changes),
        "work_items": len(ctx.work_items),
        "people": summary.people,
        "coverage": round(summary.coverage, 4),
        "waivers": _waiver_stats(verdicts),
    }
    with transaction(engine) as conn:
        run_id = _insert_run(conn, kind, as_of, started, "ok", stats, resolution_id)
        rows = (_row(run_id, f, verdicts.by_fingerprint[f.fingerprint]) for f in findings)
        bulk_insert(conn, models.StoredFinding, rows)
        main_paths = {name: c.main_path for name, c in ctx.components.items()}
        window_days = loaded.config.policy.window_days
        locations = component_locations(conn, as_of, window_days, main_paths, resolution_id)
    return AnalyzeResult(
        run_id=run_id,
        resolution_id=resolution_id,
        as_of=as_of,
        findings=tuple(findings),
        unavailable=tuple(notes),
        resolve=summary,
        rules=rules,
        verdicts=verdicts,
        range_commits=stats["range_commits"],
        components=locations,
    )


def _stored_again(
    engine: Engine,
    kind: str,
    started: datetime,
    result: AnalyzeResult,
    verdicts: Verdicts,
    stats: dict[str, Any],
) -> AnalyzeResult:
    """A stored run's findings stored again as a new run of `kind`, with new verdicts."""
    stats = {
        **stats,
        "reused_from": result.run_id,
        "waivers": _waiver_stats(verdicts),
    }
    with transaction(engine) as conn:
        run_id = _insert_run(conn, kind, result.as_of, started, "ok", stats, result.resolution_id)
        rows = (_row(run_id, f, verdicts.by_fingerprint[f.fingerprint]) for f in result.findings)
        bulk_insert(conn, models.StoredFinding, rows)
    return replace(result, run_id=run_id, verdicts=verdicts)


def finding_from_row(row: Any) -> Finding:
    """A stored `finding` row as the rule returned it."""
    return Finding(
        rule=row.rule,
        severity=row.severity,
        confidence=row.confidence,
        component=row.component,
        subject=row.subject or "",
        message=row.message,
        evidence=tuple(Evidence(e["kind"], e["ref"]) for e in row.evidence or ()),
        data=dict(row.data or {}),
    )


def _stored_result(
    conn: Connection,
    run_id: int,
    as_of: date,
    summary: ResolveSummary,
    resolution_id: int,
    window_days: int,
) -> AnalyzeResult:
    """A stored run and its findings, as `analyze` returned them when it ran."""
    run, finding = models.Run, models.StoredFinding
    stats = conn.execute(select(run.c.stats).where(run.c.id == run_id)).scalar_one()
    rows = list(
        conn.execute(select(finding).where(finding.c.run_id == run_id).order_by(finding.c.id))
    )
    findings = tuple(finding_from_row(row) for row in rows)
    stored_waivers = stats.get("waivers") or {}
    verdicts = Verdicts(
        {row.fingerprint: _stored_verdict(row) for row in rows},
        tuple(WaiverConfig.model_validate(w) for w in stored_waivers.get("expired", ())),
        tuple(WaiverConfig.model_validate(w) for w in stored_waivers.get("unmatched", ())),
    )
    notes = tuple(
        Unavailable(n["rule"], n["reason"], n.get("component")) for n in stats["unavailable"]
    )
    comp = models.Component
    paths = conn.execute(
        select(comp.c.name, comp.c.paths).where(of(comp, resolution_id)).order_by(comp.c.id)
    )
    main_paths = {name: main_path(globs or ()) for name, globs in paths}
    return AnalyzeResult(
        run_id=run_id,
        resolution_id=resolution_id,
        as_of=as_of,
        findings=findings,
        unavailable=notes,
        resolve=summary,
        rules=tuple(stats["rules"]),
        verdicts=verdicts,
        range_commits=None,
        components=component_locations(conn, as_of, window_days, main_paths, resolution_id),
    )


def _stored_verdict(row: Any) -> Verdict:
    """The verdict a run stored with a `finding` row."""
    waiver = WaiverConfig.model_validate(row.waiver) if row.waiver else None
    return Verdict(FindingStatus(row.status), waiver)


def _waiver_stats(verdicts: Verdicts) -> dict[str, list[dict[str, Any]]]:
    """The waivers a triage found expired or matching nothing, as a run's stats keep them."""
    return {
        "expired": [_waiver_terms(w) for w in verdicts.expired],
        "unmatched": [_waiver_terms(w) for w in verdicts.unmatched],
    }


def _waiver_terms(waiver: WaiverConfig) -> dict[str, Any]:
    return waiver.model_dump(mode="json")


def _row(run_id: int, finding: Finding, verdict: Verdict) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "severity": finding.severity,
        "confidence": finding.confidence,
        "component": finding.component,
        "subject": finding.subject,
        "message": finding.message,
        "evidence": [{"kind": e.kind, "ref": e.ref} for e in finding.evidence],
        "data": dict(finding.data),
        "status": verdict.status,
        "waiver_id": verdict.waiver.id if verdict.waiver else None,
        "waiver": _waiver_terms(verdict.waiver) if verdict.waiver else None,
    }


def _failed_run(
    engine: Engine,
    kind: str,
    as_of: date,
    started: datetime,
    exc: Exception,
    resolution_id: int,
) -> None:
    try:
        with transaction(engine) as conn:
            stats = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            _insert_run(conn, kind, as_of, started, "failed", stats, resolution_id)
    except AuditorError:
        pass  # the original error matters more than the bookkeeping


def _insert_run(
    conn: Connection,
    kind: str,
    as_of: date,
    started: datetime,
    status: str,
    stats: dict[str, Any],
    resolution_id: int,
) -> int:
    """A finished run row (now); its id."""
    inserted = conn.execute(
        models.Run.insert().values(
            kind=kind,
            started_at=started,
            finished_at=datetime.now(UTC),
            as_of=as_of,
            status=status,
            stats=stats,
            resolution_id=resolution_id,
        )
    )
    return int(inserted.inserted_primary_key[0])  # type: ignore[index]
