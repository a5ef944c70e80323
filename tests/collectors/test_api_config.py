"""`[[tracker]]` keys of the API kinds: what each kind needs, and mistakes refused plainly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.ingest.trackers import tracker_name
from auditor.kernel.config import load_config, parse_config
from auditor.kernel.errors import ConfigError

GITHUB = {"kind": "github-api", "repo": "contoso/collab-server", "token_env": "GITHUB_TOKEN"}
JIRA = {
    "kind": "jira-api",
    "url": "https://contoso.atlassian.net",
    "jql": "project = SPO",
    "user_env": "JIRA_USER",
    "token_env": "JIRA_TOKEN",
}
ADO = {
    "kind": "ado-api",
    "organization_url": "https://dev.azure.com/contoso",
    "project": "Collab",
    "wiql": "SELECT [System.Id] FROM WorkItems WHERE [System.AreaPath] UNDER 'Collab\\OnPrem'",
    "token_env": "ADO_TOKEN",
}


def test_the_contract_examples_load_with_default_names() -> None:
    config = parse_config({"tracker": [GITHUB, JIRA, ADO]})
    assert [tracker_name(t) for t in config.tracker] == [
        "contoso/collab-server",
        "jira:contoso.atlassian.net",
        "ado:contoso/Collab",
    ]
    assert all(t.is_api and t.path is None for t in config.tracker)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**GITHUB, "repo": "collab-server"}, "repo must be the GitHub repository 'owner/name'"),
        ({**GITHUB, "path": "x.json"}, "'path'/'date_format' do not apply"),
        ({**JIRA, "wiql": "SELECT"}, "does not take ['wiql']"),
        ({k: v for k, v in JIRA.items() if k != "jql"}, "needs ['jql']"),
        ({**JIRA, "url": "http://jira.contoso.com"}, "url must be an https:// URL"),
        ({**JIRA, "url": "https://me:pw@jira.contoso.com"}, "must not hold credentials"),
        ({**JIRA, "jql": "project = SPO ORDER BY created"}, "leave out ORDER BY"),
        ({**ADO, "wiql": "SELECT [System.Id] FROM WorkItemLinks"}, "must be 'SELECT"),
        ({**ADO, "wiql": ADO["wiql"] + " ORDER BY [System.Id]"}, "leave out 'ORDER BY'"),
        ({"kind": "jira-json"}, "needs 'path'"),
        ({"kind": "jira-json", "path": "j.json", "jql": "x"}, "belong to API kinds"),
    ],
)
def test_mistakes_name_the_key(entry: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"tracker": [entry]})
    assert message in str(caught.value)


def test_a_token_pasted_into_token_env_is_refused_without_repeating_it(tmp_path: Path) -> None:
    secret = "ghp_" + "x1Y2z3" * 6
    path = tmp_path / "auditor.toml"
    path.write_text(
        f'[[tracker]]\nkind = "github-api"\nrepo = "o/r"\ntoken_env = "{secret}"\n', "utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "token_env must name an environment variable" in str(caught.value)
    assert secret not in str(caught.value)
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "collect", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and secret not in result.stderr + result.stdout


def test_github_api_links_through_git_not_repo(tmp_path: Path) -> None:
    path = tmp_path / "auditor.toml"
    path.write_text(
        '[[git]]\nname = "collab-server"\npath = "repo"\n'
        '[[tracker]]\nkind = "github-api"\nrepo = "contoso/collab"\ngit = "collab"\n',
        "utf-8",
    )
    from auditor.ingest.links import _github_sources

    loaded = load_config(path)
    with pytest.raises(ConfigError, match=r"git 'collab' is not one of the \[\[git\]\] names"):
        _github_sources(loaded, [])


def test_the_example_shows_each_api_kind_and_it_loads_uncommented(tmp_path: Path) -> None:
    import re

    example = (Path(__file__).parents[2] / "auditor" / "data" / "auditor.example.toml").read_text()
    option = re.compile(r"^# (\[\[?[a-z.]+\]\]?(\s+#.*)?|[a-z_]+ = .*)$")
    lines = [m.group(1) if (m := option.match(line)) else line for line in example.splitlines()]
    path = tmp_path / "auditor.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    trackers = load_config(path).config.tracker
    by_kind = {t.kind: t for t in trackers}
    assert {"github-api", "jira-api", "ado-api"} <= set(by_kind)
    assert by_kind["github-api"].git == "collab-server"
    assert by_kind["ado-api"].wiql is not None and "'Collab\\OnPrem'" in by_kind["ado-api"].wiql
