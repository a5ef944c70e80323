"""PV102: the top maintainer of a sensitive component is in a high-risk jurisdiction.

*What it flags*
A sensitive component whose top maintainer (the author with the most churn in
the policy window; ties go to the earlier name) was resolved, on their last
change to it in the window, to a country of a `high` or `elevated` tier. The
subject is the person.

*Why it matters*
The top maintainer knows the component best and usually learns of its
vulnerabilities first. Where the law obliges them to report vulnerabilities to
the state, that knowledge leaves the organisation's control.

*Evidence used*
Churn per author in the window on paths mapped to the component; the author's
resolved location (lower bound: a resolved country, not a candidate set).
Confidence is that location's confidence.

*How to resolve*
Hand the maintainer role to someone in a trusted jurisdiction, or waive with
a reason, an approver and an expiry. Fix wrong locations in the roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from auditor.kernel.wording import counted
from rules.interface import (
    Change,
    Outcome,
    Rule,
    RuleContext,
    commit_evidence,
    location_evidence,
    pct,
)
from rules.registry import register
from rules.shares import cannot_judge


@register
class TopMaintainerHighRisk(Rule):
    id = "PV102"
    name = "top-maintainer-high-risk"
    title = "Top maintainer of a sensitive component in a high-risk jurisdiction"
    default_severity = "high"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx):
            yield missing
            return
        for component, changes, total in ctx.judged_components():
            by_author: dict[int, list[Change]] = defaultdict(list)
            for change in changes:
                by_author[change.author].append(change)
            top = min(
                by_author,
                key=lambda p: (-sum(c.churn for c in by_author[p]), ctx.person_name(p), p),
            )
            mine = by_author[top]
            latest = max(mine, key=lambda c: (c.day, c.sha))
            where = latest.author_location
            tier = policy.risky_tier(where)
            if tier is None:
                continue
            churn = sum(c.churn for c in mine)
            name = ctx.person_name(top)
            yield self.finding(
                ctx,
                component=component,
                subject=name,
                tier=tier,
                confidence=where.confidence,
                message=(
                    f"top maintainer of {component.name} is {name} in {where.country} "
                    f"({tier}-risk): {churn} of {total} lines ({pct(churn / total)}), "
                    f"{counted(len(mine), 'commit')}"
                ),
                evidence=[*commit_evidence(mine), *location_evidence([where])],
                data={
                    "person": top,
                    "churn": churn,
                    "total": total,
                    "commits": len(mine),
                    "country": where.country,
                },
            )
