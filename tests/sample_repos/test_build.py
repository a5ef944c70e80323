"""The sample organisation: deterministic, and every planted property really present."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from auditor.kernel.config import load_config
from sample_repos.build import build_organisation
from sample_repos.spec import (
    AS_OF,
    BOT_EMAIL,
    COMPONENTS,
    ENGINEERS,
    HIGH_RISK_TEAM,
    PLANTED,
    REPOS,
    START,
    engineer,
    roster_country,
)
from tests.gitrepo import git

BY_EMAIL = {e.email: e for e in ENGINEERS}


def log(repo: Path, fmt: str) -> list[list[str]]:
    out = git(repo, "log", "--no-mailmap", f"--format={fmt}", "HEAD")
    return [line.split("\x1f") for line in out.splitlines() if line]


def test_two_builds_are_identical(tmp_path: Path, sample_workspace: Path) -> None:
    other = build_organisation(tmp_path / "again")
    assert [p.name for p in tmp_path.iterdir()] == ["again"]  # nothing written beside it
    for repo in REPOS:
        first = git(sample_workspace / "repos" / repo, "log", "--format=%H")
        second = git(other.repos[repo], "log", "--format=%H")
        assert first == second
    for name, path in other.exports.items():
        assert path.read_bytes() == (sample_workspace / "exports" / name).read_bytes(), name
    assert other.config.read_bytes() == (sample_workspace / "auditor.toml").read_bytes()


def test_size_and_shape(sample_workspace: Path) -> None:
    counts = {
        r: int(git(sample_workspace / "repos" / r, "rev-list", "--count", "HEAD")) for r in REPOS
    }
    assert len(REPOS) >= 2 and sum(counts.values()) >= 2000
    assert len({c.sensitivity for c in COMPONENTS}) == 4 and len(COMPONENTS) >= 5
    assert any(c.sensitivity == "critical" and "onprem" in c.directory for c in COMPONENTS)
    assert len(ENGINEERS) >= 12
    assert len({e.roster[0].country for e in ENGINEERS}) >= 6
    dates = [int(t[0]) for r in REPOS for t in log(sample_workspace / "repos" / r, "%at")]
    span = datetime.fromtimestamp(max(dates)) - datetime.fromtimestamp(min(dates))
    assert span >= timedelta(days=700)
    assert datetime.fromtimestamp(max(dates)).date() < AS_OF


def test_offsets_match_each_persons_zone_on_each_date(sample_workspace: Path) -> None:
    checked = 0
    for repo in REPOS:
        for email, stamp, iso in log(sample_workspace / "repos" / repo, "%ae\x1f%at\x1f%aI"):
            person = BY_EMAIL.get(email)
            if person is None:
                continue
            recorded = datetime.fromisoformat(iso).utcoffset()
            moment = datetime.fromtimestamp(int(stamp), ZoneInfo("UTC"))
            zone = ZoneInfo(person.zone_on(moment.astimezone(ZoneInfo(person.zone)).date()))
            expected = timedelta(0) if person.utc_machine else moment.astimezone(zone).utcoffset()
            assert recorded == expected, (email, iso)
            checked += 1
    assert checked > 1800


def offsets_by(workspace: Path, email: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for repo in REPOS:
        for mail, iso in log(workspace / "repos" / repo, "%ae\x1f%ai"):
            if mail == email:
                found[iso[-5:]] += 1
    return found


def test_planted_people(sample_workspace: Path) -> None:
    wei, meiling = (engineer(k) for k in PLANTED.plus_0800_pair)
    assert set(offsets_by(sample_workspace, wei.email)) == {"+0800"}
    assert set(offsets_by(sample_workspace, meiling.email)) == {"+0800"}
    assert roster_country(wei.key, AS_OF) != roster_country(meiling.key, AS_OF)

    utc = engineer(PLANTED.utc_machine)
    assert set(offsets_by(sample_workspace, utc.email)) == {"+0000"}
    assert roster_country(utc.key, AS_OF) == "IN"

    moved = engineer(PLANTED.relocation)
    assert roster_country(moved.key, START) == "RU" and roster_country(moved.key, AS_OF) == "DE"
    assert set(offsets_by(sample_workspace, moved.email)) == {"+0300", "+0100", "+0200"}
    since = moved.moves[0][0]
    for repo in REPOS:
        for mail, iso in log(sample_workspace / "repos" / repo, "%ae\x1f%aI"):
            if mail == moved.email:
                moment = datetime.fromisoformat(iso)
                moscow = moment.date() < since
                assert (moment.utcoffset() == timedelta(hours=3)) == moscow, iso

    # daylight saving time is in the history: summer and winter offsets for the same person
    assert set(offsets_by(sample_workspace, engineer("anna").email)) == {"+0100", "+0200"}
    assert set(offsets_by(sample_workspace, engineer("dana").email)) == {"-0800", "-0700"}
    assert set(offsets_by(sample_workspace, engineer("jorge").email)) == {"-0300"}  # no DST

    bot = offsets_by(sample_workspace, BOT_EMAIL)
    assert sum(bot.values()) > 20 and set(bot) == {"+0000"}


def test_mailmap_alias_needs_mailmap(sample_workspace: Path) -> None:
    person = engineer(PLANTED.mailmap_alias)
    assert person.alias is not None
    name, email = person.alias
    repo = sample_workspace / "repos" / "collab-server"
    raw = {row[0] for row in log(repo, "%ae")}
    assert email in raw and person.email in raw
    mapped = git(repo, "check-mailmap", f"{name} <{email}>").strip()
    assert mapped == f"{person.name} <{person.email}>"


def test_reviewer_signs_off_only_part_of_the_high_risk_teams_work(sample_workspace: Path) -> None:
    reviewer = engineer(PLANTED.reviewer)
    team = {engineer(k).email for k in HIGH_RISK_TEAM}
    repo = sample_workspace / "repos" / "collab-server"
    total = reviewed = 0
    out = git(repo, "log", "-z", "--no-mailmap", "--format=%ae%x1f%B", "HEAD")
    for email, body in (entry.split("\x1f", 1) for entry in out.split("\x00") if entry):
        if email in team and body.startswith("OnPrem:"):
            total += 1
            reviewed += f"Reviewed-by: {reviewer.name} <{reviewer.email}>" in body
    assert total > 100
    assert 0.2 < reviewed / total < 0.6


def test_configuration_validates_and_names_every_export(sample_workspace: Path) -> None:
    loaded = load_config(sample_workspace / "auditor.toml")
    config = loaded.config
    assert [g.name for g in config.git] == list(REPOS)
    assert {t.kind for t in config.tracker} == {"jira-csv", "jira-json", "ado-csv", "github-json"}
    paths = [t.path for t in config.tracker] + [r.path for r in config.roster]
    for path in paths:
        assert loaded.resolve(path).is_file()
    assert [c.name for c in config.components] == [c.name for c in COMPONENTS]
    expires = sorted(w.expires for w in config.waivers)
    assert expires[0] < AS_OF < expires[-1]  # one expired, one live


def test_exports_carry_the_real_world_quirks(sample_workspace: Path) -> None:
    exports = sample_workspace / "exports"
    jira = (exports / "jira.csv").read_bytes()
    assert jira.startswith(b"\xef\xbb\xbf") and b"\r\n" in jira
    header = next(csv.reader(io.StringIO(jira.decode("utf-8-sig"))))
    assert header.count("Components") == 2 and header.count("Labels") == 2
    rows = list(csv.reader(io.StringIO(jira.decode("utf-8-sig"))))
    assert any("\n" in cell for row in rows for cell in row)  # multi-line descriptions
    assert rows[1][10].count("/") == 2 and rows[1][10].endswith(("AM", "PM"))

    ado = (exports / "ado.csv").read_text("utf-8")
    first = ado.splitlines()[1]
    assert first.startswith('"') and " <" in first and "Contoso\\Collab\\" in first

    jira_json = json.loads((exports / "jira.json").read_text("utf-8"))
    zones = {
        i["fields"]["assignee"]["displayName"]: i["fields"]["assignee"]["timeZone"]
        for i in jira_json["issues"]
    }
    assert zones[engineer(PLANTED.conflict).name] == "Asia/Shanghai"

    github = json.loads((exports / "github.json").read_text("utf-8"))
    states = Counter(r["state"] for p in github["pull_requests"] for r in p["reviews"])
    assert states["APPROVED"] > 0 and states["COMMENTED"] > 0
    shas = set(git(sample_workspace / "repos" / "collab-server", "rev-list", "HEAD").split())
    assert all(
        p["merge_commit_sha"] in shas and p["head"]["sha"] in shas for p in github["pull_requests"]
    )

    roster = list(csv.DictReader(io.StringIO((exports / "roster.csv").read_text("utf-8"))))
    per_person = defaultdict(list)
    for row in roster:
        per_person[row["email"]].append(row)
    assert len(per_person[engineer(PLANTED.relocation).email]) == 2


def test_high_risk_team_has_tickets_assigned(sample_workspace: Path) -> None:
    rows = list(
        csv.reader(io.StringIO((sample_workspace / "exports" / "jira.csv").read_text("utf-8-sig")))
    )
    assignees = Counter(row[7] for row in rows[1:])
    team = {engineer(k).name for k in HIGH_RISK_TEAM}
    assert sum(assignees[n] for n in team) > sum(assignees.values()) / 2


@pytest.mark.parametrize("script", [["-m", "sample_repos.build"]])
def test_builder_cli(tmp_path: Path, script: list[str]) -> None:
    import sys

    result = subprocess.run(
        [sys.executable, *script, str(tmp_path / "org")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "commits in 2 repositories and 5 exports" in result.stdout
