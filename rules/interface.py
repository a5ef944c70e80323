"""What a rule is: a pure function over a prepared, read-only context that yields findings.

A rule never reads git, the network or the store; `auditor.evaluate.context` prepares a
`RuleContext` (frozen dataclasses) and `auditor.evaluate.run` runs every registered
rule over it. When the evidence a rule needs is missing (no location data, no
work items, no previous window, no high-risk jurisdictions in the policy) the
rule yields `Unavailable` instead of staying silent: "not available" is not
"clean", and `auditor check` shows it.

Severity comes from the rule's default, raised for critical components and
lowered for `elevated` (rather than `high`) jurisdictions and for sensitivities
below `high`; confidence comes from the location confidence of the people
involved.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, ClassVar

from auditor.kernel.config import jurisdiction_tier
from auditor.kernel.enums import Severity
from auditor.kernel.findings import finding_fingerprint

# --- context ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """Where a person was on a day: a resolved country, or candidates, or nothing (unknown)."""

    country: str | None
    candidates: frozenset[str] = frozenset()
    confidence: float = 0.0
    evidence_ids: tuple[int, ...] = ()

    @property
    def known(self) -> bool:
        return self.country is not None or bool(self.candidates)


UNKNOWN = Location(None)


@dataclass(frozen=True, slots=True)
class LocationPeriod:
    start: date | None
    end: date | None
    location: Location


@dataclass(frozen=True, slots=True)
class Conflict:
    description: str
    countries: tuple[str, ...]
    evidence_ids: tuple[int, ...]
    start: date | None = None
    end: date | None = None
    kind: str = "sources"  # sources (PV107) | timezone (PV110)
    commits: tuple[str, ...] = ()  # timezone: shas of the commits that do not fit
    confidence: float = 0.5


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    key: str
    bot: bool = False
    periods: tuple[LocationPeriod, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    sensitivity: str  # critical | high | normal | low
    tags: tuple[str, ...] = ()
    main_path: str | None = None  # "repo:dir" of the first glob, for report locations


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A person who supervised a change: its committer (≠ author), a trailer, a PR approval."""

    person: int
    via: str  # committer | reviewed-by | approved-by | pr-approval
    location: Location


@dataclass(frozen=True, slots=True)
class Change:
    """One non-merge commit by a non-bot author, restricted to one component's paths."""

    sha: str
    day: date  # author date, UTC
    author: int  # person id
    component: str
    churn: int  # added + deleted lines in the component's paths
    author_location: Location
    reviewers: tuple[Reviewer, ...] = ()  # corroborated review evidence only
    committer: int | None = None
    # review trailers nothing backs (the author could have written them): shown, never counted
    claimed_reviewers: tuple[Reviewer, ...] = ()
    binary: int = 0  # binary files changed in the component's paths: no lines, still changes


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """An audit-policy file (`auditor.toml`, the baseline) tracked in an audited repository.

    In `auditor check --range BASE..HEAD` it is read as of BASE; `changed` names
    what the change set alters in it (configuration sections, "baseline",
    "added": absent at BASE), empty when it is the same.
    """

    path: str  # inside the repository
    repository: str
    base: str  # commit sha
    changed: tuple[str, ...] = ()
    digest: str = ""  # sha256 of the file as the change set has it


@dataclass(frozen=True, slots=True)
class Handler:
    person: int
    role: str  # assignee | reporter
    location: Location


