"""Dependencies point one way, down the stages (docs/architecture.md).

Every import statement of the product, lazy ones inside functions and `TYPE_CHECKING`
blocks included, is read from the source (the textual-boundary test in tests/tui checks
`sys.modules` the same way for textual): a module may import its own stage and the stages
below it, never one above. Collectors and rules import only the kernel, and the kernel
imports nothing of the product but itself.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("auditor", "collectors", "rules", "tui")

# lowest first; each stage may import the ones before it
STAGES = (
    "auditor.kernel",
    "collectors",
    "rules",
    "auditor.store",
    "auditor.ingest",
    "auditor.resolve",
    "auditor.evaluate",
    "auditor.report",
    "auditor.views",
    "auditor.audit_export",
    "tui",
    "auditor.cli",
)
# `auditor/__init__.py` holds only the version; `python -m auditor` starts the CLI
PLACED = {"auditor": "auditor.kernel", "auditor.__main__": "auditor.cli"}
KERNEL_ONLY = ("collectors", "rules", "auditor.kernel")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _stage(module: str) -> str:
    if module in PLACED:
        return PLACED[module]
    for stage in sorted(STAGES, key=len, reverse=True):
        if module == stage or module.startswith(stage + "."):
            return stage
    raise AssertionError(f"{module} belongs to no stage: add it to one in docs/architecture.md")


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Product modules `module` imports (`from package import submodule` names the submodule)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _violations(allowed: dict[str, set[str]]) -> list[str]:
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        stage = _stage(module)
        for imported in sorted(_imports(module, path, modules)):
            if _stage(imported) not in allowed[stage]:
                wrong.append(f"{module} ({stage}) imports {imported} ({_stage(imported)})")
    return wrong


def test_every_module_has_a_stage() -> None:
    stages = {_stage(module) for module in _modules()}
    assert stages == set(STAGES)


def test_imports_point_down_the_stages() -> None:
    allowed = {stage: set(STAGES[: index + 1]) for index, stage in enumerate(STAGES)}
    assert _violations(allowed) == []


def test_collectors_and_rules_import_only_the_kernel() -> None:
    allowed = {stage: set(STAGES) for stage in STAGES}
    for stage in KERNEL_ONLY:
        allowed[stage] = {stage, "auditor.kernel"}
    assert _violations(allowed) == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    # the reader itself: a kernel module importing the store is reported
    path = tmp_path / "config.py"
    path.write_text("def f():\n    from auditor.store.engine import upsert\n", "utf-8")
    modules = _modules()
    imported = _imports("auditor.kernel.config", path, modules)
    assert imported == {"auditor.store.engine"}
    assert _stage("auditor.store.engine") not in set(STAGES[:1])


def _distribution(name: str) -> str:
    """The normalised name (PEP 503) of a requirement or distribution."""
    bare = re.split(r"[\s<>=!~\[;]", name, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def test_runtime_dependencies_are_what_the_product_imports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {_distribution(d) for d in project["dependencies"]}
    optional = {_distribution(d) for d in project["optional-dependencies"]["postgres"]}
    by_import = importlib.metadata.packages_distributions()
    imported: set[str] = set()
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in PACKAGES or top == "sample_repos":
                    continue
                imported.update(_distribution(d) for d in by_import.get(top, [top]))
    assert imported - optional == declared
