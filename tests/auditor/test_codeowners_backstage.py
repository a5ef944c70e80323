"""GitLab CODEOWNERS and Backstage forms, and bounded work on hostile files (#17, #13.3)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from auditor.resolve.codeowners import CodeOwnersMatcher, parse_codeowners
from auditor.resolve.components import (
    MAX_YAML_EXPANDED_NODES,
    EntityRef,
    _source_location_path,
    _yaml_expanded_nodes,
)
from auditor.resolve.pipeline import resolve_all
from tests.auditor.resolve_support import write_config
from tests.auditor.test_components import ANN, _history, _mapping
from tests.gitrepo import GitRepo

GITLAB_CODEOWNERS = """\
# GitLab: sections give default owners to the patterns below them
* @contoso/everyone

[OnPrem] @contoso/onprem
/src/onprem/
/src/onprem/vendored/ @contoso/vendor

^[Docs][2] @contoso/docs
*.md

[abc].txt @contoso/odd
"""


def test_gitlab_sections_default_owners_and_union_across_sections() -> None:
    rules = parse_codeowners(GITLAB_CODEOWNERS)
    assert [(r.pattern, r.owners, r.section) for r in rules] == [
        ("*", ("@contoso/everyone",), ""),
        ("/src/onprem/", ("@contoso/onprem",), "onprem"),
        ("/src/onprem/vendored/", ("@contoso/vendor",), "onprem"),
        ("*.md", ("@contoso/docs",), "docs"),
        ("[abc].txt", ("@contoso/odd",), "docs"),  # a pattern, not a section header
    ]
    owners = CodeOwnersMatcher(rules).owners
    assert owners("src/onprem/a.c") == {"@contoso/everyone", "@contoso/onprem"}
    assert owners("src/onprem/vendored/z.c") == {"@contoso/everyone", "@contoso/vendor"}
    assert owners("src/onprem/README.md") == {
        "@contoso/everyone",
        "@contoso/onprem",
        "@contoso/docs",
    }
    assert owners("b.txt") == {"@contoso/everyone", "@contoso/odd"}


def test_backtracking_pattern_matches_in_linear_time() -> None:
    # Python's re takes minutes on this pair (exponential backtracking); RE2 is linear
    pattern = "*" + "a*" * 40 + "b"
    matcher = CodeOwnersMatcher(parse_codeowners(f"{pattern} @x\n"))
    started = time.perf_counter()
    assert matcher.owners("a" * 5000) == set()
    assert time.perf_counter() - started < 5


def test_gitlab_codeowners_location_and_owner_not_found_warning(
    tmp_path: Path, engine: Engine
) -> None:
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "owners",
        author=ANN,
        date="2025-08-01T10:00:00+02:00",
        files={".gitlab/CODEOWNERS": GITLAB_CODEOWNERS},
    )
    _history(engine, "server", ["src/onprem/a.c", "src/other.c", "guide.md"])
    loaded = write_config(
        tmp_path,
        """
[[git]]
name = "server"
path = "repos/server"

[[components]]
name = "OnPrem"
codeowners = ["@contoso/onprem", "@contoso/nobody"]
""",
    )
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert _mapping(engine)["OnPrem"] == {"src/onprem/a.c"}
    assert [w for w in summary.warnings if "nobody" in w] == [
        "component 'OnPrem': owner '@contoso/nobody' is in no CODEOWNERS rule "
        "(.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS of local "
        "repositories)"
    ]


def test_gitlab_source_location_maps_to_its_directory() -> None:
    gitlab = "url:https://gitlab.example/group/sub/server/-/tree/main/services/gateway/"
    assert _source_location_path(gitlab, "server") == "services/gateway"
    assert _source_location_path("url:https://gitlab.example/g/server/-/tree/v2/", "server") == ""
    assert _source_location_path("url:https://github.com/o/server/tree/main/src/x", "server") == (
        "src/x"
    )
    assert _source_location_path(gitlab, "other") is None


def test_entity_refs_resolve() -> None:
    ref = EntityRef.parse("component:payments/Gateway")
    assert ref.matches("Component", "payments", "gateway")
    assert not ref.matches("Component", "default", "gateway")
    assert not ref.matches("API", "payments", "gateway")
    assert EntityRef.parse("gateway").matches("Component", "anything", "Gateway")


def test_backstage_gitlab_location_entity_ref_and_alias_bomb(
    tmp_path: Path, engine: Engine
) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i % 20)}{i}: &n{i} [{', '.join(['*a' if i == 0 else f'*n{i - 1}'] * 9)}]\n"
        for i in range(12)
    )
    # 9**12 strings once expanded; the old code's str(doc["kind"]) expanded them
    bomb = (
        "metadata:\n  name: bomb\nspec:\n"
        + "".join("  " + line + "\n" for line in bomb.splitlines())
        + "kind: *n11\n"
    )
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "catalog",
        author=ANN,
        date="2025-08-01T10:00:00+02:00",
        files={
            "catalog-info.yaml": (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                "  name: gateway\n  namespace: payments\n  annotations:\n"
                "    backstage.io/source-location: "
                "url:https://gitlab.example/contoso/server/-/tree/main/services/gateway/\n"
            ),
            "bomb/catalog-info.yaml": bomb,
        },
    )
    _history(
        engine,
        "server",
        ["catalog-info.yaml", "services/gateway/main.go", "src/x.c", "bomb/catalog-info.yaml"],
    )
    loaded = write_config(
        tmp_path,
        """
[[git]]
name = "server"
path = "repos/server"

[[components]]
name = "Gateway"
backstage = ["component:payments/gateway"]

[[components]]
name = "Bomb"
backstage = ["bomb"]
""",
    )
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert _mapping(engine)["Gateway"] == {"services/gateway/main.go"}
    assert (
        "server:bomb/catalog-info.yaml: YAML aliases expand to over 100,000 nodes "
        "(an alias expansion bomb?), skipped"
    ) in summary.warnings
    assert "Backstage component 'bomb' not found in any catalog-info.yaml" in summary.warnings


def test_yaml_expansion_is_counted_without_expanding() -> None:
    # 99 aliases, 9 wide and 11 deep: few aliases, 9**11 nodes once expanded
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 12)]
    text = "\n".join(lines) + "\n"
    assert text.count("*") == 99
    assert _yaml_expanded_nodes(text, MAX_YAML_EXPANDED_NODES) == MAX_YAML_EXPANDED_NODES + 1
    plain = "kind: Component\nmetadata: {name: a, tags: [x, y]}\n---\nkind: API\n"
    assert _yaml_expanded_nodes(plain, MAX_YAML_EXPANDED_NODES) == 14
