"""Configuration and git commit objects: any input parses or fails with an AuditorError."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.kernel.config import load_config, parse_config
from auditor.kernel.errors import AuditorError
from collectors.git_objects import parse_commit, parse_trailers

FUZZ = settings(
    max_examples=60,
    database=None,  # no .hypothesis/ folder in the checkout
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID = b"""[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "server"
path = "repos/server"
branch = "main"

[[components]]
name = "OnPrem"
paths = ["src/onprem/**"]
sensitive = true

[jurisdictions]
high_risk = ["CN", "RU"]
"""
KEYS = ["store", "url", "git", "name", "path", "branch", "components", "paths", "sensitive",
        "jurisdictions", "high_risk", "rosters", "trackers", "kind", "waivers", "people",
        "overrides", "rules", "x"]  # fmt: skip
TOML_VALUES = st.recursive(
    st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=15,
)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(KEYS), TOML_VALUES, max_size=6))
def test_parse_config_any_document(data: dict[str, object]) -> None:
    try:
        parse_config(data)
    except AuditorError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(cut=st.integers(0, len(VALID)), junk=st.binary(max_size=16))
def test_load_config_mutated_file(cut: int, junk: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "auditor.toml"
        path.write_bytes(VALID[:cut] + junk + VALID[cut + len(junk) :])
        try:
            load_config(path)
        except AuditorError as exc:
            assert "\n" not in str(exc)


@FUZZ
@given(data=st.binary(max_size=400))
def test_parse_commit_never_raises(data: bytes) -> None:
    commit = parse_commit(data)
    assert isinstance(commit.message, str)
    assert commit.author.offset_minutes is None or -1440 < commit.author.offset_minutes < 1440


HEADERS = st.lists(
    st.sampled_from([b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904", b"parent " + b"a" * 40,
                     b"author A <a@x> 1700000000 +0100", b"committer \xff <> -5 +99999",
                     b"author <<>> x y", b"encoding ISO-8859-1", b"encoding nonsense",
                     b" continuation", b"gpgsig -----BEGIN"]),
    max_size=6,
)  # fmt: skip


@FUZZ
@given(headers=HEADERS, body=st.binary(max_size=200))
def test_parse_commit_structured(headers: list[bytes], body: bytes) -> None:
    commit = parse_commit(b"\n".join(headers) + b"\n\n" + body)
    parse_trailers(commit.message)
    assert all(len(p) == 40 for p in commit.parents if p == "a" * 40)


def test_cli_bad_configurations_exit_2_with_one_line(tmp_path: Path) -> None:
    auditor = str(Path(sys.executable).with_name("auditor"))
    cases = {
        "binary.toml": b"\xff\xfe\x00garbage",
        "toml.toml": b"[store\nurl = ",
        "schema.toml": b'[store]\nurl = 5\n[[git]]\nname = "a b"\n',
        "nul.toml": VALID.replace(b"server", b"ser\x00ver"),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        done = subprocess.run(
            [auditor, "collect", "--config", str(path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert name in done.stderr
        assert not (tmp_path / ".auditor").exists()
