"""PV106: changes from high-risk jurisdictions without review from a trusted one.

*What it flags*
Changes in the policy window to a sensitive component, authored by a person
resolved to a country of a `high` or `elevated` tier, that show no review
evidence from a person resolved to a trusted jurisdiction. A change counts as
reviewed when such a person is its committer (and not its author), approved
its pull request, or appears in a `Reviewed-by:` or `Approved-by:` trailer
that is corroborated. One finding per component and author; the subject is
the author.

A trailer is text the author can write themselves, naming anyone. It is
corroborated when the named reviewer committed the change, or approved a pull
request that covers it, or the change was committed or merged by someone other
than its author. Otherwise it is listed as "claimed, not corroborated" and
does not count.

*Why it matters*
Where maintenance cannot move, supervision is the mitigation: a trusted
reviewer on every change makes a planted weakness much harder. Unsupervised
changes from a high-risk jurisdiction are the gap.

*Evidence used*
Commits and their committers, commit trailers (`Reviewed-by:`,
`Approved-by:`), the merge commits that brought a change in (their
committers), pull-request reviews in state APPROVED on pull requests linked
to the commits, and the resolved locations of authors and reviewers on the
commit's day. Confidence is the churn-weighted confidence of the authors'
locations.

*How to resolve*
Require review by a trusted-jurisdiction maintainer (branch protection, a
CODEOWNERS entry, a maintainer who applies or merges the change) and make sure
reviewers appear in the roster. A claimed trailer is resolved by asking the
named reviewer: if they did review, have them merge or approve the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from rules.interface import (
    Change,
    Outcome,
    Rule,
    RuleContext,
    binary_note,
    commit_evidence,
    weighted_confidence,
)
from rules.registry import register
from rules.shares import cannot_judge


@register
class UnreviewedHighRiskChanges(Rule):
    id = "PV106"
    name = "unreviewed-high-risk-changes"
    title = "Changes from high-risk jurisdictions without trusted review"
    default_severity = "high"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        policy = ctx.policy
        if missing := cannot_judge(self.id, ctx):
            yield missing
            return
        for component in ctx.sensitive_components():
            risky: dict[int, list[Change]] = defaultdict(list)
            unreviewed: dict[int, list[Change]] = defaultdict(list)
            for change in ctx.window_changes(component.name):
                if policy.risky_tier(change.author_location) is None:
                    continue
                risky[change.author].append(change)
                if not any(
                    r.person != change.author and policy.trusted_at(r.location)
                    for r in change.reviewers
                ):
                    unreviewed[change.author].append(change)
            for person in sorted(unreviewed, key=lambda p: (ctx.person_name(p), p)):
                bare = unreviewed[person]
                tier = (
                    "high"
                    if any(policy.risky_tier(c.author_location) == "high" for c in bare)
                    else "elevated"
                )
                countries = sorted({c.author_location.country or "" for c in bare} - {""})
                churn = sum(c.churn for c in bare)
                name = ctx.person_name(person)
                claimed = [
                    c
                    for c in bare
                    if any(policy.trusted_at(r.location) for r in c.claimed_reviewers)
                ]
                claims = (
                    f"; {len(claimed)} of them name a trusted reviewer in a trailer that is "
                    "claimed, not corroborated (the author committed it and no approval or "
                    "merge by another person backs it)"
                    if claimed
                    else ""
                )
                yield self.finding(
                    ctx,
                    component=component,
                    subject=name,
                    tier=tier,
                    confidence=weighted_confidence(
                        (c.author_location.confidence, c.churn) for c in bare
                    ),
                    message=(
                        f"{len(bare)} of {len(risky[person])} changes to {component.name} by "
                        f"{name} in {', '.join(countries)} ({tier}-risk) have no review from a "
                        f"trusted jurisdiction ({churn} lines{binary_note(bare)}){claims}"
                    ),
                    evidence=commit_evidence(bare),
                    data={
                        "person": person,
                        "unreviewed": len(bare),
                        "changes": len(risky[person]),
                        "churn": churn,
                        "binary": sum(c.binary for c in bare),
                        "countries": countries,
                        "claimed_not_corroborated": len(claimed),
                    },
                )
