"""PV104: too much churn on a sensitive component from people of unknown location.

*What it flags*
A sensitive component where authors without a resolved country (no evidence,
or only ambiguous evidence) account for at least `[policy] unknown_share`
(default 0.30) of the churn in the policy window. The subject is
"unknown locations".

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

from auditor.wording import counted
from rules.interface import Outcome, Rule, RuleContext, commit_evidence, pct
from rules.registry import register
from rules.shares import unknown_churn


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
            unclear = [c for c in changes if c.author_location.country is None]
            people = sorted({ctx.person_name(c.author) for c in unclear})
            yield self.finding(
                ctx,
                component=component,
                subject="unknown locations",
                tier=None,
                confidence="high",
                message=(
                    f"{pct(share)} of churn in {component.name} ({unknown} of {total} lines) "
                    f"comes from {counted(len(people), 'person')} without a resolved country "
                    f"({', '.join(people)}); threshold {pct(policy.unknown_share)}"
                ),
                evidence=commit_evidence(unclear),
                data={"churn": unknown, "total": total, "share": round(share, 4), "people": people},
            )
