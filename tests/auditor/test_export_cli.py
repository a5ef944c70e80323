"""`auditor export` and `auditor verify` end to end: real analysis, files, exit statuses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Connection
from typer.testing import CliRunner, Result

from auditor.audit_export.pseudonym import KEY_ENV
from auditor.audit_export.verify import load_document, verify_document
from auditor.cli.entrypoint import app
from auditor.kernel.config import LoadedConfig
from auditor.kernel.errors import AuditorError
from auditor.store.engine import make_engine
from tests.auditor.export_support import PEOPLE, build_store

KEY = "cli-test-key-0123456789"


@pytest.fixture
def workspace(tmp_path: Path) -> LoadedConfig:
    from auditor.kernel.config import load_config

    (tmp_path / "auditor.toml").write_text("", encoding="utf-8")
    engine = make_engine(load_config(tmp_path / "auditor.toml").store_url)
    try:
        return build_store(engine, tmp_path)
    finally:
        engine.dispose()


def run_export(loaded: LoadedConfig, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(app, ["export", "--config", str(loaded.path), *args])


def auditor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point, for exit statuses (CliRunner does not map errors to status 2)."""
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "400", **(env or {})},
        check=False,
    )


def test_export_runs_the_analysis_and_verifies(workspace: LoadedConfig, tmp_path: Path) -> None:
    out, summary = tmp_path / "q3.json", tmp_path / "q3.md"
    result = run_export(workspace, "--period", "2026-Q3", "-o", str(out), "--summary", str(summary))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    document = load_document(out)
    assert verify_document(document) == []
    rules = {f["rule"] for f in document["findings"]}
    assert "PV102" in rules  # Chen (roster CN) maintains the critical OnPrem component
    assert summary.read_text("utf-8").startswith("# Provenance audit 2026-07-01 – 2026-09-30")
    again = tmp_path / "again.json"
    assert run_export(workspace, "--period", "2026-Q3", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_from_to_and_previous(workspace: LoadedConfig, tmp_path: Path) -> None:
    q2, q3 = tmp_path / "q2.json", tmp_path / "q3.json"
    assert (
        run_export(workspace, "--from", "2026-04-01", "--to", "2026-06-30", "-o", str(q2)).exit_code
        == 0
    )
    result = run_export(workspace, "--period", "2026-Q3", "--previous", str(q2), "-o", str(q3))
    assert result.exit_code == 0, result.output
    document = load_document(q3)
    assert document["period"]["previous"]["sha256"] == load_document(q2)["integrity"]["sha256"]
    assert {f["status"] for f in document["findings"]} <= {"new", "persisting", "resolved"}


def test_pseudonymize_with_key_from_environment_or_file(
    workspace: LoadedConfig, tmp_path: Path
) -> None:
    by_env, by_file = tmp_path / "env.json", tmp_path / "file.json"
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    result = run_export(
        workspace, "--period", "2026-Q3", "--pseudonymize", "-o", str(by_env), env={KEY_ENV: KEY}
    )
    assert result.exit_code == 0, result.output
    result = run_export(
        workspace,
        "--period",
        "2026-Q3",
        "--pseudonymize",
        "--key-file",
        str(key_file),
        "-o",
        str(by_file),
    )
    assert result.exit_code == 0, result.output
    assert by_env.read_bytes() == by_file.read_bytes()
    data = by_env.read_bytes().decode("utf-8").casefold()
    for name, email in PEOPLE.items():
        assert name.casefold() not in data and email.casefold() not in data
    document = load_document(by_env)
    # Rules record the person a finding is about; the export names them by pseudonym.
    about = [f["data"]["person"] for f in document["findings"] if "person" in f["data"]]
    assert about and all(re.fullmatch(r"P-[0-9a-f]{16}", p) for p in about)
    assert set(about) <= {p["id"] for p in document["people"]["entries"]}
    assert {f["subject"] for f in document["findings"] if "person" in f["data"]} == set(about)


def test_usage_errors_name_the_option(workspace: LoadedConfig, tmp_path: Path) -> None:
    out = str(tmp_path / "x.json")
    no_key = {KEY_ENV: ""}
    cases = [
        (["--period", "2026-Q5"], "--period wants a quarter"),
        (["--period", "2026-Q3", "--from", "2026-01-01"], "not both"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "before --from"),
        (["--period", "2026-Q3", "--pseudonymize"], KEY_ENV),
        (["--period", "2026-Q3", "--pseudonymize", "--key-file", out], "cannot read"),
        (["--period", "2026-Q3", "--as-of", "2026-09-01"], "before the end of the period"),
        (["--period", "2026-Q3", "--previous", str(workspace.path)], "not JSON"),
    ]
    for args, message in cases:
        result = run_export(workspace, "-o", out, *args, env=no_key)
        # `auditor.cli.entrypoint.main` turns these into one line on stderr and exit status 2.
        assert isinstance(result.exception, AuditorError), (args, result.output)
        assert message in str(result.exception), (args, str(result.exception))
    assert not (tmp_path / "x.json").exists()
    status = auditor("export", "-c", str(workspace.path), "-o", out, "--period", "2026-Q5")
    assert status.returncode == 2 and "--period wants a quarter" in status.stderr


def test_verify_exit_statuses(workspace: LoadedConfig, tmp_path: Path) -> None:
    out = tmp_path / "q3.json"
    assert run_export(workspace, "--period", "2026-Q3", "-o", str(out)).exit_code == 0
    ok = auditor("verify", str(out))
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stderr

    document = json.loads(out.read_text("utf-8"))
    document["components"][0]["activity"]["churn"] += 1
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document, indent=2), encoding="utf-8")
    failed = auditor("verify", str(tampered))
    assert failed.returncode == 1
    assert "integrity mismatch" in failed.stderr

    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"{not json")
    unreadable = auditor("verify", str(garbage))
    assert unreadable.returncode == 2
    assert "garbage.json:1: not JSON" in unreadable.stderr
    missing = auditor("verify", str(tmp_path / "missing.json"))
    assert missing.returncode == 2


