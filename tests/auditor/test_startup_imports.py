"""Commands load only what they use (issue 20, point 3), checked by the modules a fresh
interpreter holds after running the command, never by timing it.

Each command runs in its own interpreter through `auditor.cli.entrypoint.main`, as the
console script does; the script then lists which of the watched modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from auditor.store.engine import make_engine
from tests.auditor.resolve_support import StoreBuilder, write_config
from tests.gitrepo import GitRepo, Who

ROOT = Path(__file__).resolve().parents[2]
WATCHED = (
    "textual",
    "jsonschema",
    "pydantic",  # the configuration models; Typer below 0.29 does not import it
    "rich",  # the consoles are made on first print
    "cryptography",  # the signing keys
    "sqlalchemy",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.orm",  # the store is Core tables: no command needs the ORM
    "holidays",
    "babel.dates",  # the CLDR month names of tracker dates
    "httpx",  # the tracker API clients
    "auditor.kernel.config",  # the pydantic configuration models
    "auditor.resolve.rebuild",  # identity and location inference
    "auditor.views.component_query",  # the TUI's other queries
    "auditor.views.findings_query",
    "auditor.report.formats.sarif",  # check's other formats
)
_RUN = """
import json, sys
sys.argv = ["auditor", *sys.argv[1:]]
from auditor.cli.entrypoint import main
try:
    main()
finally:
    watched = {watched!r}
    print(json.dumps(sorted(m for m in watched if m in sys.modules)), file=sys.stderr)
"""

CONFIG = """
[store]
url = "sqlite:///store/audit.db"

[[git]]
name = "server"
path = "repos/server"
"""


def _loaded_after(
    cwd: Path, *args: str, ok: tuple[int, ...] = (0,), watched: tuple[str, ...] = WATCHED
) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _RUN.format(watched=watched), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in ok, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    loaded = write_config(tmp_path, CONFIG)
    engine = make_engine(loaded.store_url)
    s = StoreBuilder(engine)
    repo = s.source("server")
    mia = s.git_identity("Mia Mover", "mia@corp.example")
    s.commit(repo, mia, "2025-03-03T10:00:00+01:00", {"a.c": (10, 2)})
    engine.dispose()
    return tmp_path


def test_version_and_help_load_neither_the_store_nor_the_configuration(tmp_path: Path) -> None:
    for args in (("version",), ("people", "--help"), ("check", "--help"), ("verify", "--help")):
        loaded = _loaded_after(tmp_path, *args)
        assert loaded == set(), (args, loaded)


def test_a_command_registers_only_its_own_module(tmp_path: Path) -> None:
    commands = sorted(p.stem for p in (ROOT / "auditor" / "cli" / "commands").glob("[a-z]*.py"))
    modules = tuple(f"auditor.cli.commands.{name}" for name in commands)
    verify = _loaded_after(tmp_path, "verify", "--help", watched=modules)
    assert verify == {"auditor.cli.commands.verify"}, verify
    assert _loaded_after(tmp_path, "version", watched=modules) == set()
    # the listing and "did you mean" need them all
    assert _loaded_after(tmp_path, "--help", watched=modules) == set(modules)
    assert _loaded_after(tmp_path, "peple", ok=(2,), watched=modules) == set(modules)


def test_people_on_a_resolved_store_loads_only_its_own_stages(workspace: Path) -> None:
    args = ("people", "--as-of", date(2025, 12, 31).isoformat(), "--format", "json")
    first = _loaded_after(workspace, *args)
    assert "auditor.resolve.rebuild" in first  # nothing resolved yet: the store is built
    second = _loaded_after(workspace, *args)
    # the inputs digest is unchanged: nothing is inferred again, and the people report
    # needs neither the TUI, the export schema, PostgreSQL, the other views nor Rich (the
    # JSON is written with nothing to warn about)
    assert second == {"sqlalchemy", "pydantic", "auditor.kernel.config"}, second


def test_verify_of_an_unsigned_export_loads_neither_the_store_nor_the_keys(
    workspace: Path,
) -> None:
    export = ("export", "-o", "export.json", "--from", "2025-01-01", "--to", "2025-03-31")
    assert "cryptography" not in _loaded_after(workspace, *export)  # nothing to sign
    loaded = _loaded_after(workspace, "verify", "export.json")
    # the schema and one printed line: no configuration, store, pydantic or key
    assert loaded == {"jsonschema", "rich"}, loaded


def test_check_with_nothing_new_parses_no_tracker_date(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repos" / "server")
    mia = Who("Mia Mover", "mia@corp.example")
    repo.commit("first", author=mia, date="2025-03-03T10:00:00+0100", files={"a.c": "int a;\n"})
    (tmp_path / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    args = ("check", "--as-of", "2025-03-31", "--format", "json", "-o", "check.json")
    _loaded_after(tmp_path, *args, ok=(0, 1))  # collects, resolves, analyzes
    loaded = _loaded_after(tmp_path, *args, ok=(0, 1))  # 1: a new finding
    assert not loaded & {"textual", "jsonschema", "babel.dates", "holidays", "httpx"}, loaded
    assert not loaded & {"sqlalchemy.dialects.postgresql", "auditor.resolve.rebuild"}, loaded
    assert not loaded & {"cryptography", "auditor.report.formats.sarif", "sqlalchemy.orm"}, loaded


def test_the_collector_leaves_start_up_objects_alone(tmp_path: Path) -> None:
    # (timed by benchmarks/, not here) its first pass waits for 50,000 new objects, and at
    # exit the run's objects are frozen, after a success and after an error alike
    script = (
        "import gc, json, sys\n"
        "sys.argv = ['auditor', *sys.argv[1:]]\n"
        "from auditor.cli.entrypoint import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]), file=sys.stderr)\n"
    )
    for args, status in ((("version",), 0), (("people",), 2)):  # 2: no auditor.toml here
        result = subprocess.run(
            [sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode == status, result.stderr
        first_pass, frozen = json.loads(result.stderr.splitlines()[-1])
        assert first_pass == 50_000 and frozen > 1000, (args, result.stderr)


def test_views_names_resolve_to_their_modules() -> None:
    import auditor.views as views

    assert sorted(views.__all__) == sorted(views._EXPORTS)
    for name, module in views._EXPORTS.items():
        value = getattr(views, name)
        assert value is getattr(sys.modules[f"auditor.views.{module}"], name), name
    with pytest.raises(AttributeError):
        views.no_such_query  # noqa: B018
