"""Configuration: the example validates; every kind of mistake names file, line and key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.kernel.config import load_config
from auditor.kernel.errors import ConfigError

VALID = """\
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "collab-server"
path = "repos/collab-server"

[[tracker]]
kind = "jira-csv"
path = "exports/jira.csv"

[[roster]]
path = "exports/roster.csv"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]
[jurisdictions.reasons]
CN = "Disclosure to the state within 2 days"

[[components]]
name = "Collab OnPrem"
sensitivity = "critical"
paths = ["collab-server:src/onprem/**"]
jira = ["OnPrem"]
ado_area = ['Contoso\\Collab\\OnPrem']

[policy]
window_days = 180
fail_on = "high"

[[waivers]]
rule = "PV101"
component = "Collab OnPrem"
reason = "Transfer under way"
approved_by = "ciso@example.com"
expires = "2027-03-31"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_resolves_paths_relative_to_the_file(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, VALID))
    cfg = loaded.config
    assert cfg.git[0].name == "collab-server"
    assert loaded.git_location(cfg.git[0]) == str(tmp_path / "repos" / "collab-server")
    assert loaded.store_url == f"sqlite:///{(tmp_path / '.auditor' / 'audit.db').resolve()}"
    assert loaded.resolve(cfg.tracker[0].path) == tmp_path / "exports" / "jira.csv"
    assert cfg.components[0].ado_area == ["Contoso\\Collab\\OnPrem"]
    assert cfg.jurisdictions.tier("CN") == "high"
    assert cfg.jurisdictions.tier("BY") == "elevated"
    assert cfg.jurisdictions.tier("IE") == "trusted"
    assert cfg.jurisdictions.tier(None) is None
    assert str(cfg.waivers[0].expires) == "2027-03-31"


def test_remote_git_paths_are_kept_as_urls(tmp_path: Path) -> None:
    text = VALID.replace('path = "repos/collab-server"', 'path = "https://example.com/x.git"')
    loaded = load_config(write(tmp_path, text))
    assert loaded.git_location(loaded.config.git[0]) == "https://example.com/x.git"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown key, with a suggestion
        (
            "window_days = 180",
            "window_dayz = 180",
            "auditor.toml:29: field 'policy.window_dayz': unknown key 'window_dayz'; "
            "did you mean 'window_days'?",
        ),
        # a typo in a required key: the typo is named, not the missing key
        (
            'kind = "jira-csv"',
            'knd = "jira-csv"',
            "auditor.toml:9: field 'tracker[0].knd': unknown key 'knd'; did you mean 'kind'?",
        ),
        # unknown section
        (
            "[policy]",
            "[polcy]",
            "auditor.toml:28: field 'polcy': unknown key 'polcy'; did you mean 'policy'?",
        ),
        # wrong enum value
        (
            'sensitivity = "critical"',
            'sensitivity = "top"',
            "auditor.toml:23: field 'components[0].sensitivity': Input should be 'critical', "
            "'high', 'normal' or 'low' (got 'top')",
        ),
        # wrong type
        (
            "window_days = 180",
            'window_days = "half a year"',
            "auditor.toml:29: field 'policy.window_days': Input should be a valid integer, "
            "unable to parse string as an integer (got 'half a year')",
        ),
        # bad country code
        (
            'high = ["CN", "RU"]',
            'high = ["CN", "China"]',
            "auditor.toml:16: field 'jurisdictions.high[1]': 'China' is not an ISO 3166-1 "
            "alpha-2 country code",
        ),
        # glob without repository
        (
            'paths = ["collab-server:src/onprem/**"]',
            'paths = ["src/onprem/**"]',
            "auditor.toml:24: field 'components[0].paths': 'src/onprem/**' must be 'repo:glob'",
        ),
        # glob naming an unknown repository
        (
            'paths = ["collab-server:src/onprem/**"]',
            'paths = ["gateway:src/**"]',
            "names repository 'gateway', not one of [[git]] names ['collab-server']",
        ),
        # unknown tracker kind
        (
            'kind = "jira-csv"',
            'kind = "trello"',
            "auditor.toml:9: field 'tracker[0].kind': Input should be 'jira-csv', 'jira-json', "
            "'ado-csv', 'github-json', 'gitlab-json', 'github-api', 'jira-api' or 'ado-api' "
            "(got 'trello')",
        ),
        # missing required key
        (
            'approved_by = "ciso@example.com"\n',
            "",
            "field 'waivers[0].approved_by': Field required",
        ),
        # bad date
        (
            'expires = "2027-03-31"',
            'expires = "next spring"',
            "field 'waivers[0].expires': Input should be a valid date",
        ),
        # waiver matching nothing identifiable
        (
            'rule = "PV101"\ncomponent = "Collab OnPrem"\n',
            "",
            "a waiver needs 'fingerprint', or 'rule' and 'component'",
        ),
        # duplicate component
        (
            "[policy]",
            '[[components]]\nname = "Collab OnPrem"\n\n[policy]',
            "duplicate components name 'Collab OnPrem'",
        ),
        # country in two tiers
        ('elevated = ["BY"]', 'elevated = ["CN"]', "countries in both high and elevated: ['CN']"),
        # fail_on not a severity
        ('fail_on = "high"', 'fail_on = "severe"', "field 'policy.fail_on'"),
        # a tracker default zone that is not an IANA zone
        (
            "[policy]",
            '[identity]\ntracker_default_zones = ["CET+1"]\n\n[policy]',
            "auditor.toml:29: field 'identity.tracker_default_zones': "
            "not IANA time zones: ['CET+1']",
        ),
    ],
)
def test_each_kind_of_mistake_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('fail_on = "high"', 'fail_on = "high'))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:30: invalid TOML")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b"[policy]\n# caf\xe9\nwindow_days = 1\n")
    with pytest.raises(ConfigError, match=r"latin.toml:2: not UTF-8 \(byte 14\)"):
        load_config(bad)


def test_init_writes_an_example_that_validates(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "init", str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = load_config(tmp_path / "ws" / "auditor.toml")
    assert [c.name for c in loaded.config.components] == ["Collab OnPrem"]
    assert loaded.config.jurisdictions.reasons["CN"].startswith("Vulnerability disclosure")
    again = subprocess.run(
        [sys.executable, "-m", "auditor", "init", str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 2
    assert "exists; use --force to overwrite" in again.stderr


def test_cli_reports_config_errors_in_one_line_with_status_2(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('sensitivity = "critical"', 'sensitivity = "top"'))
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "people", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}:23: field 'components[0].sensitivity'")
    assert "Traceback" not in result.stderr


def test_every_commented_option_of_the_example_validates_uncommented(tmp_path: Path) -> None:
    """The example's commented keys and sections are real: uncommented, they load."""
    example = (Path(__file__).parents[2] / "auditor" / "data" / "auditor.example.toml").read_text()
    option = re.compile(r"^# (\[\[?[a-z.]+\]\]?(\s+#.*)?|[a-z_]+ = .*)$")
    lines = [m.group(1) if (m := option.match(line)) else line for line in example.splitlines()]
    uncommented = sum(1 for a, b in zip(lines, example.splitlines(), strict=True) if a != b)
    path = write(tmp_path, "\n".join(lines) + "\n")
    config = load_config(path).config
    assert uncommented >= 30
    assert config.identity.tracker_default_zones == ["Europe/Berlin"]
    assert config.overrides[0].country == "SG" and config.waivers[0].rule == "PV101"
    assert config.components[0].codeowners == ["@contoso/onprem"]
    assert config.roster[0].columns.email == "Work Email"