@dataclass(frozen=True, slots=True)
class WorkItem:
    key: str
    component: str
    day: date | None  # resolved, else created (UTC)
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    window_start: date
    window_end: date
    previous_start: date
    previous_end: date
    high: frozenset[str] = frozenset()
    elevated: frozenset[str] = frozenset()
    trusted: frozenset[str] | None = None  # None: every country that is not high/elevated
    reasons: Mapping[str, str] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset({"critical", "high"})
    high_risk_share: float = 0.25
    ambiguous_share: float = 0.25
    unknown_share: float = 0.30
    share_rise: float = 0.10
    min_churn: int = 1

    def tier(self, country: str | None) -> str | None:
        """'high', 'elevated', 'trusted', or None (unknown, or outside a `trusted` list)."""
        return jurisdiction_tier(country, self.high, self.elevated, self.trusted)

    def tier_of(self, location: Location) -> str | None:
        """The tier of the resolved country, or the one tier all candidates share
        ("trusted, country unresolved"); None when unknown or candidates span tiers."""
        if location.country is not None:
            return self.tier(location.country)
        tiers = {self.tier(c) for c in location.candidates}
        return tiers.pop() if len(tiers) == 1 else None

    def risky_tier(self, location: Location) -> str | None:
        """'high' or 'elevated' when the location is in that tier for sure (lower bound)."""
        tier = self.tier_of(location)
        return tier if tier in ("high", "elevated") else None

    def tier_countries(self, tier: str) -> frozenset[str]:
        return self.high if tier == "high" else self.elevated

    def maybe_in(self, location: Location, tier: str) -> bool:
        """Upper bound: the resolved country or any candidate is in `tier`."""
        countries = self.tier_countries(tier)
        if location.country is not None:
            return location.country in countries
        return bool(location.candidates & countries)

    def trusted_at(self, location: Location) -> bool:
        return self.tier_of(location) == "trusted"

    def in_window(self, day: date | None) -> bool:
        return day is not None and self.window_start <= day <= self.window_end

    def in_previous(self, day: date | None) -> bool:
        return day is not None and self.previous_start <= day <= self.previous_end

    @property
    def risky_tiers(self) -> tuple[str, ...]:
        return tuple(t for t in ("high", "elevated") if self.tier_countries(t))


@dataclass(frozen=True)
class RuleContext:
    """Everything rules may look at, prepared once per run; never modified by a rule.

    `changes` hold the current window and the previous one (see `Policy`);
    `earlier_authors[component]` are people who changed the component before
    the window (for first-change rules). Both cover the sensitive components
    (`Policy.sensitive`), the only ones the rules judge, unless a registered
    rule sets `Rule.all_components`. In range mode (`auditor check --range`)
    `changes` hold only the range's commits, all inside the window, and there
    is no previous window.
    """

    as_of: date
    policy: Policy
    components: Mapping[str, Component]
    people: Mapping[int, Person]
    changes: tuple[Change, ...] = ()
    work_items: tuple[WorkItem, ...] = ()
    earlier_authors: Mapping[str, frozenset[int]] = field(default_factory=dict)
    has_locations: bool = True  # any resolved location period at all
    has_work_items: bool = True  # any work item collected
    range_mode: bool = False
    # range mode: the tracked policy files, read as of BASE (none: the policy is not tracked)
    policy_files: tuple[PolicyFile, ...] = ()

    def sensitive_components(self) -> list[Component]:
        return [
            c for _, c in sorted(self.components.items()) if c.sensitivity in self.policy.sensitive
        ]

    def judged_components(self) -> Iterator[tuple[Component, list[Change], int]]:
        """Each sensitive component with its window changes and their churn, when that
        churn reaches `policy.min_churn` (at least one line): below it there is nothing
        to judge."""
        for component in self.sensitive_components():
            changes = self.window_changes(component.name)
            total = sum(c.churn for c in changes)
            if total >= max(self.policy.min_churn, 1):
                yield component, changes, total

    def people_in_conflict(
        self, kind: str
    ) -> Iterator[tuple[Person, list[Conflict], Component | None]]:
        """People (no bots), by name, with location conflicts of `kind`, each with the
        sensitive component they changed most in the window (None: no sensitive change):
        whom a finding about a person is about, and where."""
        for person in sorted(self.people.values(), key=lambda p: (p.name, p.id)):
            conflicts = [c for c in person.conflicts if c.kind == kind]
            if not conflicts or person.bot:
                continue
            top = self._sensitive_churn_by_author.get(person.id)
            component = self.components[min(top, key=lambda n: (-top[n], n))] if top else None
            yield person, conflicts, component

    @cached_property
    def _sensitive_churn_by_author(self) -> dict[int, Counter[str]]:
        # per person: their churn in the window per sensitive component
        sensitive = {c.name for c in self.sensitive_components()}
        churn: dict[int, Counter[str]] = {}
        for change in self.changes:
            if change.component in sensitive and self.policy.in_window(change.day):
                churn.setdefault(change.author, Counter())[change.component] += change.churn
        return churn

    @cached_property
    def _by_component(self) -> dict[str, list[Change]]:
        # Built once: rules ask per component, and a scan of every change per
        # question is quadratic at scale (300 components x 700k changes).
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.component, []).append(change)
        return grouped

    @cached_property
    def _windows(self) -> dict[tuple[str, bool], list[Change]]:
        # (component, previous?) -> changes; every rule asks for the same few lists
        split: dict[tuple[str, bool], list[Change]] = {}
        for name, changes in self._by_component.items():
            split[(name, False)] = [c for c in changes if self.policy.in_window(c.day)]
            split[(name, True)] = [c for c in changes if self.policy.in_previous(c.day)]
        return split

    def window_changes(self, component: str) -> list[Change]:
        """The component's changes inside the policy window, in `changes` order (a new list)."""
        return list(self._windows.get((component, False), ()))

    def previous_changes(self, component: str) -> list[Change]:
        """The component's changes in the previous window, in `changes` order (a new list)."""
        return list(self._windows.get((component, True), ()))

    def person_name(self, person_id: int) -> str:
        person = self.people.get(person_id)
        return person.name if person else f"person {person_id}"


