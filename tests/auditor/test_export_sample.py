"""The export on the sample organisation: two consecutive quarters, pseudonymized and plain.

In the sample history the on-prem core's top maintainer changes from Wei Zhang
(2026-Q2) to Li Na (2026-Q3) while the rest of the Shanghai scenario persists,
so the Q3 export against Q2 has every status: new, persisting and resolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from auditor.audit_export.pseudonym import KEY_ENV, Pseudonymizer
from auditor.audit_export.summary import render_summary
from auditor.audit_export.verify import load_document, schema, verify_document
from auditor.cli.entrypoint import app
from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.store import models
from auditor.store.engine import make_engine
from sample_repos.spec import BOT_EMAIL, BOT_NAME, ENGINEERS

KEY = "sample-org-export-key-2026"


@pytest.fixture(scope="module")
def exports(sample_workspace: Path) -> Iterator[dict[str, Any]]:
    """Q2 and Q3 exports, plain and pseudonymized, from one collected store of our own."""
    text = (sample_workspace / "auditor.toml").read_text("utf-8")
    config = sample_workspace / "auditor-export-test.toml"
    config.write_text(
        text.replace('url = "sqlite:///.auditor/audit.db"', 'url = "sqlite:///.auditor/export.db"'),
        encoding="utf-8",
    )
    loaded = load_config(config)
    engine = make_engine(loaded.store_url)
    collect_all(loaded, engine)
    out = sample_workspace / "export-test"
    out.mkdir(exist_ok=True)
    runner = CliRunner(env={KEY_ENV: KEY})
    files: dict[str, Any] = {"dir": out, "config": config}
    for mode, extra in (("plain", []), ("pseudo", ["--pseudonymize"])):
        q2, q3 = out / f"{mode}-q2.json", out / f"{mode}-q3.json"
        for args in (
            ["--period", "2026-Q2", "-o", str(q2)],
            ["--period", "2026-Q3", "--previous", str(q2), "-o", str(q3)],
        ):
            result = runner.invoke(app, ["export", "-c", str(config), *extra, *args])
            assert result.exit_code == 0, result.output
        files[mode] = (load_document(q2), load_document(q3))
        files[f"{mode}-paths"] = (q2, q3)
    with engine.connect() as conn:
        ident = models.Identity
        files["identities"] = [
            value
            for row in conn.execute(
                select(ident.c.key, ident.c.name, ident.c.email, ident.c.mapped_name, ident.c.login)
            )
            for value in row
            if value
        ]
    engine.dispose()
    yield files


def test_sample_exports_verify_against_the_schema(exports: dict[str, Any]) -> None:
    for document in (*exports["plain"], *exports["pseudo"]):
        jsonschema.validate(document, schema(3), cls=jsonschema.Draft202012Validator)
        assert verify_document(document) == []
    q3 = exports["plain"][1]
    onprem = next(c for c in q3["components"] if c["name"] == "Collab OnPrem")
    cn = next(j for j in onprem["jurisdictions"] if j["country"] == "CN")
    assert cn["share_min"] > 0.25 and cn["share_min"] <= cn["share_max"]
    assert {s["name"] for s in q3["sources"]} >= {"collab-server", "collab-gateway", "roster.csv"}


def test_quarter_diff_on_consecutive_quarters(exports: dict[str, Any]) -> None:
    for mode in ("plain", "pseudo"):
        q2, q3 = exports[mode]
        assert {f["status"] for f in q2["findings"]} == {"new"}
        assert q3["period"]["previous"]["sha256"] == q2["integrity"]["sha256"]
        changed = [f for f in q3["findings"] if f["status"] != "persisting"]
        assert [(f["status"], f["rule"], f["component"]) for f in changed] == [
            ("new", "PV102", "Collab OnPrem"),
            ("resolved", "PV102", "Collab OnPrem"),
        ]
        persisting = {f["fingerprint"] for f in q3["findings"] if f["status"] == "persisting"}
        assert persisting == {f["fingerprint"] for f in q2["findings"]} - {
            changed[1]["fingerprint"]
        }
        assert len(persisting) >= 10
    plain_q3 = exports["plain"][1]
    new, resolved = (
        next(f for f in plain_q3["findings"] if f["status"] == s) for s in ("new", "resolved")
    )
    assert (new["subject"], resolved["subject"]) == ("Li Na", "Wei Zhang")


def test_pseudonymized_exports_name_nobody(exports: dict[str, Any]) -> None:
    spec_strings = [BOT_NAME, BOT_EMAIL]
    for person in ENGINEERS:
        spec_strings += [person.name, person.email, person.jira_account]
        spec_strings += [person.github_login or "", *(person.alias or ())]
    # Every name, e-mail, login and identity key the store holds, as a whole word.
    stored = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(v.casefold()) for v in exports["identities"] if len(v) >= 4)
        + r")(?!\w)"
    )
    for path in exports["pseudo-paths"]:
        data = path.read_bytes().decode("utf-8").casefold()
        for value in spec_strings:
            if value:
                assert value.casefold() not in data, (path.name, value)
        leak = stored.search(data)
        assert leak is None, (path.name, leak and leak.group(0))
        assert "@" not in data


def test_same_key_same_pseudonyms_across_quarters(exports: dict[str, Any]) -> None:
    pseudonymizer = Pseudonymizer(KEY.encode())
    plain_q2, plain_q3 = exports["plain"]
    pseudo_q2, pseudo_q3 = exports["pseudo"]
    for plain, pseudo in ((plain_q2, pseudo_q2), (plain_q3, pseudo_q3)):
        assert {pseudonymizer.person(p["id"]) for p in plain["people"]["entries"]} == {
            p["id"] for p in pseudo["people"]["entries"]
        }
    both = {p["id"] for p in pseudo_q2["people"]["entries"]} & {
        p["id"] for p in pseudo_q3["people"]["entries"]
    }
    assert len(both) >= 10  # the same engineers, recognisable in both quarters
    new = next(f for f in pseudo_q3["findings"] if f["status"] == "new")
    plain_new = next(f for f in plain_q3["findings"] if f["status"] == "new")
    assert new["subject"] == pseudonymizer.person(plain_new["data"]["person"])


def test_repeat_export_is_byte_identical(exports: dict[str, Any]) -> None:
    q2, q3 = exports["pseudo-paths"]
    again = exports["dir"] / "again-q3.json"
    result = CliRunner(env={KEY_ENV: KEY}).invoke(
        app,
        [
            *("export", "-c", str(exports["config"]), "--pseudonymize", "--period", "2026-Q3"),
            *("--previous", str(q2), "-o", str(again)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == q3.read_bytes()


def test_summary_of_the_sample_quarter(exports: dict[str, Any]) -> None:
    q2, q3 = exports["plain"]
    text = render_summary(q3, q2)
    persisting = sum(1 for f in q3["findings"] if f["status"] == "persisting")
    assert f"- Against the previous export: 1 new, {persisting} persisting, 1 resolved" in text
    assert "| Collab OnPrem | critical |" in text
    assert "- New: 1\n  - PV102 Collab OnPrem · Li Na (critical)" in text
    assert "- Resolved: 1\n  - PV102 Collab OnPrem · Wei Zhang (critical)" in text
    assert "1. **critical** PV" in text
    # The component table counts the quarter; findings the 180-day window before its end.
    assert q3["policy"]["window"] == {"start": "2026-04-04", "end": "2026-09-30", "days": 180}
    assert "## Sensitive components (period 2026-07-01 – 2026-09-30)" in text
    assert "## Top findings (policy window 2026-04-04 – 2026-09-30)" in text
