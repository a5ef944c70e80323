"""Components: what the organisation ships, mapped onto paths and work items.

Sources of a component's paths, all configured in `[[components]]`:

- `paths = ["repo:glob", ...]`: gitignore-style globs (pathspec's
  `GitIgnoreSpec`), relative to the root of the named `[[git]]` repository;
- `codeowners = ["@org/team", ...]`: every path whose last matching rule in a
  repository's CODEOWNERS (`.github/CODEOWNERS`, `CODEOWNERS`,
  `docs/CODEOWNERS`, the first found, as GitHub does) names one of these owners;
- `backstage = ["name", ...]`: Backstage `catalog-info.yaml` entities of
  `kind: Component` with that `metadata.name`; the component covers the
  folder its `backstage.io/source-location` annotation points to in the same
  repository, else the folder holding the catalog file.

CODEOWNERS and catalog files are read from the repository's working tree
(local `[[git]]` sources only), never executed; YAML is parsed with
`safe_load`. A file that cannot be read or parsed is skipped with a warning in
the summary rather than stopping the audit.

Matching is done once per distinct (repository, path) ever changed, not per
change, into `path_component`; a path may belong to several components.
Tracker mappings go into `work_item_component`: Jira component names, Azure
DevOps area paths (the area and everything below it) and GitHub labels, all
case-insensitive.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.enums import ApiKind, Tracker, TrackerKind
from auditor.resolve.codeowners import (
    CODEOWNERS_LOCATIONS,
    CodeOwnersMatcher,
    CodeOwnersRule,
    parse_codeowners,
)
from auditor.store import models

if TYPE_CHECKING:  # yaml and pathspec load when a catalog or a glob is read (a command's start)
    import yaml

MAX_IMPORT_BYTES = 1_000_000
_CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")

_TRACKER_OF = {k.value: k.tracker for k in (*TrackerKind, *ApiKind)}  # built-in kinds


@dataclass
class ComponentDraft:
    name: str
    sensitivity: str
    tags: list[str]
    paths: list[str]  # "repo:glob", configured and imported
    jira: list[str]
    ado_area: list[str]
    github_labels: list[str]
    origin: str = "config"
    codeowners: list[str] = field(default_factory=list)


@dataclass
class ComponentPlan:
    components: list[ComponentDraft]
    codeowners: dict[str, list[CodeOwnersRule]]  # repo name -> rules
    warnings: list[str]


def _read_small(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_IMPORT_BYTES:
            return None
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _repo_roots(loaded: LoadedConfig) -> dict[str, Path]:
    roots = {}
    for src in loaded.config.git:
        if not src.is_remote:
            roots[src.name] = Path(loaded.git_location(src))
    return roots


# `.../<repo>/tree/<ref>/<dir>/` (GitHub, Bitbucket) or `.../<repo>/-/tree/<ref>/<dir>/` (GitLab)
_SOURCE_LOCATION = re.compile(r"/([^/]+)/(?:-/)?(?:tree|blob)/[^/]+(?:/(.*))?$")
# A catalog whose aliases would expand it beyond this many nodes is an expansion attack
# ("billion laughs"), not a catalog: 100 aliases nested 9 wide already make 9**10 nodes.
MAX_YAML_EXPANDED_NODES = 100_000


def _source_location_path(annotation: str, repo_name: str) -> str | None:
    """'url:https://host/org/repo/tree/main/src/x/' → 'src/x' when it names this repository.

    GitLab's `https://host/group/repo/-/tree/main/src/x/` reads the same; a location at
    the ref itself (`.../tree/main/`) is the whole repository, ''.
    """
    match = _SOURCE_LOCATION.search(annotation.strip())
    if not match or match.group(1).removesuffix(".git") != repo_name:
        return None
    return (match.group(2) or "").strip("/")


@dataclass(frozen=True, slots=True)
class EntityRef:
    """`[kind:][namespace/]name`, as Backstage refers to entities; kind defaults to component."""

    kind: str
    namespace: str | None  # None: any namespace (a bare name)
    name: str

    @classmethod
    def parse(cls, text: str) -> EntityRef:
        kind, _, rest = text.strip().rpartition(":") if ":" in text else ("", "", text.strip())
        namespace, _, name = rest.rpartition("/")
        return cls((kind or "component").lower(), namespace.lower() or None, name.lower())

    def matches(self, kind: str, namespace: str, name: str) -> bool:
        return (
            kind.lower() == self.kind
            and name.lower() == self.name
            and (self.namespace is None or namespace.lower() == self.namespace)
        )


def _yaml_expanded_nodes(text: str, limit: int) -> int:
    """How many nodes the documents would have with every alias expanded, up to `limit + 1`.

    Composing keeps an alias as a second reference to one node, so this costs one pass
    over the file's own nodes (sizes memoised per node); no Python object is built.
    """
    import yaml

    sizes: dict[int, int] = {}
    total = 0
    for document in yaml.compose_all(text, Loader=yaml.SafeLoader):
        stack: list[tuple[yaml.Node, bool]] = [(document, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in sizes:
                continue
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            if children_done or not children:
                size = 1 + sum(sizes.get(id(c), 0) for c in children)
                sizes[id(node)] = min(size, limit + 1)
                continue
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
        total = min(total + sizes[id(document)], limit + 1)
        if total > limit:
            break
    return total


def _catalog_globs(
    conn: Connection, roots: dict[str, Path], wanted: set[str], warnings: list[str]
) -> dict[str, list[str]]:
    """Backstage component name (lower-case) -> ["repo:glob", ...]."""
    found: dict[str, list[str]] = defaultdict(list)
    if not wanted:
        return found
    import yaml

    src, path, fc, commit = (
        m for m in (models.Source, models.Path, models.FileChange, models.Commit)
    )
    for repo, root in sorted(roots.items()):
        names = {str(PurePosixPath(n)) for n in _CATALOG_NAMES}
        candidates = set(names)
        query = (
            select(path.c.path)
            .distinct()
            .select_from(
                path.join(fc, fc.c.path_id == path.c.id)
                .join(commit, commit.c.id == fc.c.commit_id)
                .join(src, src.c.id == commit.c.source_id)
            )
            .where(src.c.name == repo, path.c.path.like("%catalog-info.y%ml"))
        )
        candidates |= {p for (p,) in conn.execute(query)}
        for relative in sorted(candidates):
            file = root / relative
            text = _read_small(file)
            if text is None:
                continue
            try:
                if _yaml_expanded_nodes(text, MAX_YAML_EXPANDED_NODES) > MAX_YAML_EXPANDED_NODES:
                    warnings.append(
                        f"{repo}:{relative}: YAML aliases expand to over "
                        f"{MAX_YAML_EXPANDED_NODES:,} nodes (an alias expansion bomb?), skipped"
                    )
                    continue
                documents = list(yaml.safe_load_all(text))
            except RecursionError:
                warnings.append(f"{repo}:{relative}: YAML nested too deeply, skipped")
                continue
            except yaml.YAMLError as exc:
                warnings.append(
                    f"{repo}:{relative}: not valid YAML, skipped ({exc.__class__.__name__})"
                )
                continue
            folder = str(PurePosixPath(relative).parent)
            for doc in documents:
                glob = _catalog_glob(doc, repo, folder)
                if glob is None:
                    continue
                namespace, name, pattern = glob
                for ref in wanted:
                    if EntityRef.parse(ref).matches("component", namespace, name):
                        found[ref].append(f"{repo}:{pattern}")
    return found


def _catalog_glob(doc: Any, repo: str, folder: str) -> tuple[str, str, str] | None:
    """(namespace, name, glob) of a Component entity; anything not a string is ignored."""
    if not isinstance(doc, dict):
        return None
    kind = doc.get("kind")
    if not isinstance(kind, str) or kind.lower() != "component":
        return None
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        return None
    namespace = metadata.get("namespace")
    namespace = namespace if isinstance(namespace, str) and namespace else "default"
    annotations = metadata.get("annotations")
    target = None
    if isinstance(annotations, dict):
        location = annotations.get("backstage.io/source-location")
        if isinstance(location, str):
            target = _source_location_path(location, repo)
    if target is None:
        target = "" if folder in ("", ".") else folder
    return namespace, metadata["name"], (f"/{_glob_escape(target)}/**" if target else "/**")


def _glob_escape(folder: str) -> str:
    """A folder name from a repository as a literal gitignore path (no wildcards of its own)."""
    return re.sub(r"([*?\[\]!\\])", r"\\\1", folder)


def plan_components(loaded: LoadedConfig, conn: Connection) -> ComponentPlan:
    """Configured components plus the paths their CODEOWNERS / Backstage imports add."""
    warnings: list[str] = []
    roots = _repo_roots(loaded)
    codeowners: dict[str, list[CodeOwnersRule]] = {}
    wants_codeowners = any(c.codeowners for c in loaded.config.components)
    if wants_codeowners:
        for repo, root in sorted(roots.items()):
            for relative in CODEOWNERS_LOCATIONS:
                text = _read_small(root / relative)
                if text is not None:
                    codeowners[repo] = parse_codeowners(text)
                    break
        known_owners = {o for rules in codeowners.values() for r in rules for o in r.owners}
        for comp in loaded.config.components:
            for owner in comp.codeowners:
                if owner.lower() not in known_owners:
                    warnings.append(
                        f"component {comp.name!r}: owner {owner!r} is in no CODEOWNERS rule "
                        f"({', '.join(CODEOWNERS_LOCATIONS)} of local repositories)"
                    )
    wanted_catalog = {n.strip().lower() for c in loaded.config.components for n in c.backstage}
    catalog = _catalog_globs(conn, roots, wanted_catalog, warnings)
    for name in sorted(wanted_catalog - set(catalog)):
        warnings.append(f"Backstage component {name!r} not found in any catalog-info.yaml")
    drafts = []
    for comp in loaded.config.components:
        paths = list(comp.paths)
        origin = "config"
        for name in comp.backstage:
            paths += [p for p in catalog.get(name.strip().lower(), []) if p not in paths]
            origin = "backstage" if not comp.paths else origin
        if comp.codeowners and not comp.paths and not comp.backstage:
            origin = "codeowners"
        drafts.append(
            ComponentDraft(
                name=comp.name,
                sensitivity=comp.sensitivity,
                tags=list(comp.tags),
                paths=paths,
                jira=list(comp.jira),
                ado_area=list(comp.ado_area),
                github_labels=list(comp.github),
                origin=origin,
                codeowners=[o.lower() for o in comp.codeowners],
            )
        )
    return ComponentPlan(drafts, codeowners, warnings)


def _git_sources(conn: Connection) -> dict[str, int]:
    src = models.Source
    return {
        name: sid
        for sid, name in conn.execute(select(src.c.id, src.c.name).where(src.c.kind == "git"))
    }


@dataclass(frozen=True)
class ChangedPaths:
    """Every distinct (git source, path) ever changed, with its churn outside merge commits."""

    by_source: dict[int, list[tuple[int, str]]]  # source id -> [(path id, path)]
    churn: dict[tuple[int, int], int]  # (source id, path id) -> added + deleted lines


def changed_paths(conn: Connection) -> ChangedPaths:
    """One pass over file changes for all sources; serves both path mapping and coverage.

    One grouped query rather than one per source (each joins every file change
    again: 50 repositories, 50 passes) plus another for coverage.
    """
    path, fc, commit = models.Path, models.FileChange, models.Commit
    churn_expr = case(
        (commit.c.is_merge, 0), else_=func.coalesce(fc.c.added, 0) + func.coalesce(fc.c.deleted, 0)
    )
    rows = conn.execute(
        select(commit.c.source_id, fc.c.path_id, func.sum(churn_expr))
        .join(commit, commit.c.id == fc.c.commit_id)
        .group_by(commit.c.source_id, fc.c.path_id)
    ).all()
    churn = {(int(s), int(p)): int(n or 0) for s, p, n in rows}
    wanted = {p for _, p in churn}
    names = {int(i): str(t) for i, t in conn.execute(select(path.c.id, path.c.path)) if i in wanted}
    by_source: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for source_id, path_id in sorted(churn):
        by_source[source_id].append((path_id, names[path_id]))
    return ChangedPaths(dict(by_source), churn)


def map_paths(
    conn: Connection,
    plan: ComponentPlan,
    component_ids: dict[str, int],
    changed: ChangedPaths | None = None,
) -> list[dict[str, int]]:
    """`path_component` rows: each distinct changed path of each git source matched once."""
    import pathspec

    rows: list[dict[str, int]] = []
    for repo, source_id in sorted(_git_sources(conn).items()):
        specs: list[tuple[int, pathspec.PathSpec]] = []
        for comp in plan.components:
            globs = [g for r, _, g in (p.partition(":") for p in comp.paths) if r == repo]
            if globs:
                spec = pathspec.GitIgnoreSpec.from_lines(globs, backend="re2")
                specs.append((component_ids[comp.name], spec))
        owned: list[tuple[int, set[str]]] = [
            (component_ids[c.name], set(c.codeowners)) for c in plan.components if c.codeowners
        ]
        rules = plan.codeowners.get(repo, [])
        owners_of = CodeOwnersMatcher(rules) if rules and owned else None
        if not specs and owners_of is None:
            continue
        if changed is None:
            changed = changed_paths(conn)
        for path_id, path in changed.by_source.get(source_id, []):
            matched = {cid for cid, spec in specs if spec.match_file(path)}
            if owners_of is not None:
                owners = owners_of.owners(path)
                if owners:
                    matched |= {cid for cid, wanted in owned if owners & wanted}
            rows += [
                {"source_id": source_id, "path_id": path_id, "component_id": cid}
                for cid in sorted(matched)
            ]
    return rows


def unmatched_globs(
    conn: Connection,
    plan: ComponentPlan,
    component_ids: dict[str, int],
    path_rows: Sequence[dict[str, int]],
    changed: ChangedPaths,
) -> list[str]:
    """A warning per component glob that matches no changed path of its repository.

    A path a glob matches is mapped to the glob's component, so each glob is tried
    only on the paths its component got (few), never on the whole history.
    """
    import pathspec

    sources = _git_sources(conn)
    names = {sid: {pid: path for pid, path in paths} for sid, paths in changed.by_source.items()}
    mapped: dict[tuple[int, int], list[str]] = defaultdict(list)  # (component, source) -> paths
    for row in path_rows:
        path = names.get(row["source_id"], {}).get(row["path_id"])
        if path is not None:
            mapped[(row["component_id"], row["source_id"])].append(path)
    lines = []
    for comp in plan.components:
        for entry in comp.paths:
            repo, _, glob = entry.partition(":")
            if glob.startswith("!") or repo not in sources:
                continue  # an exclusion matches nothing by design; unknown repos: config's job
            spec = pathspec.GitIgnoreSpec.from_lines([glob])
            candidates = mapped.get((component_ids[comp.name], sources[repo]), [])
            if not any(spec.match_file(path) for path in candidates):
                lines.append(f"component {comp.name!r}: glob {entry!r} matches no path")
    return lines


def _norm_area(value: str) -> str:
    return "\\".join(p.strip() for p in value.replace("/", "\\").split("\\") if p.strip()).lower()


def map_work_items(
    conn: Connection, components: Sequence[ComponentDraft], component_ids: dict[str, int]
) -> list[dict[str, int]]:
    """`work_item_component` rows from Jira components, ADO area paths and GitHub labels."""
    wi, src = models.WorkItem, models.Source
    jira: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, set[int]] = defaultdict(set)
    areas: list[tuple[str, int]] = []
    for comp in components:
        cid = component_ids[comp.name]
        for name in comp.jira:
            jira[name.strip().lower()].add(cid)
        for label in comp.github_labels:
            labels[label.strip().lower()].add(cid)
        areas += [(_norm_area(a), cid) for a in comp.ado_area if _norm_area(a)]
    if not (jira or labels or areas):
        return []
    rows = []
    query = select(wi.c.id, src.c.kind, wi.c.components, wi.c.labels, wi.c.area_path).join(
        src, src.c.id == wi.c.source_id
    )
    for item_id, kind, comps, item_labels, area in conn.execute(query):
        matched: set[int] = set()
        tracker = _TRACKER_OF.get(kind)
        if tracker == Tracker.JIRA:
            for name in comps or []:
                matched |= jira.get(str(name).strip().lower(), set())
        elif tracker == Tracker.ADO:
            if area:
                norm = _norm_area(area)
                matched |= {cid for a, cid in areas if norm == a or norm.startswith(a + "\\")}
        elif tracker in (Tracker.GITHUB, Tracker.GITLAB):  # labels are labels
            for label in item_labels or []:
                matched |= labels.get(str(label).strip().lower(), set())
        rows += [{"work_item_id": item_id, "component_id": cid} for cid in sorted(matched)]
    return rows


@dataclass(frozen=True, slots=True)
class Coverage:
    """Churn (added + deleted lines) of non-merge commits, and the part on mapped paths."""

    total_churn: int
    mapped_churn: int

    @property
    def unmapped_churn(self) -> int:
        return self.total_churn - self.mapped_churn

    @property
    def ratio(self) -> float:
        return self.mapped_churn / self.total_churn if self.total_churn else 1.0


def coverage_of(changed: ChangedPaths, path_rows: Sequence[dict[str, int]]) -> Coverage:
    """`coverage` from the changed paths' churn and the `path_component` rows just built."""
    mapped = {(r["source_id"], r["path_id"]) for r in path_rows}
    total = sum(changed.churn.values())
    return Coverage(total, sum(n for pair, n in changed.churn.items() if pair in mapped))