# --- outcomes --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # commit | work_item | location_evidence | location_conflict
    ref: str


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # critical | high | medium | low | info
    confidence: str  # high | medium | low
    component: str | None
    subject: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def fingerprint(self) -> str:
        return finding_fingerprint(self.rule, self.component, self.subject)


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A rule could not judge (part of) the data: not the same as finding nothing."""

    rule: str
    reason: str
    component: str | None = None


Outcome = Finding | Unavailable


# --- the rule --------------------------------------------------------------


_SECTIONS = ("What it flags", "Why it matters", "Evidence used", "How to resolve")


class Rule(ABC):
    id: ClassVar[str]  # PV101
    name: ClassVar[str]  # kebab-case, e.g. sensitive-high-risk-share
    title: ClassVar[str]  # one line
    default_severity: ClassVar[str]
    # True when the rule reads changes of components outside `Policy.sensitive`:
    # the context then loads every component's changes (slower at scale).
    all_components: ClassVar[bool] = False

    @abstractmethod
    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        """Yield findings (and `Unavailable` notes) for this context."""

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation: its module docstring (one rule per file)."""
        import inspect
        import sys

        module = sys.modules.get(cls.__module__)
        return inspect.cleandoc(cls.__doc__ or (module.__doc__ if module else "") or "")

    @classmethod
    def section(cls, heading: str) -> str:
        """The text under `*heading*` (or a `heading` line) in the docstring."""
        doc = cls.documentation()
        pattern = re.compile(
            rf"^\*?{re.escape(heading)}\*?:?\s*$\n(.*?)(?=^\*?(?:{'|'.join(_SECTIONS)})\*?:?\s*$|\Z)",
            re.M | re.S,
        )
        match = pattern.search(doc)
        return " ".join(match.group(1).split()) if match else ""

    # helpers shared by the rules

    def finding(
        self,
        ctx: RuleContext,
        *,
        component: Component | None,
        subject: str,
        message: str,
        tier: str | None = "high",
        confidence: float | str,
        evidence: Iterable[Evidence] = (),
        data: Mapping[str, Any] | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=severity_for(self.default_severity, component, tier),
            confidence=confidence if isinstance(confidence, str) else confidence_label(confidence),
            component=component.name if component else None,
            subject=subject,
            message=message,
            evidence=tuple(evidence),
            data=dict(data or {}),
        )


