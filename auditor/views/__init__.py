"""Read-only queries behind the TUI screens, as frozen dataclasses.

Nothing here imports `textual`: the TUI renders these records, tests assert on
them, and other front ends could reuse them. Strings are returned exactly as
stored (untrusted); whoever displays them makes them safe
(`auditor.report.display_text.plain`).

Activity is aggregated in SQL per (component, person, day) and only then
attributed to jurisdictions in Python, so the work scales with people × days,
not with commits or file changes. One module per screen's queries; this
package re-exports them so callers write `views.overview(ctx)`, importing a module
on first use only: a command that needs one query (`auditor people`) does not pay for
the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.views.activity import JurisdictionShare
    from auditor.views.common import SENSITIVITY_ORDER, SEVERITY_ORDER, TIERS, ViewContext
    from auditor.views.component_query import (
        CommitRow,
        ComponentDetail,
        Maintainer,
        WorkItemRow,
        component_detail,
    )
    from auditor.views.findings_query import (
        Evidence,
        FindingRow,
        _rank,
        findings,
        latest_run_id,
        rule_text,
    )
    from auditor.views.overview_query import (
        ComponentRow,
        Overview,
        Totals,
        components,
        overview,
        totals,
    )
    from auditor.views.people_query import (
        ConflictRow,
        EvidenceRow,
        IdentityRow,
        LocationPeriod,
        PersonDetail,
        PersonRow,
        evidence_commits,
        is_commit_evidence,
        people,
        person_detail,
        person_id_for,
    )
    from auditor.views.search_query import (
        CommitDetail,
        Names,
        SearchHit,
        commit_detail,
        latest_as_of,
        names,
        search,
    )

# the names each module of this package re-exports
_MODULES = {
    "activity": ("JurisdictionShare",),
    "common": (
        "SENSITIVITY_ORDER",
        "SEVERITY_ORDER",
        "TIERS",
        "ViewContext",
    ),
    "component_query": (
        "CommitRow",
        "ComponentDetail",
        "Maintainer",
        "WorkItemRow",
        "component_detail",
    ),
    "findings_query": (
        "Evidence",
        "FindingRow",
        "_rank",
        "findings",
        "latest_run_id",
        "rule_text",
    ),
    "overview_query": (
        "ComponentRow",
        "Overview",
        "Totals",
        "components",
        "overview",
        "totals",
    ),
    "people_query": (
        "ConflictRow",
        "EvidenceRow",
        "IdentityRow",
        "LocationPeriod",
        "PersonDetail",
        "PersonRow",
        "evidence_commits",
        "is_commit_evidence",
        "people",
        "person_detail",
        "person_id_for",
    ),
    "search_query": (
        "CommitDetail",
        "Names",
        "SearchHit",
        "commit_detail",
        "latest_as_of",
        "names",
        "search",
    ),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}
__all__ = [
    "SENSITIVITY_ORDER", "SEVERITY_ORDER", "TIERS", "CommitDetail", "CommitRow",
    "ComponentDetail", "ComponentRow", "ConflictRow", "Evidence", "EvidenceRow", "FindingRow",
    "IdentityRow", "JurisdictionShare", "LocationPeriod", "Maintainer", "Names", "Overview",
    "PersonDetail", "PersonRow", "SearchHit", "Totals", "ViewContext", "WorkItemRow", "_rank",
    "commit_detail", "component_detail", "components", "evidence_commits", "findings",
    "is_commit_evidence", "latest_as_of", "latest_run_id", "names", "overview", "people",
    "person_detail", "person_id_for", "rule_text", "search", "totals",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value
