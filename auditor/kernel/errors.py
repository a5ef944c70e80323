"""One tree of errors. Only `auditor.cli.entrypoint` catches them, prints one line, exits 2."""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error the auditor raises on purpose.

    `location` names where the bad input is ("auditor.toml:12", "roster.csv:4");
    `field` names the key or column. Both end up in the one-line message.
    """

    def __init__(self, message: str, *, location: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.field = field

    def __str__(self) -> str:
        parts = []
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field {self.field!r}")
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class ConfigError(AuditorError):
    """The configuration file is missing, unreadable or invalid."""


class CollectorError(AuditorError):
    """A source (repository, export, roster) could not be read."""


class InputFormatError(CollectorError):
    """A source file is malformed: names file, line (or JSON path) and field."""


class ApiError(CollectorError):
    """A live tracker API (GitHub, Jira, Azure DevOps) failed; the message says what to do."""


class StoreError(AuditorError):
    """The store is unreachable, of another schema version, or inconsistent."""


class ExportError(AuditorError):
    """An audit export could not be written or does not verify."""


class UsageError(AuditorError):
    """A command-line argument is invalid."""


class NothingToJudgeError(AuditorError):
    """No collected data behind a verdict: judging it would read as "clean"."""

    def __str__(self) -> str:
        return f"nothing to judge: {super().__str__()}"


class MissingObjectError(CollectorError):
    """A repository lacks an object its history needs (partial clone, corrupt pack)."""

    def __init__(self, message: str, object_id: str | None, **where: str | None):
        super().__init__(message, **where)
        self.object_id = object_id
