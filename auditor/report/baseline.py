"""The CI baseline: a JSON file of finding fingerprints that have been accepted.

`auditor check` fails only on findings that are neither baselined nor waived.
The file records rule, component and subject next to each fingerprint so a
reviewer can read what was accepted; only the fingerprint is matched. It is
written atomically (temporary file + rename) so an interrupted run never
leaves half a baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditor.kernel.errors import InputFormatError, UsageError
from auditor.kernel.files import write_atomically
from rules.interface import Finding

BASELINE_VERSION = 1


def load_baseline(path: Path) -> set[str]:
    """Fingerprints in `path`; a missing file is an empty baseline."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise UsageError(f"cannot read baseline: {exc.strerror}", location=str(path)) from exc
    return parse_baseline(raw, path)


def parse_baseline(raw: bytes, path: Path | str) -> set[str]:
    """Fingerprints in a baseline file's bytes (e.g. as of a revision); `path` names it."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise InputFormatError(f"baseline is not JSON: {exc}", location=f"{path}:{line}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise InputFormatError(
            "baseline must be an object with a 'findings' list",
            location=str(path),
            field="findings",
        )
    found: set[str] = set()
    for index, entry in enumerate(data["findings"]):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or len(value) != 64:
            raise InputFormatError(
                "each entry needs a 64-character 'fingerprint'",
                location=str(path),
                field=f"findings[{index}].fingerprint",
            )
        found.add(value)
    return found


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Write the fingerprints of `findings` (sorted, de-duplicated); returns how many."""
    entries = {
        f.fingerprint: {
            "fingerprint": f.fingerprint,
            "rule": f.rule,
            "component": f.component,
            "subject": f.subject,
        }
        for f in findings
    }
    body = {
        "version": BASELINE_VERSION,
        "findings": [entries[k] for k in sorted(entries)],
    }
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    write_atomically(path, text.encode("utf-8"))
    return len(entries)
