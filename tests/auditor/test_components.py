"""Components: globs (gitignore semantics), CODEOWNERS, Backstage, tracker mappings, coverage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from auditor.resolve.components import parse_codeowners
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from tests.auditor.resolve_support import StoreBuilder, write_config
from tests.gitrepo import GitRepo, Who

ANN = Who("Ann", "ann@corp.example")


def _mapping(engine: Engine) -> dict[str, set[str]]:
    pc, comp, path = models.PathComponent, models.Component, models.Path
    with engine.connect() as conn:
        rows = conn.execute(
            select(comp.c.name, path.c.path)
            .join(pc, pc.c.component_id == comp.c.id)
            .join(path, path.c.id == pc.c.path_id)
        ).all()
    out: dict[str, set[str]] = {}
    for name, p in rows:
        out.setdefault(name, set()).add(p)
    return out


def _history(engine: Engine, repo_name: str, paths: list[str]) -> StoreBuilder:
    s = StoreBuilder(engine)
    src = s.source(repo_name)
    ann = s.git_identity(ANN.name, ANN.email)
    for index, p in enumerate(paths):
        s.commit(src, ann, f"2025-08-{index % 28 + 1:02d}T10:00:00+02:00", {p: (3, 1)})
        s.commit(src, ann, f"2025-09-{index % 28 + 1:02d}T10:00:00+02:00", {p: (1, 1)})
    return s


def test_globs_have_gitignore_semantics(tmp_path: Path, engine: Engine) -> None:
    _history(
        engine,
        "server",
        [
            "src/onprem/auth/ntlm.c",
            "src/onprem/README.md",
            "lib/src/onprem/x.c",
            "docs/guide.md",
            "tools/build.py",
            "README.md",
        ],
    )
    loaded = write_config(
        tmp_path,
        """
[[git]]
name = "server"
path = "repos/server"

[[components]]
name = "OnPrem"
paths = ["server:src/onprem/**"]

[[components]]
name = "Docs"
paths = ["server:*.md", "server:/docs/"]
""",
    )
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    mapping = _mapping(engine)
    assert mapping["OnPrem"] == {"src/onprem/auth/ntlm.c", "src/onprem/README.md"}
    assert mapping["Docs"] == {"src/onprem/README.md", "docs/guide.md", "README.md"}
    assert summary.mapped_paths == 4  # a path in two components is one mapped path
    # tools/build.py and lib/src/onprem/x.c: 2 paths × (4 + 2) lines unmapped.
    assert (summary.total_churn, summary.unmapped_churn) == (36, 12)


def test_codeowners_last_match_wins(tmp_path: Path, engine: Engine) -> None:
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "owners",
        author=ANN,
        date="2025-08-01T10:00:00+02:00",
        files={
            ".github/CODEOWNERS": (
                "# comment\n"
                "*            @contoso/everyone\n"
                "/src/onprem/ @contoso/onprem-team   # inline comment\n"
                "/src/onprem/public/ @contoso/web\n"
                "*.md\n"
            ),
        },
    )
    _history(
        engine,
        "server",
        [
            "src/onprem/a.c",
            "src/onprem/public/page.c",
            "src/onprem/NOTES.md",
            "src/other.c",
        ],
    )
    loaded = write_config(
        tmp_path,
        """
[[git]]
name = "server"
path = "repos/server"

[[components]]
name = "OnPrem"
sensitivity = "critical"
codeowners = ["@Contoso/OnPrem-Team"]

[[components]]
name = "Everything"
codeowners = ["@contoso/everyone"]
""",
    )
    resolve_all(engine, loaded, date(2025, 12, 31))
    mapping = _mapping(engine)
    assert mapping["OnPrem"] == {"src/onprem/a.c"}
    assert mapping["Everything"] == {"src/other.c"}
    comp = models.Component
    with engine.connect() as conn:
        assert conn.execute(select(comp.c.origin).where(comp.c.name == "OnPrem")).scalar() == (
            "codeowners"
        )


def test_parse_codeowners_keeps_escaped_hash_and_empty_owner_lines() -> None:
    rules = parse_codeowners("\\#notes.txt @a\n\n/docs/   \n# x\n*.c @b @C\n")
    assert [(r.pattern, r.owners, r.line) for r in rules] == [
        ("#notes.txt", ("@a",), 1),
        ("/docs/", (), 3),
        ("*.c", ("@b", "@c"), 5),
    ]


def test_backstage_catalog_folder_and_source_location(tmp_path: Path, engine: Engine) -> None:
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "catalog",
        author=ANN,
        date="2025-08-01T10:00:00+02:00",
        files={
            "services/gateway/catalog-info.yaml": (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
                "metadata:\n  name: gateway\nspec:\n  owner: team-a\n  lifecycle: production\n"
            ),
            "catalog-info.yaml": (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: onprem\n"
                "  annotations:\n    backstage.io/source-location: "
                "url:https://github.com/contoso/server/tree/main/src/onprem/\n"
                "---\nkind: API\nmetadata:\n  name: onprem\n"
            ),
            "bad/catalog-info.yaml": "kind: [unclosed\n",
        },
    )
    _history(
        engine,
        "server",
        [
            "services/gateway/catalog-info.yaml",
            "services/gateway/main.go",
            "src/onprem/x.c",
            "src/other.c",
            "bad/catalog-info.yaml",
        ],
    )
    loaded = write_config(
        tmp_path,
        """
[[git]]
name = "server"
path = "repos/server"

[[components]]
name = "Gateway OnPrem"
backstage = ["gateway"]

[[components]]
name = "OnPrem"
backstage = ["onprem", "missing"]
""",
    )
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    mapping = _mapping(engine)
    assert mapping["Gateway OnPrem"] == {
        "services/gateway/catalog-info.yaml",
        "services/gateway/main.go",
    }
    assert mapping["OnPrem"] == {"src/onprem/x.c"}
    assert any("bad/catalog-info.yaml" in w for w in summary.warnings)
    assert any("'missing'" in w for w in summary.warnings)


def test_work_items_map_by_jira_component_ado_area_and_github_label(
    tmp_path: Path, engine: Engine
) -> None:
    s = StoreBuilder(engine)
    jira = s.source("jira.csv", kind="jira-csv")
    ado = s.source("ado.csv", kind="ado-csv")
    gh = s.source("github.json", kind="github-json")
    items = {
        "SPO-1": s.work_item(jira, "SPO-1", components=["onprem", "Auth"]),
        "SPO-2": s.work_item(jira, "SPO-2", components=["Cloud"], labels=["OnPrem"]),
        "1": s.work_item(ado, "1", area_path="Contoso\\Collab\\OnPrem"),
        "2": s.work_item(ado, "2", area_path="contoso\\collab\\onprem\\Farm"),
        "3": s.work_item(ado, "3", area_path="Contoso\\Collab\\OnPremises"),
        "gh#4": s.work_item(gh, "gh#4", labels=["area/onprem"]),
        "gh#5": s.work_item(gh, "gh#5", components=["OnPrem"]),
    }
    loaded = write_config(
        tmp_path,
        """
[[components]]
name = "OnPrem"
jira = ["OnPrem"]
ado_area = ['Contoso\\Collab\\OnPrem']
github = ["area/onprem"]
""",
    )
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    wic = models.WorkItemComponent
    with engine.connect() as conn:
        mapped = {r for (r,) in conn.execute(select(wic.c.work_item_id))}
    assert mapped == {items[k] for k in ("SPO-1", "1", "2", "gh#4")}
    assert summary.mapped_work_items == 4
