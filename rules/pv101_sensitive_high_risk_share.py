"""PV101: a sensitive component changed largely from high-risk jurisdictions.

*What it flags*
A component whose sensitivity is in `[policy] sensitive` (default critical and
high) where, in the policy window, at least `[policy] high_risk_share`
(default 0.25) of the churn (added + deleted lines, merges and bots excluded)
comes from authors whose resolved country is in a `high` (or `elevated`)
jurisdiction tier. One finding per component and tier; the subject is the tier.

*Why it matters*
A jurisdiction that obliges companies to hand vulnerability details to the
state within days turns the engineers who maintain a product there into an
early-warning channel. When a large share of a sensitive component's changes
come from there, the organisation depends on that channel.

*Evidence used*
Commits in the window on paths mapped to the component, each author's resolved
location on the commit's day (roster, overrides, tracker zones, e-mail domains,
commit offsets). The lower bound is used: only authors resolved to a country
count. Confidence is the churn-weighted confidence of those locations.
Binary files weigh no lines: the message counts those the high-risk authors
changed, and the evidence also lists every commit that changed binary files in
the component by an author not placed in a trusted jurisdiction.

*How to resolve*
Move maintenance of the component to trusted jurisdictions, or add supervision
and record a waiver with a reason, an approver and an expiry while the transfer
is under way. If a location is wrong, fix the roster or add an override.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.kernel.wording import counted
from rules.interface import (
    Outcome,
    Rule,
    RuleContext,
    binary_note,
    commit_evidence,
    pct,
    untrusted_binary,
)
from rules.registry import register
from rules.shares import cannot_judge, tier_share


@register
class SensitiveHighRiskShare(Rule):
    id = "PV101"
    name = "sensitive-high-risk-share"
    title = "Sensitive component changed largely from high-risk jurisdictions"
    default_severity = "high"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx):
            yield missing
            return
        for component, changes, total in ctx.judged_components():
            for tier in policy.risky_tiers:
                share = tier_share(changes, policy, tier)
                if share.churn_min == 0 or share.share_min < policy.high_risk_share:
                    continue
                risky = [
                    c for c in changes if c.author_location.country in policy.tier_countries(tier)
                ]
                yield self.finding(
                    ctx,
                    component=component,
                    subject=f"{tier}-risk jurisdictions",
                    tier=tier,
                    confidence=share.confidence,
                    message=(
                        f"{pct(share.share_min)} of churn in {component.name} "
                        f"({share.churn_min} of {total} lines, {counted(len(risky), 'commit')}) "
                        "comes from "
                        f"{tier}-risk jurisdictions ({', '.join(share.countries)}"
                        f"{binary_note(risky)}); threshold {pct(policy.high_risk_share)}"
                    ),
                    # Binary files weigh no lines: who outside trusted places changed them
                    # is listed whatever their share.
                    evidence=commit_evidence([*risky, *untrusted_binary(changes, policy)]),
                    data={
                        "churn": share.churn_min,
                        "total": total,
                        "share_min": round(share.share_min, 4),
                        "share_max": round(share.share_max, 4),
                        "countries": list(share.countries),
                        "binary_untrusted": sum(
                            c.binary for c in untrusted_binary(changes, policy)
                        ),
                    },
                )
