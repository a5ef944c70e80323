"""Churn shares by jurisdiction tier, as intervals, for the share rules (PV101/103/104/108)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.interface import Change, Policy, RuleContext, Unavailable, weighted_confidence


@dataclass(frozen=True, slots=True)
class TierShare:
    total: int  # churn of all changes considered
    churn_min: int  # authors resolved to a country of the tier
    churn_max: int  # ... or whose candidates include one
    countries: tuple[str, ...]  # resolved countries of the tier that contributed
    confidence: float  # churn-weighted location confidence of the contributing authors

    @property
    def share_min(self) -> float:
        return self.churn_min / self.total if self.total else 0.0

    @property
    def share_max(self) -> float:
        return self.churn_max / self.total if self.total else 0.0


def tier_share(changes: Sequence[Change], policy: Policy, tier: str) -> TierShare:
    tier_countries = policy.tier_countries(tier)
    total = churn_min = churn_max = 0
    countries: set[str] = set()
    weights: list[tuple[float, int]] = []
    for change in changes:
        total += change.churn
        where = change.author_location
        if policy.tier_of(where) == tier:  # resolved there, or every candidate is
            churn_min += change.churn
            countries |= {where.country} if where.country else where.candidates & tier_countries
            weights.append((where.confidence, change.churn))
        if policy.maybe_in(where, tier):
            churn_max += change.churn
            if where.country is None:
                weights.append((where.confidence, change.churn))
    return TierShare(
        total, churn_min, churn_max, tuple(sorted(countries)), weighted_confidence(weights)
    )


def unknown_churn(changes: Sequence[Change]) -> int:
    """Churn of authors with no usable evidence: no country and no candidates.

    Candidates, even many, place a person in their tiers (PV101/PV103 judge them)."""
    return sum(c.churn for c in changes if not c.author_location.known)


def ranked_people(ctx: RuleContext, changes: Sequence[Change]) -> list[tuple[str, int]]:
    """(name, churn) of the changes' authors, most lines first, then by name."""
    churn: dict[int, int] = {}
    for change in changes:
        churn[change.author] = churn.get(change.author, 0) + change.churn
    named = [(ctx.person_name(p), n) for p, n in churn.items()]
    return sorted(named, key=lambda pn: (-pn[1], pn[0]))


def people_text(people: Sequence[tuple[str, int]], total: int) -> str:
    """'Jia Tan: 812 lines (64%), Lasse Collin: 120 lines (9%)' against `total` lines."""
    return ", ".join(
        f"{name}: {n} lines ({n / total:.0%})" if total else f"{name}: {n} lines"
        for name, n in people
    )


def cannot_judge(rule_id: str, ctx: RuleContext, *, locations: bool = True) -> Unavailable | None:
    """Why `rule_id` cannot judge `ctx` at all, or None; "not available" is not "clean"."""
    if not ctx.policy.risky_tiers:
        return Unavailable(rule_id, "the policy names no high-risk or elevated jurisdictions")
    if locations and not ctx.has_locations:
        return Unavailable(rule_id, "no person has a resolved location")
    return None
