"""The sample organisation, declared: people, components, repositories, planted scenarios.

Contoso ships "Collab", an on-premises collaboration server. Its on-prem core is
maintained mostly by a team in Shanghai (a high-risk jurisdiction under the sample
policy), with Jira tickets assigned to it; a U.S. reviewer signs off part of that
team's commits. Everything here is ground truth that tests assert against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

AS_OF = date(2026, 10, 1)  # the reference date for demos and tests
START = date(2024, 10, 1)  # history covers two years before AS_OF
SEED = 20261001
GITHUB_REPOSITORY = "contoso/collab-server"


@dataclass(frozen=True)
class RosterRow:
    country: str
    office: str
    valid_from: date | None
    valid_to: date | None = None


@dataclass(frozen=True)
class Engineer:
    key: str
    name: str
    email: str
    zone: str  # IANA zone their commits are written in (before any relocation)
    roster: tuple[RosterRow, ...]
    focus: dict[str, float]  # component name -> share of their work
    activity: float  # relative number of commits
    moves: tuple[tuple[date, str], ...] = ()  # (from this day, new zone)
    utc_machine: bool = False  # their machine writes +0000 whatever the zone
    alias: tuple[str, str] | None = None  # (name, e-mail) some commits are written under
    jira_account: str = ""
    jira_time_zone: str | None = None  # as the Jira profile says (may differ from reality)
    github_login: str | None = None
    github_location: str | None = None
    team: str = ""

    def zone_on(self, day: date) -> str:
        zone = self.zone
        for since, new_zone in self.moves:
            if day >= since:
                zone = new_zone
        return zone


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    sensitivity: str
    repo: str
    directory: str  # under which its files live
    files: tuple[str, ...]
    jira: tuple[str, ...] = ()
    ado_area: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


REPOS = ("collab-server", "collab-gateway")

COMPONENTS = (
    ComponentSpec(
        "Collab OnPrem",
        "critical",
        "collab-server",
        "src/onprem",
        ("farm.py", "auth/ntlm.py", "auth/claims.py", "search/indexer.py", "admin/console.py"),
        jira=("OnPrem",),
        ado_area=("Contoso\\Collab\\OnPrem",),
        github=("area/onprem",),
        tags=("on-prem",),
    ),
    ComponentSpec(
        "Collab Cloud",
        "high",
        "collab-server",
        "src/cloud",
        ("tenants.py", "sync/worker.py", "storage/blob.py"),
        jira=("Cloud",),
        github=("area/cloud",),
        tags=("saas",),
    ),
    ComponentSpec(
        "Gateway Auth",
        "high",
        "collab-gateway",
        "auth",
        ("oidc.go", "saml.go", "tokens/signer.go"),
        jira=("Gateway",),
        ado_area=("Contoso\\Collab\\Gateway",),
        tags=("edge",),
    ),
    ComponentSpec(
        "Web Client",
        "normal",
        "collab-server",
        "web",
        ("app.ts", "views/editor.ts", "views/share.ts"),
        github=("area/web",),
    ),
    ComponentSpec(
        "Docs", "low", "collab-gateway", "docs", ("index.md", "admin-guide.md", "api.md")
    ),
)

CN, SG, US, IE, DE, IN, RU, BY, BR, JP = "CN", "SG", "US", "IE", "DE", "IN", "RU", "BY", "BR", "JP"

ENGINEERS = (
    Engineer(
        "wei",
        "Wei Zhang",
        "wei.zhang@contoso.com",
        "Asia/Shanghai",
        (RosterRow(CN, "Shanghai", date(2019, 3, 1)),),
        {"Collab OnPrem": 0.9, "Collab Cloud": 0.1},
        9.0,
        jira_account="712020:wei",
        jira_time_zone="Asia/Shanghai",
        github_login="weizhang-cx",
        github_location="Shanghai, China",
        team="onprem-sh",
    ),
    Engineer(
        "lina",
        "Li Na",
        "li.na@contoso.com",
        "Asia/Shanghai",
        (RosterRow(CN, "Shanghai", date(2020, 6, 1)),),
        {"Collab OnPrem": 0.85, "Web Client": 0.15},
        7.0,
        jira_account="712020:lina",
        jira_time_zone="Asia/Shanghai",
        team="onprem-sh",
    ),
    Engineer(
        "chen",
        "Chen Jie",
        "chen.jie@contoso.com",
        "Asia/Shanghai",
        (RosterRow(CN, "Shanghai", date(2021, 1, 4)),),
        {"Collab OnPrem": 1.0},
        6.0,
        alias=("cj", "chenjie88@qq.com"),
        jira_account="712020:chen",
        jira_time_zone=None,
        team="onprem-sh",
    ),
    Engineer(
        "meiling",
        "Tan Mei Ling",
        "meiling.tan@contoso.com",
        "Asia/Singapore",
        (RosterRow(SG, "Singapore", date(2022, 2, 1)),),
        {"Collab Cloud": 0.7, "Collab OnPrem": 0.3},
        5.0,
        jira_account="712020:meiling",
        jira_time_zone="Asia/Singapore",
        github_login="meiling-t",
        github_location="Singapore",
    ),
    Engineer(
        "dana",
        "Dana Ortiz",
        "dana.ortiz@contoso.com",
        "America/Los_Angeles",
        (RosterRow(US, "Seattle", date(2018, 5, 1)),),
        {"Collab OnPrem": 0.3, "Gateway Auth": 0.4, "Docs": 0.3},
        3.0,
        jira_account="712020:dana",
        jira_time_zone="America/Los_Angeles",
        github_login="dortiz",
        github_location="Seattle, WA",
    ),
    Engineer(
        "sean",
        "Sean Murphy",
        "sean.murphy@contoso.com",
        "Europe/Dublin",
        (RosterRow(IE, "Dublin", date(2017, 9, 1)),),
        {"Collab Cloud": 0.5, "Web Client": 0.5},
        5.0,
        jira_account="712020:sean",
        jira_time_zone="Europe/Dublin",
        github_login="smurphy",
        github_location="Dublin, Ireland",
    ),
    Engineer(
        "anna",
        "Anna Schmidt",
        "anna.schmidt@contoso.com",
        "Europe/Berlin",
        (RosterRow(DE, "Berlin", date(2019, 1, 7)),),
        {"Gateway Auth": 0.8, "Docs": 0.2},
        6.0,
        jira_account="712020:anna",
        jira_time_zone="Europe/Berlin",
    ),
    Engineer(
        "priya",
        "Priya Sharma",
        "priya.sharma@contoso.com",
        "Asia/Kolkata",
        (RosterRow(IN, "Bengaluru", date(2021, 8, 2)),),
        {"Web Client": 0.7, "Collab Cloud": 0.3},
        5.0,
        utc_machine=True,
        jira_account="712020:priya",
        jira_time_zone=None,
    ),
    Engineer(
        "dmitri",
        "Dmitri Volkov",
        "dmitri.volkov@contoso.com",
        "Europe/Moscow",
        (
            RosterRow(RU, "Moscow", date(2020, 4, 1), date(2025, 8, 31)),
            RosterRow(DE, "Berlin", date(2025, 9, 1)),
        ),
        {"Gateway Auth": 0.6, "Collab OnPrem": 0.4},
        5.0,
        moves=((date(2025, 9, 1), "Europe/Berlin"),),
        jira_account="712020:dmitri",
        jira_time_zone="Europe/Berlin",
    ),
    Engineer(
        "alena",
        "Alena Kavaliova",
        "alena.kavaliova@contoso.com",
        "Europe/Minsk",
        (RosterRow(BY, "Minsk", date(2022, 3, 1)),),
        {"Gateway Auth": 0.7, "Docs": 0.3},
        4.0,
        jira_account="712020:alena",
        jira_time_zone="Europe/Minsk",
        github_login="akavaliova",
        github_location="Minsk, Belarus",
    ),
    Engineer(
        "jorge",
        "Jorge Silva",
        "jorge.silva@contoso.com",
        "America/Sao_Paulo",
        (RosterRow(BR, "São Paulo", date(2023, 1, 9)),),
        {"Docs": 0.6, "Web Client": 0.4},
        3.0,
        jira_account="712020:jorge",
        jira_time_zone="America/Sao_Paulo",
    ),
    Engineer(
        "kenji",
        "Kenji Sato",
        "kenji.sato@contoso.com",
        "Asia/Tokyo",
        (RosterRow(JP, "Tokyo", date(2022, 10, 3)),),
        {"Collab Cloud": 1.0},
        3.0,
        jira_account="712020:kenji",
        jira_time_zone="Asia/Tokyo",
    ),
    # Roster says New York; his Jira profile and every commit say +0800 Shanghai: a conflict.
    Engineer(
        "mark",
        "Mark Chen",
        "mark.chen@contoso.com",
        "Asia/Shanghai",
        (RosterRow(US, "New York", date(2023, 5, 1)),),
        {"Gateway Auth": 1.0},
        3.0,
        jira_account="712020:mark",
        jira_time_zone="Asia/Shanghai",
    ),
)

BOT_NAME = "dependabot[bot]"
BOT_EMAIL = "49699333+dependabot[bot]@users.noreply.github.com"

COMMITS_PER_REPO = {"collab-server": 1500, "collab-gateway": 700}
HIGH_RISK_TEAM = ("wei", "lina", "chen")  # the Shanghai team on the on-prem core
REVIEWER = "dana"  # `Reviewed-by:` on part of the high-risk team's commits
REVIEWED_SHARE = 0.4


@dataclass(frozen=True)
class Planted:
    """Where the spec plants each scenario (engineer keys)."""

    high_risk_team: tuple[str, ...] = HIGH_RISK_TEAM
    reviewer: str = REVIEWER
    relocation: str = "dmitri"  # RU -> DE on 2025-09-01
    plus_0800_pair: tuple[str, str] = ("wei", "meiling")  # CN and SG, both +0800
    utc_machine: str = "priya"
    mailmap_alias: str = "chen"
    conflict: str = "mark"  # roster US vs Jira zone and offsets in CN
    elevated: str = "alena"  # BY
    bot_email: str = BOT_EMAIL
    expected_rules: tuple[str, ...] = field(default=("PV101", "PV102", "PV105", "PV106"))


PLANTED = Planted()


def engineer(key: str) -> Engineer:
    return next(e for e in ENGINEERS if e.key == key)


def roster_country(key: str, day: date) -> str | None:
    """The roster country of engineer `key` on `day` (ground truth for resolution tests)."""
    for row in engineer(key).roster:
        if (row.valid_from is None or row.valid_from <= day) and (
            row.valid_to is None or day <= row.valid_to
        ):
            return row.country
    return None