GRADING = """\
A finding's **severity** is the rule's default severity, moved one step per
factor (critical > high > medium > low > info):

| factor | step |
| --- | --- |
| the component's sensitivity is `critical` | one up |
| the component's sensitivity is `normal` or `low` (rules that judge those) | one down |
| the jurisdiction tier involved is `elevated` rather than `high` | one down |
| no component (a person-level finding outside sensitive components) | none |

A finding's **confidence** (`high` ≥ 0.75, `medium` ≥ 0.45, `low` below) comes
from the location confidence of the people behind it (churn-weighted), or is
fixed by the rule where the evidence has one nature (PV103 low: ambiguous by
definition; PV104 high: the absence of evidence is certain; PV110: medium for
offsets of two places that switch on one zone's DST dates, low for scattered
outliers or a night rhythm alone).

`auditor check` fails (exit 1) on a new, unwaived finding whose severity is at
or above `[policy] fail_on` (default `high`) **and** whose confidence is at or
above `[policy] fail_on_confidence` (default `medium`); less sure findings are
reported in every format but never fail the build.

Whether a finding is **new**, **baselined** or **waived** is decided once, by
`auditor/report/triage.py`, when `analyze` or `check` stores the run: each
stored finding keeps its status and the waiver that applied (its id and
terms). The `check` formats and the TUI (its views) read that status; a
waiver added, edited or removed afterwards changes the next run, never what an
earlier run said.
"""


def severity_for(default: str, component: Component | None, tier: str | None) -> str:
    """Rule default, +1 for a critical component, -1 below `high` sensitivity, -1 for
    `elevated` (see `GRADING`)."""
    index = Severity(default).rank  # 0 = critical … 4 = info
    if component is not None:
        if component.sensitivity == "critical":
            index -= 1
        elif component.sensitivity in ("normal", "low"):
            index += 1
    if tier == "elevated":
        index += 1
    scale = list(Severity)
    return scale[min(max(index, 0), len(scale) - 1)]


def confidence_label(value: float) -> str:
    if value >= 0.75:
        return "high"
    if value >= 0.45:
        return "medium"
    return "low"


def weighted_confidence(pairs: Iterable[tuple[float, int]]) -> float:
    """Churn-weighted mean of location confidences; unweighted when all weights are 0."""
    items = list(pairs)
    if not items:
        return 0.0
    total = sum(w for _, w in items)
    if total <= 0:
        return sum(c for c, _ in items) / len(items)
    return sum(c * w for c, w in items) / total


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def binary_note(changes: Iterable[Change]) -> str:
    """', 3 binary files changed' (empty without any): lines cannot weigh them."""
    count = sum(c.binary for c in changes)
    if not count:
        return ""
    return f", {count} binary file{'s' if count > 1 else ''} changed"


def untrusted_binary(changes: Iterable[Change], policy: Policy) -> list[Change]:
    """Changes with binary files by authors not placed in a trusted jurisdiction."""
    return [c for c in changes if c.binary and not policy.trusted_at(c.author_location)]


def commit_evidence(changes: Iterable[Change]) -> list[Evidence]:
    """Every commit behind a finding's numbers, sorted by sha: a claim is only as
    traceable as its shortest evidence list, so nothing is cut."""
    shas = sorted({c.sha for c in changes})
    return [Evidence("commit", sha) for sha in shas]


def location_evidence(locations: Iterable[Location]) -> list[Evidence]:
    """Every location-evidence row behind the locations used, in id order."""
    ids = sorted({i for loc in locations for i in loc.evidence_ids})
    return [Evidence("location_evidence", str(i)) for i in ids]
