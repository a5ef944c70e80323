"""Tracker collectors are registered like rules: built-ins by decorator, plug-ins by entry point.

The plug-in here is a real installed distribution: a `.dist-info` folder with an
`entry_points.txt` on `sys.path`, found by `importlib.metadata` as pip would leave it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.config import load_config
from auditor.kernel.enums import COLLECTOR_ENTRY_POINTS, Tracker, TrackerKind
from auditor.kernel.errors import AuditorError, ConfigError
from collectors import registry
from collectors.ado_csv import AdoCsvCollector
from collectors.github_json import GitHubJsonCollector
from collectors.gitlab_json import GitLabJsonCollector
from collectors.jira_csv import JiraCsvCollector
from collectors.jira_json import JiraJsonCollector
from tests.fixtures.workspace import rows

PLUGIN = '''
from collections.abc import Iterator
from typing import ClassVar

from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, TrackerUser, WorkItemRecord


class LinesCollector(FileCollector):
    """One work item per line: KEY<TAB>title<TAB>assignee e-mail."""

    kind: ClassVar[str] = "lines-tsv"
    identity_kind: ClassVar[str] = "lines"

    def _records(self, file: FileBytes) -> Iterator[Record]:
        for line in file.data.decode("utf-8").splitlines():
            key, title, email = line.split("\\t")
            yield WorkItemRecord(
                key=key, kind="Task", title=title, assignee=TrackerUser(key=email, email=email)
            )
'''


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry loads once per process: each test here starts it again, restored after."""
    monkeypatch.setattr(registry, "_COLLECTORS", dict(registry._COLLECTORS))
    monkeypatch.setattr(registry, "_loaded", False)
    yield


def _install(root: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    site = root / "site"
    (site / "lines_tracker").mkdir(parents=True)
    (site / "lines_tracker" / "__init__.py").write_text(PLUGIN, "utf-8")
    info = site / "lines_tracker-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lines-tracker\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{COLLECTOR_ENTRY_POINTS}]\nlines-tsv = {target}\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "lines_tracker", raising=False)


def test_built_in_kinds_are_registered_with_their_collectors(fresh_registry: None) -> None:
    assert registry.tracker_kinds() == list(TrackerKind)
    assert [registry.tracker_collector(kind) for kind in TrackerKind] == [
        JiraCsvCollector,
        JiraJsonCollector,
        AdoCsvCollector,
        GitHubJsonCollector,
        GitLabJsonCollector,
    ]
    assert [registry.tracker_collector(k).identity_kind for k in TrackerKind] == [
        Tracker.JIRA,
        Tracker.JIRA,
        Tracker.ADO,
        Tracker.GITHUB,
        Tracker.GITLAB,
    ]
    with pytest.raises(ConfigError, match="no collector for tracker kind 'youtrack'"):
        registry.tracker_collector("youtrack")


def test_a_kind_registered_twice_is_refused(fresh_registry: None) -> None:
    class Again(JiraCsvCollector):
        pass

    with pytest.raises(AuditorError, match="'jira-csv' registered twice"):
        registry.register(Again)


def test_a_plugin_tracker_is_configured_and_imported(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: Engine
) -> None:
    _install(tmp_path, monkeypatch, "lines_tracker:LinesCollector")
    (tmp_path / "items.tsv").write_text("OPS-1\tRotate keys\tana@contoso.com\n", "utf-8")
    config = tmp_path / "auditor.toml"
    config.write_text(
        '[store]\nurl = "sqlite:///.auditor/audit.db"\n'
        '[[tracker]]\nkind = "lines-tsv"\npath = "items.tsv"\n',
        "utf-8",
    )
    results = import_trackers(load_config(config), engine)
    assert [(r.kind, r.records, r.added) for r in results] == [("lines-tsv", 1, 1)]
    assert rows(engine, "SELECT kind, key, email FROM identity") == [
        ("lines", "ana@contoso.com", "ana@contoso.com")
    ]
    assert rows(engine, "SELECT key, title FROM work_item") == [("OPS-1", "Rotate keys")]


def test_an_unknown_kind_names_the_plugins_too(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _install(tmp_path, monkeypatch, "lines_tracker:LinesCollector")
    config = tmp_path / "auditor.toml"
    config.write_text('[[tracker]]\nkind = "youtrack"\npath = "x.csv"\n', "utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value).endswith(
        "field 'tracker[0].kind': Input should be 'jira-csv', 'jira-json', 'ado-csv', "
        "'github-json', 'gitlab-json', 'github-api', 'jira-api', 'ado-api' or 'lines-tsv' "
        "(got 'youtrack')"
    )


def test_a_broken_plugin_names_itself(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _install(tmp_path, monkeypatch, "lines_tracker:Missing")
    with pytest.raises(AuditorError, match=r"cannot load collector entry point 'lines-tsv'"):
        registry.tracker_kinds()
