"""Binary files weigh no lines: the rules still see them, and who changed them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from auditor.evaluate.context import build_context
from auditor.evaluate.run import analyze
from auditor.ingest.collect import collect_all
from auditor.report.triage import configured
from tests.auditor.resolve_support import newest_resolution, write_config
from tests.gitrepo import GitRepo, Who

WEI = Who("Wei Zhang", "wei@corp.example")
ANN = Who("Ann Lee", "ann@corp.example")
STRANGER = Who("Drive By", "drive.by@mail.example")  # no roster row: location unknown
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def test_binary_changes_reach_pv101_and_pv106(tmp_path: Path, engine: Engine) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        "ann", author=ANN, date="2025-05-01T10:00:00+0100", files={"src/onprem/a.c": "a\n" * 60}
    )
    wei = repo.commit(
        "wei",
        author=WEI,
        date="2025-05-02T10:00:00+0800",
        files={"src/onprem/b.c": "b\n" * 40, "src/onprem/logo.png": PNG},
    )
    blob = repo.commit(
        "stranger: a blob",
        author=STRANGER,
        date="2025-05-03T10:00:00+0000",
        files={"src/onprem/helper.so": PNG + b"\x00elf"},
    )
    (tmp_path / "roster.csv").write_text(
        "email,name,country\nwei@corp.example,Wei Zhang,CN\nann@corp.example,Ann Lee,IE\n",
        encoding="utf-8",
    )
    loaded = write_config(
        tmp_path,
        f'[store]\nurl = "{engine.url}"\n\n[[git]]\nname = "r"\npath = "repo"\n\n'
        '[[roster]]\npath = "roster.csv"\n\n[jurisdictions]\nhigh = ["CN"]\n\n'
        '[[components]]\nname = "OnPrem"\nsensitivity = "critical"\npaths = ["r:src/onprem/**"]\n',
    )
    collect_all(loaded, engine)
    as_of = date(2025, 6, 30)
    result = analyze(engine, loaded, as_of, triage=configured(loaded, as_of))
    ctx = build_context(engine, loaded, as_of, resolution_id=newest_resolution(engine))
    assert {c.sha: (c.churn, c.binary) for c in ctx.window_changes("OnPrem")} == {
        repo.head(): (0, 1),
        wei: (40, 1),
        **{c.sha: (60, 0) for c in ctx.window_changes("OnPrem") if c.churn == 60},
    }
    by_rule = {f.rule: f for f in result.findings}
    pv101 = by_rule["PV101"]
    assert "40 of 100 lines" in pv101.message and "1 binary file changed" in pv101.message
    # the stranger's blob weighs nothing in the share, and is listed all the same
    assert {e.ref for e in pv101.evidence} == {wei, blob}
    assert pv101.data["binary_untrusted"] == 2
    pv106 = by_rule["PV106"]
    assert "(40 lines, 1 binary file changed)" in pv106.message
