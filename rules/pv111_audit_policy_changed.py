"""PV111: the audit policy changed inside the change set `check --range` judges.

*What it flags*
In `auditor check --range BASE..HEAD`, an audit-policy file tracked in an
audited repository (the `auditor.toml` in use, or the `--baseline` file) that
the change set alters: a configuration section (jurisdictions, policy,
components, waivers, overrides, sources, ...) differs from BASE, the baseline
accepts other fingerprints, or the file did not exist at BASE. One finding
per file; the subject names the file and the sha256 of its new content, so
a baseline or waiver can only ever accept that exact content.

*Why it matters*
A pull request that may edit the rules it is judged by can judge itself: add
a waiver for its own finding, drop a country from the high-risk list, accept
its fingerprint into the baseline or remove its component's path glob. The
check therefore reads the policy as of BASE, so none of that takes effect
inside the range, and reports the attempt, because a policy change deserves
a reviewer of its own. No waiver added in the same range can cover it (waivers
come from BASE), and waivers never cover PV111 at all: a standing waiver would
let every later policy change through unseen.

*Evidence used*
The file's content at BASE (read from the auditor's own sanitized mirror of
the repository, never from the checkout's `.git`) and as the change set has
it; the parsed configuration sections are compared, so comments and key order
do not count as a change. Outside `--range` nothing is judged; when the
configuration is not tracked in any audited repository the rule says it is
not available.

*How to resolve*
Have the policy change reviewed and merged on its own (by the owners of the
audit policy, e.g. through a CODEOWNERS entry for `auditor.toml`); the next
range then starts from a BASE that contains it.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.interface import Evidence, Outcome, Rule, RuleContext, Unavailable
from rules.registry import register


@register
class AuditPolicyChanged(Rule):
    id = "PV111"
    name = "audit-policy-changed"
    title = "Audit policy changed in the change set"
    default_severity = "high"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        if not ctx.range_mode:
            return  # a whole-history check has no change set to compare with
        if not ctx.policy_files:
            yield Unavailable(
                self.id,
                "the configuration is not tracked in an audited repository: it was read as "
                "given, and changes to it in the range cannot be seen",
            )
            return
        for policy_file in ctx.policy_files:
            if not policy_file.changed:
                continue
            where = f"{policy_file.repository}:{policy_file.path}"
            what = ", ".join(policy_file.changed)
            yield self.finding(
                ctx,
                component=None,
                subject=f"{where} (sha256 {policy_file.digest[:12]})",
                tier=None,
                confidence="high",
                message=(
                    f"the change set alters the audit policy in {where} ({what}) against "
                    f"BASE {policy_file.base[:12]}; this check used the policy as of BASE"
                ),
                evidence=(Evidence("policy_file", f"{where}@{policy_file.base}"),),
                data={
                    "repository": policy_file.repository,
                    "path": policy_file.path,
                    "base": policy_file.base,
                    "changed": list(policy_file.changed),
                    "sha256": policy_file.digest,
                },
            )
