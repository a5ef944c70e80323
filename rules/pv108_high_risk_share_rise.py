"""PV108: the high-risk share of a sensitive component rose against the previous window.

*What it flags*
A sensitive component whose churn share from a `high` (or `elevated`)
jurisdiction tier (lower bound, as PV101) rose by at least `[policy]
share_rise` (default 0.10, i.e. ten percentage points) between the previous
window (the `window_days` before the current one) and the current window. The
subject is the tier.

*Why it matters*
A shift of work towards a high-risk jurisdiction is easiest to steer while it
is happening; PV101 only fires once the share is already high.

*Evidence used*
Commits in both windows on the component's paths and each author's resolved
location on the commit's day. Needs history in the previous window; without
it the rule reports itself not available.

*How to resolve*
Review the staffing decision behind the shift; if it is intended and
supervised, waive with a reason, an approver and an expiry.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.interface import Outcome, Rule, RuleContext, Unavailable, commit_evidence, pct
from rules.registry import register
from rules.shares import cannot_judge, tier_share


@register
class HighRiskShareRise(Rule):
    id = "PV108"
    name = "high-risk-share-rise"
    title = "High-risk share of a sensitive component rose"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx, locations=False):
            yield missing
            return
        if ctx.range_mode:
            yield Unavailable(self.id, "no previous window for a commit range")
            return
        if missing := cannot_judge(self.id, ctx):
            yield missing
            return
        for component, now, _total in ctx.judged_components():
            before = ctx.previous_changes(component.name)
            if not any(c.churn for c in before):
                yield Unavailable(
                    self.id,
                    f"no changes in the previous window "
                    f"({policy.previous_start}..{policy.previous_end})",
                    component.name,
                )
                continue
            for tier in policy.risky_tiers:
                current = tier_share(now, policy, tier)
                previous = tier_share(before, policy, tier)
                rise = current.share_min - previous.share_min
                if current.churn_min == 0 or rise < policy.share_rise:
                    continue
                risky = [c for c in now if c.author_location.country in policy.tier_countries(tier)]
                yield self.finding(
                    ctx,
                    component=component,
                    subject=f"{tier}-risk jurisdictions",
                    tier=tier,
                    confidence=current.confidence,
                    message=(
                        f"{tier}-risk share of churn in {component.name} rose from "
                        f"{pct(previous.share_min)} ({previous.churn_min} of {previous.total} "
                        f"lines) to {pct(current.share_min)} ({current.churn_min} of "
                        f"{current.total} lines); threshold +{pct(policy.share_rise)}"
                    ),
                    evidence=commit_evidence(risky),
                    data={
                        "previous": round(previous.share_min, 4),
                        "current": round(current.share_min, 4),
                        "rise": round(rise, 4),
                    },
                )
