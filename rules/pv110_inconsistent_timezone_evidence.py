"""PV110: inconsistent time-zone evidence for one person.

*What it flags*
A person whose commit offsets cannot come from one place, or whose claimed
offset puts the activity at night, as recorded by location resolution:

- *offsets of two places*: within one zone period, at least 3 commits in at
  least 2 months at offsets that no zone of the period has on their dates
  (e.g. years of `+0800` mixed with `+0200` in winter and `+0300` in summer,
  switching on EU dates: a clock kept in an EET zone). Medium confidence when
  the outliers are sparse (at most 15% of the period's commits), spread over
  at least 4 months, and switch between two offsets on one zone's DST dates,
  and the places of that one conflict span jurisdiction tiers; low otherwise
  (trips, a second home, two places of one tier);
- *night rhythm*: at least 80% of a period's 30+ commits fall between 20:00
  and 06:59 in the local time their offset claims, while the offsets that
  would put them in working hours lie 4 or more hours away (low confidence:
  evening hobbyists exist).

One finding per person who changed a sensitive component in the window (the
others' conflicts stay visible in `auditor people`: on git/git, travel gives
dozens of maintainers a scattered outlier or two): the component is the
sensitive component the person changed most, which sets the severity
(critical raises it); the subject is the person. The message names the
offsets with their counts and dates, the zones each pattern fits, and the
finding's evidence lists the commits that do not fit.

*Why it matters*
Commit offsets are set by the committer's machine. A persona that keeps its
clock in one place but sometimes forgets, or that works other people's hours,
leaves exactly this trace: the 2024 xz-utils backdoor's "Jia Tan" committed at
`+0800` for years, with a few commits at DST-correct Eastern European offsets.
Averaging such evidence away makes the person look like any other.

*Evidence used*
The time-zone conflicts of location resolution: the commit-offset evidence
rows of the period (fitting and outlying offsets, with counts, months and
dates), the activity-rhythm row, and the shas of the outlying commits.

*How to resolve*
Find out where the person works (HR roster, an `[[overrides]]` entry with the
confirmed country and a reason). Travel explains a few outliers in one
month, not a pattern across years: if the explanation holds, waive the
finding with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.interface import Evidence, Outcome, Rule, RuleContext, Unavailable
from rules.registry import register

ONE_TIER_CONFIDENCE = 0.4  # low: every place the offsets fit is in one jurisdiction tier


@register
class InconsistentTimezoneEvidence(Rule):
    id = "PV110"
    name = "inconsistent-timezone-evidence"
    title = "Inconsistent time-zone evidence for a person"
    default_severity = "medium"

    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:
        if not ctx.people:
            yield Unavailable(self.id, "no people were resolved")
            return
        for person, conflicts, component in ctx.people_in_conflict("timezone"):
            if component is None:
                continue  # shown by `auditor people`; a finding needs a sensitive change
            countries = sorted({c for conflict in conflicts for c in conflict.countries})
            risky = [c for c in countries if ctx.policy.tier(c) in ("high", "elevated")]
            details = "; ".join(
                f"{c.description} ({_span(c.start, c.end)})" for c in conflicts[:3]
            ) + (f"; and {len(conflicts) - 3} more" if len(conflicts) > 3 else "")
            shas = sorted({sha for c in conflicts for sha in c.commits})
            ids = sorted({i for c in conflicts for i in c.evidence_ids})
            # Each conflict is judged on its own places: a trusted-tier trip in one period
            # and a high-risk country among another period's candidates do not add up to
            # a medium pattern that spans tiers.
            confidence = max(
                min(c.confidence, ONE_TIER_CONFIDENCE)
                if len({ctx.policy.tier(country) for country in c.countries}) <= 1
                else c.confidence
                for c in conflicts
            )
            yield self.finding(
                ctx,
                component=component,
                subject=person.name,
                tier=None,
                confidence=confidence,
                message=(
                    f"{person.name}: time-zone evidence that does not fit one place: {details}"
                    + (f"; {len(shas)} commits outside the main pattern" if shas else "")
                ),
                evidence=[Evidence("commit", sha) for sha in shas]
                + [Evidence("location_evidence", str(i)) for i in ids],
                data={
                    "person": person.id,
                    "countries": countries,
                    "risky_countries": risky,
                    "conflicts": len(conflicts),
                    "commits": len(shas),
                },
            )


def _span(start: object, end: object) -> str:
    return f"{start or '…'}..{end or '…'}"
