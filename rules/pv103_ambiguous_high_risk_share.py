"""PV103: ambiguous evidence that a sensitive component is changed from high-risk jurisdictions.

*What it flags*
As PV101 but on the upper bound: a sensitive component where authors whose
candidate countries include a high-risk (or elevated) one account for at least
`[policy] ambiguous_share` (default 0.25) of the churn, while the lower bound
(resolved countries only) stays below `[policy] high_risk_share`, so PV101 does
not already report it. The subject is the tier.

*Why it matters*
Weak evidence (a `+0800` commit offset is China, Singapore, Malaysia, Western
Australia, ...) cannot convict anyone, but it can hide a real dependency.
Someone should find out where these people actually work.

*Evidence used*
Commits in the window and each author's candidate countries on the commit's
day. Candidates come from zone inference: a country is a candidate only when
one of its zones fits every commit offset of the person's period on the
commit's own date, across DST switches (a Finnish maintainer's `+0200`
winters and `+0300` summers leave no Russian zone). People are named by their
lines, largest first, with their share. Confidence is low by nature: the rule
exists because evidence is weak.

*How to resolve*
Investigate: add the people to the roster or record an override with the
confirmed country. The finding disappears once locations are resolved (and
becomes PV101 if they are in fact high-risk).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.kernel.wording import counted, percent_range
from rules.interface import Outcome, Rule, RuleContext, commit_evidence, pct
from rules.registry import register
from rules.shares import cannot_judge, people_text, ranked_people, tier_share


@register
class AmbiguousHighRiskShare(Rule):
    id = "PV103"
    name = "ambiguous-high-risk-share"
    title = "Ambiguous evidence of high-risk churn on a sensitive component"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx, locations=False):
            yield missing
            return
        for component, changes, total in ctx.judged_components():
            for tier in policy.risky_tiers:
                share = tier_share(changes, policy, tier)
                if share.share_min >= policy.high_risk_share and share.churn_min:
                    continue  # PV101 reports it on firm evidence
                ambiguous = share.churn_max - share.churn_min
                if ambiguous == 0 or share.share_max < policy.ambiguous_share:
                    continue
                unclear = [
                    c
                    for c in changes
                    if c.author_location.country is None
                    and policy.maybe_in(c.author_location, tier)
                    and policy.tier_of(c.author_location) != tier
                ]
                ranked = ranked_people(ctx, unclear)
                people = [name for name, _ in ranked]
                candidates = sorted(
                    {x for c in unclear for x in c.author_location.candidates}
                    & policy.tier_countries(tier)
                )
                yield self.finding(
                    ctx,
                    component=component,
                    subject=f"{tier}-risk jurisdictions",
                    tier=tier,
                    confidence="low",
                    message=(
                        f"{_between(share.share_min, share.share_max)} of churn in "
                        f"{component.name} may come from {tier}-risk jurisdictions "
                        f"({', '.join(candidates)}): {ambiguous} of {total} lines by "
                        f"{counted(len(people), 'person')} with ambiguous locations "
                        f"({people_text(ranked, total)}); "
                        f"threshold {pct(policy.ambiguous_share)}"
                    ),
                    evidence=commit_evidence(unclear),
                    data={
                        "share_min": round(share.share_min, 4),
                        "share_max": round(share.share_max, 4),
                        "ambiguous_churn": ambiguous,
                        "total": total,
                        "people": people,
                    },
                )


def _between(low: float, high: float) -> str:
    """'between 30% and 45%', or '30%' when the bounds print alike."""
    shown = percent_range(low, high, " and ")
    return shown if shown == pct(low) else f"between {shown}"
