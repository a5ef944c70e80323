"""Build the sample organisation: git repositories (via `git fast-import`), exports, auditor.toml.

Deterministic: a seeded random generator, fixed dates and no wall clock, so two
builds give the same commit ids and byte-identical exports. Usage:
`python -m sample_repos.build DIR`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sample_repos.spec import (
    AS_OF,
    BOT_EMAIL,
    BOT_NAME,
    COMMITS_PER_REPO,
    COMPONENTS,
    ENGINEERS,
    GITHUB_REPOSITORY,
    HIGH_RISK_TEAM,
    REPOS,
    REVIEWED_SHARE,
    REVIEWER,
    SEED,
    START,
    ComponentSpec,
    Engineer,
    engineer,
)

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "HOME": os.devnull,  # nothing from the user's ~/.gitconfig or ~/.config/git
    "XDG_CONFIG_HOME": os.devnull,
    "LC_ALL": "C",
    "TZ": "UTC",
}
COMPONENT = {c.name: c for c in COMPONENTS}
BOT_FILES = {"collab-server": "requirements.txt", "collab-gateway": "go.mod"}
VERBS = ("Fix", "Harden", "Refactor", "Speed up", "Handle", "Add tests for", "Simplify", "Log")
NOUNS = (
    "farm auth race",
    "claims mapping",
    "token refresh",
    "index rebuild",
    "admin console paging",
    "tenant sync",
    "blob retries",
    "SAML assertions",
    "OIDC discovery",
    "editor autosave",
    "share dialog",
    "upgrade path",
    "NTLM fallback",
    "search crawler",
    "session cache",
)


@dataclass
class WorkItem:
    key: str
    tracker: str  # jira-csv | jira-json | ado | github
    component: str
    assignee: Engineer
    title: str
    created: datetime
    resolved: datetime | None = None
    commits: list[int] = field(default_factory=list)  # marks


@dataclass
class PlannedCommit:
    mark: int
    repo: str
    author: Engineer | None  # None: the bot
    when: datetime  # aware, in the author's zone (or UTC for a UTC machine / the bot)
    component: str | None
    message: str
    files: dict[str, str] = field(default_factory=dict)
    merge_of: int | None = None  # feature commit mark, for PR merge commits
    parent: int | None = None


@dataclass(frozen=True)
class BuildResult:
    workspace: Path
    config: Path
    repos: dict[str, Path]
    exports: dict[str, Path]
    commits: dict[str, int]


def build_organisation(workspace: Path) -> BuildResult:
    """Create (or re-create) the organisation under `workspace`."""
    workspace = workspace.resolve()
    for sub in ("repos", "exports"):
        shutil.rmtree(workspace / sub, ignore_errors=True)
    (workspace / "exports").mkdir(parents=True)
    rng = random.Random(SEED)
    items: list[WorkItem] = []
    repos: dict[str, Path] = {}
    shas: dict[str, dict[int, str]] = {}
    plans: dict[str, list[PlannedCommit]] = {}
    for repo in REPOS:
        plans[repo] = _plan(repo, rng, items)
        repos[repo] = workspace / "repos" / repo
        shas[repo] = _fast_import(repos[repo], plans[repo])
    exports = _write_exports(workspace / "exports", items, plans, shas)
    config = workspace / "auditor.toml"
    config.write_text(CONFIG, encoding="utf-8")
    commits = {repo: len(plan) for repo, plan in plans.items()}
    return BuildResult(workspace, config, repos, exports, commits)


# --- planning -------------------------------------------------------------------------------


def _works_in(person: Engineer, repo: str) -> dict[str, float]:
    return {name: w for name, w in person.focus.items() if COMPONENT[name].repo == repo}


def _local_time(person: Engineer, day: date, rng: random.Random) -> datetime:
    zone = ZoneInfo(person.zone_on(day))
    local = datetime.combine(day, time(rng.randint(9, 18), rng.randint(0, 59), rng.randint(0, 59)))
    when = local.replace(tzinfo=zone)
    if person.utc_machine:
        return when.astimezone(UTC)
    return when


def _plan(repo: str, rng: random.Random, items: list[WorkItem]) -> list[PlannedCommit]:
    days = (AS_OF - START).days
    people = [p for p in ENGINEERS if _works_in(p, repo)]
    slots = sorted(rng.randrange(days) for _ in range(COMMITS_PER_REPO[repo]))
    plan: list[PlannedCommit] = []
    open_items: dict[tuple[str, str], WorkItem] = {}
    contents: dict[str, list[str]] = {}
    mark = 0

    def next_mark() -> int:
        nonlocal mark
        mark += 1
        return mark

    # the first commit: README and the .mailmap that unifies aliases
    first = PlannedCommit(
        next_mark(),
        repo,
        engineer("dana"),
        _local_time(engineer("dana"), START, rng),
        None,
        f"Initial import of {repo}\n",
        {"README.md": f"# {repo}\n\nContoso Collab.\n", ".mailmap": MAILMAP},
    )
    plan.append(first)
    counter = 0
    for index, offset in enumerate(slots[1:]):
        day = START + timedelta(days=offset)
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        progress = offset / days
        if index % 33 == 0:  # the bot: dependency bumps outside every component
            when = datetime.combine(day, time(3, 17), tzinfo=UTC)
            name = BOT_FILES[repo]
            lines = contents.setdefault(name, [])
            lines.append(f"package-{index} == 1.{index % 7}.{index % 5}")
            plan.append(
                PlannedCommit(
                    next_mark(),
                    repo,
                    None,
                    when,
                    None,
                    f"Bump package-{index} to 1.{index % 7}.{index % 5}\n",
                    {name: "\n".join(lines) + "\n"},
                )
            )
            continue
        weights = []
        for person in people:
            weight = person.activity * sum(_works_in(person, repo).values())
            if person.key in HIGH_RISK_TEAM:
                weight *= 0.5 + progress  # the Shanghai team's share grows over time
            weights.append(weight)
        author = rng.choices(people, weights)[0]
        focus = _works_in(author, repo)
        component = rng.choices(list(focus), list(focus.values()))[0]
        spec = COMPONENT[component]
        when = _local_time(author, day, rng)
        counter += 1
        files = _edit(spec, contents, rng)
        ref, item = _work_item(author, component, when, rng, items, open_items)
        message = f"{spec.name.split()[-1]}: {rng.choice(VERBS)} {rng.choice(NOUNS)}"
        if ref:
            message += f" {ref}"
        message += "\n"
        on_core = author.key in HIGH_RISK_TEAM and component == "Collab OnPrem"
        if on_core and rng.random() < REVIEWED_SHARE:
            reviewer = engineer(REVIEWER)
            message += f"\nReviewed-by: {reviewer.name} <{reviewer.email}>\n"
        commit = PlannedCommit(next_mark(), repo, author, when, component, message, files)
        plan.append(commit)
        if item is not None:
            item.commits.append(commit.mark)
        # every 12th change to collab-server goes through a pull request with a merge commit
        if repo == "collab-server" and counter % 12 == 0:
            merger = engineer("dana") if author.key in HIGH_RISK_TEAM else engineer("sean")
            merge_day = min(day + timedelta(days=1), AS_OF - timedelta(days=1))
            merged_at = _local_time(merger, merge_day, rng)
            commit.parent = plan[-2].mark
            plan.append(
                PlannedCommit(
                    next_mark(),
                    repo,
                    merger,
                    merged_at,
                    None,
                    f"Merge pull request from contoso/topic-{commit.mark}\n",
                    dict(files),
                    merge_of=commit.mark,
                    parent=plan[-2].mark,
                )
            )
    return plan


def _edit(
    spec: ComponentSpec, contents: dict[str, list[str]], rng: random.Random
) -> dict[str, str]:
    changed = {}
    for name in rng.sample(spec.files, k=min(len(spec.files), rng.choice((1, 1, 2)))):
        path = f"{spec.directory}/{name}"
        lines = contents.setdefault(path, [])
        for _ in range(min(len(lines) // 4, rng.randint(0, 4))):
            del lines[rng.randrange(len(lines))]
        at = rng.randint(0, len(lines))
        lines[at:at] = [
            f"# {rng.choice(NOUNS)} {rng.randint(0, 9999)}" for _ in range(rng.randint(1, 14))
        ]
        del lines[:-160]
        changed[path] = "\n".join(lines) + "\n"
    return changed


def _work_item(
    author: Engineer,
    component: str,
    when: datetime,
    rng: random.Random,
    items: list[WorkItem],
    open_items: dict[tuple[str, str], WorkItem],
) -> tuple[str | None, WorkItem | None]:
    tracker = {
        "Collab OnPrem": "jira-csv",
        "Collab Cloud": "jira-json",
        "Gateway Auth": "ado",
        "Web Client": "github",
    }.get(component)
    if tracker is None:
        return None, None
    slot = (author.key, component)
    item = open_items.get(slot)
    if item is None or len(item.commits) >= rng.randint(2, 4):
        if item is not None:
            item.resolved = when + timedelta(hours=2)
        number = sum(1 for i in items if i.tracker == tracker) + 1
        key = {
            "jira-csv": f"SPO-{1400 + number}",
            "jira-json": f"CLD-{200 + number}",
            "ado": str(4400 + number),
            "github": f"#{number}",
        }[tracker]
        item = WorkItem(
            key,
            tracker,
            component,
            author,
            f"{rng.choice(VERBS)} {rng.choice(NOUNS)}",
            when - timedelta(days=1),
        )
        items.append(item)
        open_items[slot] = item
    ref = {
        "jira-csv": item.key,
        "jira-json": item.key,
        "ado": f"AB#{item.key}",
        "github": f"Fixes {item.key}",
    }[tracker]
    return ref, item


# --- git --------------------------------------------------------------------------------------


def _ident(
    person: Engineer | None, when: datetime, commit: PlannedCommit, rng_alias: bool
) -> bytes:
    if person is None:
        name, email = BOT_NAME, BOT_EMAIL
    elif rng_alias and person.alias:
        name, email = person.alias
    else:
        name, email = person.name, person.email
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    tz = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{name} <{email}> {int(when.timestamp())} {tz}".encode()


def _fast_import(path: Path, plan: list[PlannedCommit]) -> dict[int, str]:
    path.mkdir(parents=True)
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], env=env, check=True)
    stream = io.BytesIO()
    for commit in plan:
        alias = (
            commit.author is not None and commit.author.alias is not None and commit.mark % 3 == 0
        )
        ident = _ident(commit.author, commit.when, commit, alias)
        message = commit.message.encode()
        stream.write(b"commit refs/heads/main\nmark :%d\n" % commit.mark)
        stream.write(b"author " + ident + b"\ncommitter " + ident + b"\n")
        stream.write(b"data %d\n%s\n" % (len(message), message))
        if commit.parent is not None:
            stream.write(b"from :%d\n" % commit.parent)
        elif commit.mark > 1:
            stream.write(b"from :%d\n" % (commit.mark - 1))
        if commit.merge_of is not None:
            stream.write(b"merge :%d\n" % commit.merge_of)
        for name, text in commit.files.items():
            data = text.encode()
            stream.write(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
        stream.write(b"\n")
    marks = path / ".git" / "sample-marks"
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet", f"--export-marks={marks}"],
        input=stream.getvalue(),
        env=env,
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", "main"], env=env, check=True)
    shas = {}
    for line in marks.read_text().splitlines():
        mark, sha = line.split()
        shas[int(mark[1:])] = sha
    marks.unlink()
    return shas


# --- exports ----------------------------------------------------------------------------------


def _jira_date(when: datetime) -> str:
    local = when.astimezone(ZoneInfo("Europe/Dublin"))  # the exporting user's zone
    hour, half = local.hour % 12 or 12, "AM" if local.hour < 12 else "PM"
    return f"{local.day:02d}/{local:%b}/{local:%y} {hour}:{local.minute:02d} {half}"


def _ado_date(when: datetime) -> str:
    local = when.astimezone(ZoneInfo("America/Los_Angeles"))
    hour, half = local.hour % 12 or 12, "AM" if local.hour < 12 else "PM"
    clock = f"{hour}:{local.minute:02d}:{local.second:02d} {half}"
    return f"{local.month}/{local.day}/{local.year} {clock}"


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _login(person: Engineer) -> str:
    return person.github_login or f"{person.key}-contoso"


def _write_exports(
    folder: Path,
    items: list[WorkItem],
    plans: dict[str, list[PlannedCommit]],
    shas: dict[str, dict[int, str]],
) -> dict[str, Path]:
    exports = {
        name: folder / name
        for name in ("jira.csv", "jira.json", "ado.csv", "github.json", "roster.csv")
    }
    _jira_csv(exports["jira.csv"], [i for i in items if i.tracker == "jira-csv"])
    _jira_json(exports["jira.json"], [i for i in items if i.tracker == "jira-json"])
    _ado_csv(exports["ado.csv"], [i for i in items if i.tracker == "ado"])
    _github(
        exports["github.json"],
        [i for i in items if i.tracker == "github"],
        plans["collab-server"],
        shas["collab-server"],
    )
    _roster(exports["roster.csv"])
    return exports


def _csv_bytes(rows: list[list[str]], *, quote_all: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _jira_csv(path: Path, items: list[WorkItem]) -> None:
    header = [
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Priority",
        "Resolution",
        "Assignee",
        "Assignee Id",
        "Reporter",
        "Created",
        "Updated",
        "Resolved",
        "Components",
        "Components",
        "Labels",
        "Labels",
        "Sprint",
        "Sprint",
        "Description",
    ]
    rows = [header]
    for number, item in enumerate(items):
        resolved = item.resolved
        rows.append(
            [
                item.title,
                item.key,
                str(10000 + number),
                "Bug" if number % 4 else "Story",
                "Done" if resolved else "In Progress",
                ("High", "Medium", "Low")[number % 3],
                "Done" if resolved else "",
                item.assignee.name,
                item.assignee.jira_account,
                "Dana Ortiz" if number % 2 else "Sean Murphy",
                _jira_date(item.created),
                _jira_date(resolved or item.created),
                _jira_date(resolved) if resolved else "",
                "OnPrem",
                "Auth" if number % 3 == 0 else "",
                "security" if number % 2 == 0 else "on-prem",
                "customer-escalation" if number % 5 == 0 else "",
                f"OnPrem {number % 9 + 1}",
                "",
                f"Reported by a farm administrator.\nSteps:\n1. Open the console\n2. {item.title}",
            ]
        )
    path.write_bytes(b"\xef\xbb\xbf" + _csv_bytes(rows))


def _jira_user(person: Engineer, *, hide_email: bool = False) -> dict[str, object]:
    return {
        "accountId": person.jira_account,
        "accountType": "atlassian",
        "active": True,
        "displayName": person.name,
        "emailAddress": None if hide_email else person.email,
        "timeZone": person.jira_time_zone,
    }


def _jira_json(path: Path, items: list[WorkItem]) -> None:
    issues = []
    for number, item in enumerate(items):
        issues.append(
            {
                "id": str(20000 + number),
                "key": item.key,
                "fields": {
                    "summary": item.title,
                    "issuetype": {"name": "Bug" if number % 3 else "Task"},
                    "status": {"name": "Done" if item.resolved else "In Progress"},
                    "components": [{"name": "Cloud"}],
                    "labels": ["saas"] if number % 2 else [],
                    "created": item.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "resolutiondate": item.resolved.astimezone(UTC).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    )
                    if item.resolved
                    else None,
                    "assignee": _jira_user(item.assignee, hide_email=item.assignee.key == "kenji"),
                    "reporter": _jira_user(engineer("sean")),
                },
            }
        )
    # Gateway tickets from the same Jira site: Mark Chen's profile zone is planted here.
    mark = engineer("mark")
    for number in range(6):
        issues.append(
            {
                "id": str(21000 + number),
                "key": f"GW-{number + 1}",
                "fields": {
                    "summary": f"Gateway: {VERBS[number]} {NOUNS[number]}",
                    "issuetype": {"name": "Bug"},
                    "status": {"name": "Done"},
                    "components": [{"name": "Gateway"}],
                    "labels": [],
                    "created": f"2026-0{number + 3}-10T02:00:00.000+0000",
                    "resolutiondate": f"2026-0{number + 3}-14T09:30:00.000+0000",
                    "assignee": _jira_user(mark),
                    "reporter": _jira_user(engineer("anna")),
                },
            }
        )
    body = {
        "expand": "schema,names",
        "startAt": 0,
        "maxResults": len(issues),
        "total": len(issues),
        "issues": issues,
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _ado_csv(path: Path, items: list[WorkItem]) -> None:
    rows = [
        [
            "ID",
            "Work Item Type",
            "Title",
            "Assigned To",
            "State",
            "Tags",
            "Area Path",
            "Created Date",
            "Closed Date",
        ]
    ]
    for number, item in enumerate(items):
        rows.append(
            [
                item.key,
                "Bug" if number % 3 else "User Story",
                item.title,
                f"{item.assignee.name} <{item.assignee.email}>",
                "Closed" if item.resolved else "Active",
                "security; auth" if number % 2 else "auth",
                "Contoso\\Collab\\Gateway\\Auth",
                _ado_date(item.created),
                _ado_date(item.resolved) if item.resolved else "",
            ]
        )
    # on-prem farm work tracked in Azure Boards too, assigned to the Shanghai team
    for number, key in enumerate(HIGH_RISK_TEAM * 3):
        person = engineer(key)
        created = datetime(2026, 4 + number % 5, 3 + number, 1, 30, tzinfo=UTC)
        rows.append(
            [
                str(4900 + number),
                "Bug",
                f"Farm: {NOUNS[number]}",
                f"{person.name} <{person.email}>",
                "Closed",
                "security; on-prem",
                "Contoso\\Collab\\OnPrem\\Farm",
                _ado_date(created),
                _ado_date(created + timedelta(days=4)),
            ]
        )
    path.write_bytes(_csv_bytes(rows, quote_all=True))


def _github(
    path: Path, items: list[WorkItem], plan: list[PlannedCommit], shas: dict[int, str]
) -> None:
    issues = []
    for item in items:
        number = int(item.key[1:])
        issues.append(
            {
                "number": number,
                "title": item.title,
                "state": "closed" if item.resolved else "open",
                "state_reason": "completed" if item.resolved else None,
                "user": {"login": "smurphy", "id": 1001, "type": "User"},
                "labels": [{"name": "area/web"}],
                "assignees": [{"login": _login(item.assignee)}],
                "created_at": _iso(item.created),
                "closed_at": _iso(item.resolved),
            }
        )
    pulls = []
    by_mark = {c.mark: c for c in plan}
    next_number = len(issues) + 1
    for merge in (c for c in plan if c.merge_of is not None):
        feature = by_mark[merge.merge_of]  # type: ignore[index]
        author = feature.author
        assert author is not None
        reviews = []
        if author.key in HIGH_RISK_TEAM and next_number % 2 == 0:
            reviews.append(
                {
                    "user": {"login": _login(engineer(REVIEWER))},
                    "state": "APPROVED",
                    "submitted_at": _iso(merge.when - timedelta(hours=1)),
                    "commit_id": shas[feature.mark],
                }
            )
        else:
            reviews.append(
                {
                    "user": {"login": _login(engineer("meiling"))},
                    "state": "COMMENTED",
                    "submitted_at": _iso(merge.when - timedelta(hours=2)),
                    "commit_id": shas[feature.mark],
                }
            )
        component = COMPONENT[feature.component] if feature.component else None
        labels = [{"name": component.github[0]}] if component and component.github else []
        pulls.append(
            {
                "number": next_number,
                "title": feature.message.splitlines()[0],
                "state": "closed",
                "user": {"login": _login(author), "id": 2000 + next_number, "type": "User"},
                "labels": labels,
                "assignees": [{"login": _login(author)}],
                "created_at": _iso(feature.when),
                "closed_at": _iso(merge.when),
                "merged_at": _iso(merge.when),
                "merge_commit_sha": shas[merge.mark],
                "head": {"sha": shas[feature.mark], "ref": f"topic-{feature.mark}"},
                "reviews": reviews,
            }
        )
        next_number += 1
    users = {}
    for person in ENGINEERS:
        users[_login(person)] = {
            "login": _login(person),
            "name": person.name,
            "location": person.github_location,
            "email": None,
            "company": "@contoso",
        }
    body = {
        "repository": GITHUB_REPOSITORY,
        "issues": issues,
        "pull_requests": pulls,
        "users": users,
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _roster(path: Path) -> None:
    rows = [["email", "name", "country", "office", "valid_from", "valid_to"]]
    for person in ENGINEERS:
        for row in person.roster:
            rows.append(
                [
                    person.email,
                    person.name,
                    row.country,
                    row.office,
                    row.valid_from.isoformat() if row.valid_from else "",
                    row.valid_to.isoformat() if row.valid_to else "",
                ]
            )
    path.write_bytes(_csv_bytes(rows))


MAILMAP = """\
# Contoso mailmap: personal addresses and nicknames of our engineers
Chen Jie <chen.jie@contoso.com> cj <chenjie88@qq.com>
"""

CONFIG = """\
# The sample organisation's audit configuration (written by sample_repos/build.py).
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "collab-server"
path = "repos/collab-server"
branch = "main"

