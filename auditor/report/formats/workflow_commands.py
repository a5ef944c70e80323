"""Text that a CI runner cannot read as a workflow command.

The GitHub Actions runner acts on any log line that starts with `::` after
leading whitespace (`::set-output`, `::add-mask`, `::stop-commands`, ...) and on
any line containing `##[` (the older `##[command]` form, Azure Pipelines' too).
Names and messages in reports come from repositories, so every report that can
end up in a job log passes them through `log_safe`: the first character of
each such marker becomes the same visible escape `visible()` uses for control
characters (`\\x3a`, `\\x23`), which no runner parses and a reader still
recognises.
"""

from __future__ import annotations

from auditor.report.display_text import visible

_LEGACY_MARKER = "##["
_LEGACY_ESCAPED = "\\x23#["  # "#\x23[" would still leave "##[" after a preceding "#"


def neutralise_workflow_commands(text: str) -> str:
    """`text` with no line that starts with `::` (after blanks) and no `##[` anywhere."""
    lines = text.replace(_LEGACY_MARKER, _LEGACY_ESCAPED).split("\n")
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("::"):
            indent = line[: len(line) - len(stripped)]
            lines[number] = indent + "\\x3a" + stripped[1:]
    return "\n".join(lines)


def log_safe(value: object) -> str:
    """Untrusted text for a report line: control characters visible, no workflow command."""
    return neutralise_workflow_commands(visible(value))
