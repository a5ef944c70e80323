"""PV105: work items of a sensitive component handled from high-risk jurisdictions.

*What it flags*
Work items (Jira issues, Azure DevOps items, GitHub issues and pull requests)
mapped to a sensitive component, resolved (or, if unresolved, created) in the
policy window, whose assignee was resolved to a country of a `high` or
`elevated` tier at that time. One finding per component and person; the
subject is the person.

*Why it matters*
Bugs and vulnerability reports are assigned before they are fixed: whoever
handles them learns of weaknesses before a patch exists, which is exactly the
knowledge disclosure laws reach for.

*Evidence used*
Work items and their component mapping (tracker components, area paths,
labels), their assignees, and the assignees' resolved locations. Confidence is
the mean location confidence.

*How to resolve*
Route security-relevant work on the component to people in trusted
jurisdictions, or waive with a reason, an approver and an expiry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from rules.interface import (
    Evidence,
    Location,
    Outcome,
    Rule,
    RuleContext,
    Unavailable,
    location_evidence,
    weighted_confidence,
)
from rules.registry import register
from rules.shares import cannot_judge


@register
class WorkItemsHighRisk(Rule):
    id = "PV105"
    name = "work-items-high-risk"
    title = "Sensitive component's work items handled from high-risk jurisdictions"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx, locations=False):
            yield missing
            return
        if not ctx.has_work_items:
            yield Unavailable(self.id, "no work items were collected (no tracker export)")
            return
        if ctx.range_mode:
            yield Unavailable(self.id, "work items are not judged for a commit range")
            return
        sensitive = {c.name: c for c in ctx.sensitive_components()}
        totals: dict[str, set[str]] = defaultdict(set)
        handled: dict[tuple[str, int], list[tuple[str, Location]]] = defaultdict(list)
        for item in ctx.work_items:
            if item.component not in sensitive or not policy.in_window(item.day):
                continue
            totals[item.component].add(item.key)
            for handler in item.handlers:
                if handler.role == "assignee" and policy.risky_tier(handler.location):
                    handled[(item.component, handler.person)].append((item.key, handler.location))
        for (name, person), items in sorted(
            handled.items(), key=lambda kv: (kv[0][0], ctx.person_name(kv[0][1]))
        ):
            component = sensitive[name]
            keys = sorted({k for k, _ in items})
            locations = [loc for _, loc in items]
            countries = sorted({loc.country for loc in locations if loc.country})
            tiers = {policy.risky_tier(loc) for loc in locations}
            tier = "high" if "high" in tiers else "elevated"
            person_name = ctx.person_name(person)
            shown = ", ".join(keys[:10]) + (", …" if len(keys) > 10 else "")
            yield self.finding(
                ctx,
                component=component,
                subject=person_name,
                tier=tier,
                confidence=weighted_confidence((loc.confidence, 1) for loc in locations),
                message=(
                    f"{len(keys)} of {len(totals[name])} work items of {name} in the window "
                    f"were assigned to {person_name} in {', '.join(countries)} ({tier}-risk): "
                    f"{shown}"
                ),
                evidence=[
                    *(Evidence("work_item", key) for key in keys),
                    *location_evidence(locations),
                ],
                data={
                    "person": person,
                    "items": len(keys),
                    "total": len(totals[name]),
                    "countries": countries,
                },
            )