[[git]]
name = "collab-gateway"
path = "repos/collab-gateway"
branch = "main"

[[tracker]]
kind = "jira-csv"
path = "exports/jira.csv"

[[tracker]]
kind = "jira-json"
path = "exports/jira.json"

[[tracker]]
kind = "ado-csv"
path = "exports/ado.csv"

[[tracker]]
kind = "github-json"
path = "exports/github.json"
repo = "collab-server"

[[roster]]
path = "exports/roster.csv"

[jurisdictions]
high = ["CN", "RU", "IR", "KP"]
elevated = ["BY"]
[jurisdictions.reasons]
CN = "Vulnerability disclosure to state authority required within 2 days (2021 regulation)"
RU = "Security services may compel access to source code and vulnerability details"
IR = "Comprehensive sanctions; no assurance over disclosure obligations"
KP = "Comprehensive sanctions"
BY = "Close intelligence cooperation with a high-risk jurisdiction"

[[components]]
name = "Collab OnPrem"
sensitivity = "critical"
tags = ["on-prem"]
paths = ["collab-server:src/onprem/**"]
jira = ["OnPrem"]
ado_area = ['Contoso\\Collab\\OnPrem']
github = ["area/onprem"]

[[components]]
name = "Collab Cloud"
sensitivity = "high"
tags = ["saas"]
paths = ["collab-server:src/cloud/**"]
jira = ["Cloud"]
github = ["area/cloud"]