def test_verify_prints_a_file_name_with_emoji_codes_as_it_is(
    workspace: LoadedConfig, tmp_path: Path
) -> None:
    # Rich replaces ":warning:" with an emoji even with markup=False, unless told not to
    out = tmp_path / "q3:warning::smile:.json"
    assert run_export(workspace, "--period", "2026-Q3", "-o", str(out)).exit_code == 0
    tampered = tmp_path / "t:x:.json"
    tampered.write_text(out.read_text("utf-8").replace('"churn": ', '"churn": 1'), "utf-8")
    ok, failed = auditor("verify", str(out)), auditor("verify", str(tampered))
    assert ok.returncode == 0 and f"{out}: OK" in ok.stdout, ok.stdout
    assert failed.returncode == 1 and f"{tampered}: FAILED" in failed.stderr, failed.stderr


def test_export_does_not_replace_the_latest_analysis(
    workspace: LoadedConfig, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from auditor.store import models
    from auditor.views import latest_run_id

    result = CliRunner().invoke(
        app, ["analyze", "--config", str(workspace.path), "--as-of", "2026-06-30"]
    )
    assert result.exit_code in (0, 1), result.output
    engine = make_engine(workspace.store_url)
    try:
        with engine.connect() as conn:
            before = latest_run_id(conn)
            located = resolution(conn)
        assert before is not None
        out = tmp_path / "q3.json"
        assert run_export(workspace, "--period", "2026-Q3", "-o", str(out)).exit_code == 0
        runs = models.Run
        with engine.connect() as conn:
            assert latest_run_id(conn) == before
            # People and locations shown with it are resolved as of its day again, not Q3's end.
            assert resolution(conn) == located
            kinds = conn.execute(select(runs.c.kind, runs.c.as_of).order_by(runs.c.id)).all()
    finally:
        engine.dispose()
    # The export's quarter-end analysis is kept, under its own kind.
    assert [(str(k), str(d)) for k, d in kinds][-1] == ("export", "2026-09-30")


def resolution(conn: Connection) -> list[str]:
    from sqlalchemy import select

    from auditor.store import models
    from auditor.store.resolutions import default_selection

    # What the views show: the rows of the latest analysis's resolution.
    shown = default_selection(conn).resolution_id
    rows: list[str] = []
    for model in (models.LocationEvidence, models.ResolvedLocation):
        query = select(model).where(model.c.resolution_id == shown)
        rows += sorted(map(repr, map(tuple, conn.execute(query).all())))
    return rows
