"""PV107: conflicting strong location evidence for one person.

*What it flags*
A person for whom strong location sources disagree: the roster says one
country while an override, a tracker profile time zone, an e-mail domain or a
steady pattern of commit offsets says another, as recorded by resolution. One
finding per person; the component is the sensitive component the person
changed most in the window (none if they did not change one); the subject is
the person.

*Why it matters*
A roster that is wrong, or a person working from somewhere else than HR
believes, makes every other rule unreliable for that person.

*Evidence used*
The conflicts between sources recorded by location resolution (time-zone
inconsistencies within the commit offsets are PV110's), with the evidence rows on each
side. Confidence is medium: one side is wrong, we do not know which.

*How to resolve*
Confirm the person's location with HR; correct the roster or record an
`[[overrides]]` entry with the confirmed country and a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.interface import Evidence, Outcome, Rule, RuleContext, Unavailable
from rules.registry import register


@register
class ConflictingLocationEvidence(Rule):
    id = "PV107"
    name = "conflicting-location-evidence"
    title = "Conflicting strong location evidence for a person"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        if not ctx.people:
            yield Unavailable(self.id, "no people were resolved")
            return
        for person, conflicts, component in ctx.people_in_conflict("sources"):
            countries = sorted({c for conflict in conflicts for c in conflict.countries})
            tier = "high" if any(ctx.policy.tier(c) == "high" for c in countries) else None
            descriptions = "; ".join(c.description for c in conflicts[:3])
            ids = sorted({i for c in conflicts for i in c.evidence_ids})
            yield self.finding(
                ctx,
                component=component,
                subject=person.name,
                tier=tier or "trusted",
                confidence="medium",
                message=(f"{person.name}: {len(conflicts)} location conflict(s): {descriptions}"),
                evidence=[Evidence("location_evidence", str(i)) for i in ids],
                data={
                    "person": person.id,
                    "countries": countries,
                    "conflicts": len(conflicts),
                },
            )