[[components]]
name = "Gateway Auth"
sensitivity = "high"
tags = ["edge"]
paths = ["collab-gateway:auth/**"]
jira = ["Gateway"]
ado_area = ['Contoso\\Collab\\Gateway']

[[components]]
name = "Web Client"
sensitivity = "normal"
paths = ["collab-server:web/**"]
github = ["area/web"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["collab-gateway:docs/**"]

[policy]
window_days = 180
fail_on = "high"

# A live waiver: the Minsk contractor's gateway changes are reviewed in another audited system.
[[waivers]]
rule = "PV106"
component = "Gateway Auth"
subject = "Alena Kavaliova"
reason = "Gateway changes by the Minsk contractor are reviewed in the vendor portal (SEC-311)"
approved_by = "ciso@contoso.com"
ticket = "SEC-311"
expires = "2027-03-31"

# An expired waiver: it no longer applies and is reported.
[[waivers]]
rule = "PV101"
component = "Collab Cloud"
reason = "Cloud maintenance transfer to Dublin"
approved_by = "ciso@contoso.com"
ticket = "SEC-207"
expires = "2026-06-30"
"""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m sample_repos.build DIR", file=sys.stderr)
        return 2
    result = build_organisation(Path(argv[0]))
    print(
        f"built {sum(result.commits.values())} commits in {len(result.repos)} repositories "
        f"and {len(result.exports)} exports under {result.workspace}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
