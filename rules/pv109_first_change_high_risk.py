"""PV109: a first change to a sensitive component from a high-risk jurisdiction.

*What it flags*
A person resolved to a country of a `high` or `elevated` tier who changed a
sensitive component in the policy window and never before (no change to it
before the window starts). One finding per component and person; the subject
is the person.

*Why it matters*
New contributors from a high-risk jurisdiction to a sensitive component are
where a dependency starts; catching the first change lets the organisation
decide before it grows.

*Evidence used*
The person's changes to the component in the window, whether they changed it
before the window, and their resolved location on the day of the first change.
Confidence is that location's confidence.

*How to resolve*
Confirm the assignment is intended and supervised (see PV106); otherwise move
the work. Waive with a reason, an approver and an expiry if accepted.
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
)
from rules.registry import register
from rules.shares import cannot_judge


@register
class FirstChangeHighRisk(Rule):
    id = "PV109"
    name = "first-change-high-risk"
    title = "First change to a sensitive component from a high-risk jurisdiction"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx):
            yield missing
            return
        for component in ctx.sensitive_components():
            earlier = ctx.earlier_authors.get(component.name, frozenset())
            mine: dict[int, list[Change]] = defaultdict(list)
            for change in ctx.window_changes(component.name):
                if change.author not in earlier:
                    mine[change.author].append(change)
            for person in sorted(mine, key=lambda p: (ctx.person_name(p), p)):
                changes = sorted(mine[person], key=lambda c: (c.day, c.sha))
                first = changes[0]
                tier = policy.risky_tier(first.author_location)
                if tier is None:
                    continue
                name = ctx.person_name(person)
                yield self.finding(
                    ctx,
                    component=component,
                    subject=name,
                    tier=tier,
                    confidence=first.author_location.confidence,
                    message=(
                        f"{name} in {first.author_location.country} ({tier}-risk) first changed "
                        f"{component.name} on {first.day} (commit {first.sha[:12]}); "
                        f"{counted(len(changes), 'change')}, {sum(c.churn for c in changes)} lines "
                        f"in the window"
                    ),
                    evidence=[
                        *commit_evidence(changes),
                        *location_evidence([first.author_location]),
                    ],
                    data={
                        "person": person,
                        "first": first.sha,
                        "day": first.day.isoformat(),
                        "changes": len(changes),
                    },
                )
