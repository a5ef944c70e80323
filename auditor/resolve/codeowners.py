"""CODEOWNERS as GitHub and GitLab read it, matched in linear time.

Where: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`
(GitHub's order) and `.gitlab/CODEOWNERS` (GitLab reads the root, `docs/` and
`.gitlab/`).

Lines are `pattern owner...` with gitignore-style patterns; `#` starts a
comment unless escaped (`\\#`). The last matching rule wins; a pattern without
owners clears ownership. GitLab sections (`[Section] @default-owners`,
`^[Optional section]`, `[Section][2]` approval counts) group the rules below
them: a pattern without owners inside a section gets the section's default
owners, and a path's owners are the union of the last matching rule of every
section, as GitLab combines them.

The patterns come from strangers' repositories: `*a*a*a…*ab` compiles to a
regular expression that backtracks exponentially in Python's `re` on a long
file name. Matching uses RE2 (pathspec's `re2` backend), which runs in time
linear in the path's length whatever the pattern, so there is no time bound to
tune per file; the file itself is capped at `MAX_IMPORT_BYTES` when read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CODEOWNERS_LOCATIONS = (
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
)
# `[Section]`, `^[Optional]`, `[Section][2]`, then owners; `[abc].txt @x` is a pattern.
_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?(?:\s+(.*))?$")
_COMMENT = re.compile(r"(?<!\\)#.*$")


@dataclass(frozen=True, slots=True)
class CodeOwnersRule:
    pattern: str
    owners: tuple[str, ...]
    line: int
    section: str = ""  # GitLab section, lower-cased; "" before any section header


def parse_codeowners(text: str) -> list[CodeOwnersRule]:
    """Rules in file order, section defaults applied to patterns listed without owners."""
    rules = []
    section = ""
    defaults: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        header = _SECTION.match(line)
        if header:
            section = " ".join(header.group(1).split()).lower()
            defaults = tuple(o.lower() for o in (header.group(2) or "").split())
            continue
        parts = line.split()
        pattern = parts[0].replace("\\#", "#")
        owners = tuple(p.lower() for p in parts[1:]) or defaults
        rules.append(CodeOwnersRule(pattern, owners, number, section))
    return rules


class CodeOwnersMatcher:
    """The owners of a path under a list of rules: per section the last match, all sections."""

    def __init__(self, rules: Iterable[CodeOwnersRule]):
        import pathspec  # loaded when a repository has CODEOWNERS, not at every command's start

        by_section: dict[str, list[CodeOwnersRule]] = {}
        for rule in rules:
            by_section.setdefault(rule.section, []).append(rule)
        # Plain gitignore patterns, not GitIgnoreSpec: CODEOWNERS has no "excluded parent
        # directory" rule, and check_file must report the last matching rule.
        self._sections = [
            (
                section_rules,
                pathspec.PathSpec.from_lines(
                    "gitignore", [r.pattern for r in section_rules], backend="re2"
                ),
            )
            for section_rules in by_section.values()
        ]

    def owners(self, path: str) -> set[str]:
        found: set[str] = set()
        for section_rules, spec in self._sections:
            result = spec.check_file(path)
            if result.include and result.index is not None:
                found |= set(section_rules[result.index].owners)
        return found
