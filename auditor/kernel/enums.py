"""The product's closed vocabularies, one StrEnum each.

Members are strings (`Severity.HIGH == "high"`), so stored rows, JSON documents and
configuration files keep the plain values; the declaration order is the display order.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """A finding's severity, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical … 4 for info."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {severity: index for index, severity in enumerate(Severity)}


class Sensitivity(StrEnum):
    """A component's sensitivity, most sensitive first."""

    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Tier(StrEnum):
    """Where work was done: a jurisdiction's tier, or why there is none.

    HIGH, ELEVATED and TRUSTED are the policy's tiers of a country; OTHER a country
    outside an explicit trusted list; AMBIGUOUS a person whose candidate countries
    include a high-risk one; UNKNOWN no usable location evidence.
    """

    HIGH = "high"
    ELEVATED = "elevated"
    AMBIGUOUS = "ambiguous"
    TRUSTED = "trusted"
    OTHER = "other"
    UNKNOWN = "unknown"


class FindingStatus(StrEnum):
    """A finding of `auditor check` against the baseline and the waivers."""

    NEW = "new"
    BASELINED = "baselined"
    WAIVED = "waived"


class PeriodStatus(StrEnum):
    """A finding of an audit export against the previous period's export."""

    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"


class Tracker(StrEnum):
    """A work tracker, as the kind of the accounts (identities) it knows."""

    JIRA = "jira"
    ADO = "ado"
    GITHUB = "github"
    GITLAB = "gitlab"


class TrackerKind(StrEnum):
    """The built-in export formats of `[[tracker]] kind`; plug-ins add others by name."""

    JIRA_CSV = "jira-csv"
    JIRA_JSON = "jira-json"
    ADO_CSV = "ado-csv"
    GITHUB_JSON = "github-json"
    GITLAB_JSON = "gitlab-json"

    @property
    def tracker(self) -> Tracker:
        return Tracker(self.value.split("-", 1)[0])


class ApiKind(StrEnum):
    """The live sources of `[[tracker]] kind`, read from a service's API (ingest/api.py)."""

    GITHUB_API = "github-api"
    JIRA_API = "jira-api"
    ADO_API = "ado-api"

    @property
    def tracker(self) -> Tracker:
        return Tracker(self.value.split("-", 1)[0])


# Third-party trackers: each entry point of this group is named by its `kind` and points to a
# `FileCollector` subclass (collectors/registry.py loads them).
COLLECTOR_ENTRY_POINTS = "auditor.collectors"
