"""PV104: too much churn on a sensitive component from people of unknown location.

*What it flags*
A sensitive component where authors with no usable location evidence (no
country and no candidate countries on the commit's day) account for at least
`[policy] unknown_share` (default 0.30) of the churn in the policy window. The
subject is "unknown locations". People with candidates are not unknown: when
all their candidates share a tier they count in it ("trusted, country
unresolved"), otherwise PV103 judges them. People are named by their lines,
largest first, with their share.

*Why it matters*
The policy cannot be applied to people nobody can place. A sensitive
component maintained largely by unplaced people is an unmeasured risk.

*Evidence used*
Commits in the window on the component's paths and each author's resolved
location on the commit's day. Confidence is high: the absence of a resolved
country is itself certain.

*How to resolve*
Add the people to the HR roster (or `[[overrides]]`), map corporate e-mail
domains in `[identity] corporate_domains`, or import tracker profiles with
time zones.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.kernel.wording import counted
from rules.interface import Outcome, Rule, RuleContext, commit_evidence, pct
from rules.registry import register
from rules.shares import people_text, ranked_people, unknown_churn


@register
class UnknownLocationShare(Rule):
    id = "PV104"
    name = "unknown-location-share"
    title = "Sensitive component changed largely by people of unknown location"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        for component, changes, total in ctx.judged_components():
            unknown = unknown_churn(changes)
            share = unknown / total
            if unknown == 0 or share < policy.unknown_share:
                continue
            unclear = [c for c in changes if not c.author_location.known]
            ranked = ranked_people(ctx, unclear)
            people = [name for name, _ in ranked]
            yield self.finding(
                ctx,
                component=component,
                subject="unknown locations",
                tier=None,
                confidence="high",
                message=(
                    f"{pct(share)} of churn in {component.name} ({unknown} of {total} lines) "
                    f"comes from {counted(len(people), 'person')} without any location evidence "
                    f"({people_text(ranked, total)}); threshold {pct(policy.unknown_share)}"
                ),
                evidence=commit_evidence(unclear),
                data={"churn": unknown, "total": total, "share": round(share, 4), "people": people},
            )
