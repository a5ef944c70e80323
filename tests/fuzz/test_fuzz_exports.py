"""Any bytes in a tracker export or roster import or fail with an AuditorError, atomically."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from auditor.ingest.trackers import import_file
from auditor.kernel.errors import AuditorError
from auditor.store.engine import make_engine
from collectors.files import FileCollector
from collectors.registry import tracker_collector
from collectors.roster_csv import RosterCsvCollector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = {
    "jira-csv": FIXTURES / "jira_csv" / "cloud.csv",
    "jira-json": FIXTURES / "jira_json" / "search.json",
    "ado-csv": FIXTURES / "ado_csv" / "export.csv",
    "github-json": FIXTURES / "github_json" / "gh_pr_list.json",
    "roster": FIXTURES / "roster" / "roster.csv",
}
FUZZ = settings(
    max_examples=40,
    database=None,  # no .hypothesis/ folder in the checkout
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'audit.db'}")
    yield engine
    engine.dispose()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed file with a few splices of random or structural bytes, or a truncation."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 40))
        junk = draw(
            st.one_of(
                st.binary(max_size=24),
                st.sampled_from(
                    [
                        b'"',
                        b",",
                        b"\n",
                        b"\r",
                        b"\x00",
                        b"{",
                        b"}",
                        b"[",
                        b"]",
                        b":",
                        b"\xff\xfe",
                        b'"\\ud800"',
                        b"1e999",
                        b"NaN",
                        b"null",
                        b"-",
                        b"2024-13-45",
                        b"\xef\xbb\xbf",
                    ]
                ),
                st.text(max_size=12).map(lambda s: s.encode("utf-8", "surrogatepass")),
            )
        )
        data[at : at + cut] = junk
    return bytes(data)


def _import(engine: Engine, kind: str, data: bytes) -> None:
    name = f"fuzz-{next(_names)}"
    path = SEEDS[kind]
    collector: FileCollector
    if kind == "roster":
        collector = RosterCsvCollector(path, name=name, data=data)
    else:
        collector = tracker_collector(kind)(path, name=name, data=data)
    try:
        import_file(engine, collector)
    except AuditorError as exc:
        assert "\n" not in str(exc)
        with engine.connect() as conn:  # nothing half-written
            left = conn.execute(text("SELECT count(*) FROM source WHERE name = :n"), {"n": name})
            assert left.scalar_one() == 0


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_mutated_export_imports_or_fails_cleanly(kind: str, store: Engine) -> None:
    @FUZZ
    @given(data=mutated(SEEDS[kind].read_bytes()))
    def run(data: bytes) -> None:
        _import(store, kind, data)

    run()


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_arbitrary_bytes_import_or_fail_cleanly(kind: str, store: Engine) -> None:
    @FUZZ
    @given(data=st.binary(max_size=300))
    def run(data: bytes) -> None:
        _import(store, kind, data)

    run()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "key",
                    "fields",
                    "issues",
                    "number",
                    "title",
                    "author",
                    "login",
                    "created",
                    "mergedAt",
                    "state",
                    "id",
                    "name",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@pytest.mark.parametrize("kind", ["jira-json", "github-json"])
def test_arbitrary_json_documents(kind: str, store: Engine) -> None:
    import json

    @FUZZ
    @given(doc=JSON)
    def run(doc: object) -> None:
        _import(store, kind, json.dumps(doc).encode())

    run()
