"""`auditor.toml`: parsed with tomllib, validated with pydantic.

Every error names the file, the key path and, where it can be found, the line,
and is raised as `ConfigError` (the CLI prints it and exits 2). Unknown keys are
rejected with the closest known key as a suggestion. Paths are relative to the
configuration file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
import zoneinfo
from collections.abc import Collection
from datetime import date
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from auditor.kernel.config_file import DEFAULT_CONFIG_NAME
from auditor.kernel.countries import NOT_WORK_JURISDICTIONS, iso_codes, work_jurisdictions
from auditor.kernel.enums import (
    COLLECTOR_ENTRY_POINTS,
    ApiKind,
    Sensitivity,
    Severity,
    Tier,
    TrackerKind,
)
from auditor.kernel.errors import ConfigError
from auditor.kernel.tracker_columns import COLUMNS_BY_KIND

# The default `[locations] exclude_countries` (see auditor/resolve/locations/zones.py).
DEFAULT_EXCLUDED = NOT_WORK_JURISDICTIONS


def _any_country(value: str) -> str:
    code = value.strip().upper()
    if code not in iso_codes():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _country(value: str) -> str:
    code = _any_country(value)
    if code not in work_jurisdictions():
        raise ValueError(f"{value!r} is no work jurisdiction (nobody is employed there)")
    return code


Country = Annotated[str, AfterValidator(_country)]  # ISO 3166-1 alpha-2, a work jurisdiction
AnyCountry = Annotated[str, AfterValidator(_any_country)]  # any ISO 3166-1 alpha-2 code


def _default_sensitive() -> list[Sensitivity]:
    return [Sensitivity.CRITICAL, Sensitivity.HIGH]


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Strict):
    url: str = "sqlite:///.auditor/audit.db"
    mirrors: str = ".auditor/mirrors"  # sanitized bare copies of the repositories we mine


class GitSource(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    path: str
    branch: str | None = None

    @property
    def is_remote(self) -> bool:
        # URLs, transport-helper syntax ("ext::..."; refused later) and scp-like "user@host:path"
        return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*(://|::)", self.path)) or (
            ":" in self.path and "@" in self.path.split(":", 1)[0]
        )


# Keys of the live API kinds (docs/sources.md, "Live API sources"); `repo` means the GitHub
# repository ("owner/name") for github-api, and `git` names the [[git]] source its `#123` refer to.
_API_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind -> (required, optional)
    "github-api": (("repo",), ("api_url", "token_env", "git")),
    "jira-api": (("url", "jql", "token_env"), ("user_env",)),
    "ado-api": (("organization_url", "project", "wiql", "token_env"), ()),
}
_ALL_API_KEYS = frozenset(k for req, opt in _API_KEYS.values() for k in (*req, *opt))
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# What tokens look like (GitHub's prefixes, long opaque strings): such a value in
# `token_env` is a pasted secret, and is refused without being repeated.
_TOKEN_SHAPE = re.compile(r"^(gh[pousr]_|github_pat_|ATATT)|^[A-Za-z0-9+/=_-]{40,}$")


_UNSUPPORTED = re.compile(r"\b(order\s+by|asof|workitemlinks)\b", re.IGNORECASE)


def wiql_problem(wiql: str) -> str | None:
    """Why a configured WIQL cannot be narrowed by the collector, or None."""
    if not re.match(r"^\s*select\b.*\bfrom\s+workitems\b", wiql, re.IGNORECASE | re.DOTALL):
        return "must be 'SELECT [System.Id] FROM WorkItems [WHERE …]'"
    bad = _UNSUPPORTED.search(wiql)
    if bad:
        return f"leave out {bad.group(1).upper()!r}: the collector orders by ChangedDate itself"
    return None


def _api_url_problem(value: str) -> str | None:
    """Why `value` is not an API base URL we send a token to, or None."""
    parts = urlsplit(value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return "must be an https:// URL (http only for a local test server)"
    if not parts.hostname:
        return "has no host"
    if parts.username or parts.password:
        return "must not hold credentials; name the variable with the token in token_env"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def tracker_kinds() -> list[str]:
    """The built-in tracker kinds and the names of plug-ins' `auditor.collectors` entry points."""
    plugins = {point.name for point in entry_points(group=COLLECTOR_ENTRY_POINTS)}
    return [*TrackerKind, *ApiKind, *sorted(plugins - set(TrackerKind) - set(ApiKind))]


def _tracker_kind(value: str) -> str:
    kinds = tracker_kinds()
    if value not in kinds:
        spelled = [repr(str(kind)) for kind in kinds]
        expected = ", ".join(spelled[:-1]) + f" or {spelled[-1]}"
        raise PydanticCustomError(
            "tracker_kind", "Input should be {expected}", {"expected": expected}
        )
    return value


class TrackerSource(_Strict):
    kind: Annotated[str, AfterValidator(_tracker_kind)]
    path: str | None = None  # the export file (file kinds only)
    name: str | None = None  # defaults to the file name (API kinds: see `default_name`)
    date_format: str | None = None  # strptime format for locale-dependent dates
    # github-json / gitlab-json: the [[git]] name whose commits `#123` / `!12` refer to;
    # github-api: the GitHub repository, "owner/name".
    repo: str | None = None
    git: str | None = None  # github-api: the [[git]] name whose commits `#123` refers to
    api_url: str | None = None  # github-api: default https://api.github.com
    url: str | None = None  # jira-api: the site
    jql: str | None = None
    user_env: str | None = None  # jira-api Cloud: variable holding the account's e-mail
    token_env: str | None = None  # variable holding the token; never the token itself
    organization_url: str | None = None  # ado-api
    project: str | None = None
    wiql: str | None = None
    # CSV kinds: the collector's default column name -> this export's header
    columns: dict[str, str] = Field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.kind in set(ApiKind)

    @property
    def default_name(self) -> str:
        """The source's name when `name` is not given: the file, repository, site or project."""
        if self.kind == "github-api":
            return str(self.repo)
        if self.kind == "jira-api":
            return f"jira:{urlsplit(self.url or '').hostname}"
        if self.kind == "ado-api":
            org = (self.organization_url or "").rstrip("/").rsplit("/", 1)[-1]
            return f"ado:{org}/{self.project}"
        return Path(self.path or "").name

    @model_validator(mode="after")
    def _keys_of_kind(self) -> TrackerSource:
        # Model-level checks: a message here never repeats the offending value, which
        # matters when someone pastes a token where a variable name belongs.
        given = {k for k in _ALL_API_KEYS if getattr(self, k) is not None}
        if not self.is_api:
            if self.path is None:
                raise ValueError(f"kind {self.kind!r} needs 'path' (the export file)")
            extra = sorted(given - {"repo"})  # `repo` is github-json's; others ignore it
            if extra:
                raise ValueError(f"kind {self.kind!r} reads a file; {extra} belong to API kinds")
            return self
        required, optional = _API_KEYS[self.kind]
        if self.path is not None or self.date_format is not None:
            raise ValueError(f"kind {self.kind!r} reads an API: 'path'/'date_format' do not apply")
        missing = [k for k in required if getattr(self, k) is None]
        if missing:
            raise ValueError(f"kind {self.kind!r} needs {missing}")
        extra = sorted(given - set(required) - set(optional))
        if extra:
            raise ValueError(f"kind {self.kind!r} does not take {extra}")
        self._check_secrets_and_urls()
        if self.kind == "github-api" and not re.match(r"^[\w.-]+/[\w.-]+$", self.repo or ""):
            raise ValueError(f"repo must be the GitHub repository 'owner/name', got {self.repo!r}")
        if self.kind == "ado-api":
            problem = wiql_problem(self.wiql or "")
            if problem:
                raise ValueError(f"wiql {problem}")
        if self.kind == "jira-api" and re.search(r"\border\s+by\b", self.jql or "", re.I):
            raise ValueError("jql: leave out ORDER BY; the collector orders by 'updated' itself")
        return self

    def _check_secrets_and_urls(self) -> None:
        for key in ("token_env", "user_env"):
            value = getattr(self, key)
            if value is None:
                continue
            if _TOKEN_SHAPE.search(value) or not _ENV_NAME.match(value):
                raise ValueError(
                    f"{key} must name an environment variable (e.g. GITHUB_TOKEN), not hold "
                    f"a secret; put the token in that variable"
                )
        for key in ("api_url", "url", "organization_url"):
            value = getattr(self, key)
            problem = _api_url_problem(value) if value is not None else None
            if problem:
                raise ValueError(f"{key} {problem}")

    @model_validator(mode="after")
    def _known_columns(self) -> TrackerSource:
        known = COLUMNS_BY_KIND.get(self.kind)
        if self.columns and known is None:
            raise ValueError(f"[tracker.columns] applies to CSV kinds only, not {self.kind!r}")
        unknown = [k for k in self.columns if known is not None and k not in known]
        if unknown:
            raise ValueError(
                f"[tracker.columns] key {unknown[0]!r} is not a column {self.kind} reads; "
                f"known: {', '.join(known or ())}"
            )
        return self


class RosterColumns(_Strict):
    email: str = "email"
    name: str = "name"
    country: str = "country"
    office: str = "office"
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    account: str = "account"  # optional: DOMAIN\user, joins Azure DevOps Server identities


class RosterSource(_Strict):
    path: str
    name: str | None = None
    columns: RosterColumns = RosterColumns()
    # false: rows that cannot be joined (no e-mail) or placed (no/unknown country) are
    # skipped with a warning naming their line; true: any such row refuses the file
    strict: bool = False


class Jurisdictions(_Strict):
    high: list[Country] = Field(default_factory=list)
    elevated: list[Country] = Field(default_factory=list)
    trusted: list[Country] | None = None  # default: every known country not high/elevated
    reasons: dict[str, str] = Field(default_factory=dict)

    @field_validator("reasons")
    @classmethod
    def _reason_codes(cls, value: dict[str, str]) -> dict[str, str]:
        return {_country(k): v for k, v in value.items()}

    @model_validator(mode="after")
    def _disjoint(self) -> Jurisdictions:
        both = set(self.high) & set(self.elevated)
        if both:
            raise ValueError(f"countries in both high and elevated: {sorted(both)}")
        return self

    def tier(self, country: str | None) -> str | None:
        """'high', 'elevated', 'trusted' or None (unknown country / untrusted by policy)."""
        return jurisdiction_tier(country, self.high, self.elevated, self.trusted)


def jurisdiction_tier(
    country: str | None,
    high: Collection[str],
    elevated: Collection[str],
    trusted: Collection[str] | None,
) -> str | None:
    """'high', 'elevated', 'trusted', or None (unknown, or outside an explicit `trusted` list)."""
    if country is None:
        return None
    if country in high:
        return Tier.HIGH
    if country in elevated:
        return Tier.ELEVATED
    if trusted is None or country in trusted:
        return Tier.TRUSTED
    return None


class ComponentConfig(_Strict):
    name: str = Field(min_length=1)
    sensitivity: Sensitivity = Sensitivity.NORMAL
    tags: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)  # "repo:glob" (gitignore semantics)
    jira: list[str] = Field(default_factory=list)
    ado_area: list[str] = Field(default_factory=list)
    github: list[str] = Field(default_factory=list)  # labels
    # Imports (auditor.resolve.components): CODEOWNERS owners ("@org/team", "dev@x.com") whose
    # paths, in every [[git]] repository's CODEOWNERS, join this component; Backstage
    # `catalog-info.yaml` components (metadata.name) whose folder joins it.
    codeowners: list[str] = Field(default_factory=list)
    backstage: list[str] = Field(default_factory=list)

    @field_validator("paths")
    @classmethod
    def _repo_globs(cls, value: list[str]) -> list[str]:
        for item in value:
            repo, sep, glob = item.partition(":")
            if not sep or not repo or not glob:
                raise ValueError(
                    f"{item!r} must be 'repo:glob', e.g. 'collab-server:src/onprem/**'"
                )
        return value


class PolicyConfig(_Strict):
    window_days: int = Field(default=180, ge=1, le=3660)
    fail_on: Severity = Severity.HIGH
    sensitive: list[Sensitivity] = Field(default_factory=_default_sensitive)
    high_risk_share: float = Field(default=0.25, ge=0, le=1)  # PV101 (lower bound)
    ambiguous_share: float = Field(default=0.25, ge=0, le=1)  # PV103 (upper bound)
    unknown_share: float = Field(default=0.30, ge=0, le=1)  # PV104
    share_rise: float = Field(default=0.10, ge=0, le=1)  # PV108, against the previous window
    min_churn: int = Field(default=1, ge=0)  # components below this churn are not judged
    # Findings below this confidence are reported but do not fail `check`.
    fail_on_confidence: Literal["high", "medium", "low"] = "medium"


class WaiverConfig(_Strict):
    rule: str | None = Field(default=None, pattern=r"^PV\d{3}$")
    component: str | None = None
    subject: str | None = None
    fingerprint: str | None = None
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    ticket: str | None = None
    expires: date

    @model_validator(mode="after")
    def _matches_something(self) -> WaiverConfig:
        if not self.fingerprint and not (self.rule and self.component):
            raise ValueError("a waiver needs 'fingerprint', or 'rule' and 'component'")
        return self

    @property
    def id(self) -> str:
        """A short stable id: the hash of the waiver's canonical JSON, as the audit export
        and the stored findings name it (any edit of its terms gives another id)."""
        body = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return "W-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


class OverrideConfig(_Strict):
    """An explicit location for a person, e.g. confirmed by HR outside the roster."""

    email: str
    country: Country
    valid_from: date | None = None
    valid_to: date | None = None
    reason: str = ""


class IdentityConfig(_Strict):
    bots: list[str] = Field(default_factory=list)  # e-mails or name patterns (fnmatch)
    merge: list[list[str]] = Field(default_factory=list)  # groups of e-mails of one person
    split: list[str] = Field(default_factory=list)  # e-mails never merged by name
    corporate_domains: dict[str, Country] = Field(default_factory=dict)  # domain -> country
    # Zones a tracker reports for accounts that hide theirs (a Jira site's default time
    # zone): the same for everyone who hid it, so it says nothing about where they work.
    tracker_default_zones: list[str] = Field(default_factory=list)

    @field_validator("tracker_default_zones")
    @classmethod
    def _known_zones(cls, value: list[str]) -> list[str]:
        unknown = [zone for zone in value if zone not in _iana_zones()]
        if unknown:
            raise ValueError(f"not IANA time zones: {unknown} (e.g. 'Europe/Berlin')")
        return value


class LocationsConfig(_Strict):
    # Countries whose zones are never candidates for commit offsets: no resident
    # engineering population (Antarctic stations, uninhabited or military islands).
    exclude_countries: list[AnyCountry] = Field(default_factory=lambda: list(DEFAULT_EXCLUDED))


class LinksConfig(_Strict):
    patterns: list[str] = Field(
        default_factory=lambda: [
            r"\b[A-Z][A-Z0-9]+-\d+\b",  # Jira
            r"\bAB#\d+\b",  # Azure Boards
            r"(?<![\w/])#\d+\b",  # GitHub and GitLab issues, GitHub pull requests
            r"(?<![\w/])!\d+\b",  # GitLab merge requests
        ]
    )

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
        return value


class AuditorConfig(_Strict):
    store: StoreConfig = StoreConfig()
    git: list[GitSource] = Field(default_factory=list)
    tracker: list[TrackerSource] = Field(default_factory=list)
    roster: list[RosterSource] = Field(default_factory=list)
    jurisdictions: Jurisdictions = Jurisdictions()
    components: list[ComponentConfig] = Field(default_factory=list)
    policy: PolicyConfig = PolicyConfig()
    waivers: list[WaiverConfig] = Field(default_factory=list)
    overrides: list[OverrideConfig] = Field(default_factory=list)
    identity: IdentityConfig = IdentityConfig()
    links: LinksConfig = LinksConfig()
    locations: LocationsConfig = LocationsConfig()

    @model_validator(mode="after")
    def _unique_names(self) -> AuditorConfig:
        for label, names in (
            ("git", [g.name for g in self.git]),
            ("components", [c.name for c in self.components]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"duplicate {label} name {name!r}")
                seen.add(name)
        repos = {g.name for g in self.git}
        for comp in self.components:
            for item in comp.paths:
                repo = item.partition(":")[0]
                if repos and repo not in repos:
                    raise ValueError(
                        f"component {comp.name!r}: path {item!r} names repository {repo!r}, "
                        f"not one of [[git]] names {sorted(repos)}"
                    )
        return self


class LoadedConfig:
    """A validated configuration plus where it came from (to resolve relative paths)."""

    def __init__(self, config: AuditorConfig, path: Path, raw_bytes: bytes):
        self.config = config
        self.path = path
        self.base = path.parent.absolute()  # messages and mirrors need absolute paths
        self.raw_bytes = raw_bytes

    def resolve(self, relative: str) -> Path:
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else (self.base / candidate)

    @property
    def store_url(self) -> str:
        """The store URL, with a relative SQLite path taken relative to the config file."""
        url = self.config.store.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith("sqlite:////"):
            rest = url[len(prefix) :]
            if rest and rest != ":memory:":
                return prefix + str(self.resolve(rest).resolve())
        return url

    def where(self, *loc: str | int) -> str:
        """'auditor.toml:12' for the key at `loc` (e.g. "tracker", 0, "path"), for messages."""
        line = _find_line(self.raw_bytes.decode("utf-8"), loc)
        return f"{self.path}:{line}" if line else str(self.path)

    def git_location(self, source: GitSource) -> str:
        return source.path if source.is_remote else str(self.resolve(source.path))


def load_config(path: Path | str) -> LoadedConfig:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(
            "configuration file not found (create one with `auditor init`)", location=str(path)
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", location=str(path)) from exc
    return config_from_bytes(raw, path)


def config_from_bytes(raw: bytes, path: Path, label: str | None = None) -> LoadedConfig:
    """The configuration in `raw`, as if read from `path` (e.g. the file as of a revision).

    `label` names the source in messages instead of `path` ("auditor.toml at abc123").
    """
    where_path = label or str(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"not UTF-8 (byte {exc.start}); save the file as UTF-8",
            location=f"{where_path}:{line}",
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        where = f"{where_path}:{match.group(1)}" if match else where_path
        raise ConfigError(f"invalid TOML: {exc}", location=where) from exc
    return LoadedConfig(parse_config(data, path=where_path, text=text), path, raw)


def parse_config(
    data: dict[str, Any], *, path: str = DEFAULT_CONFIG_NAME, text: str = ""
) -> AuditorConfig:
    try:
        return AuditorConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A typo ("knd") yields both "unknown key" and "Field required": name the typo.
        error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(error["loc"])
        key = _dotted(loc)
        line = _find_line(text, loc)
        where = f"{path}:{line}" if line else path
        message = _explain(error, loc)
        raise ConfigError(message, location=where, field=key) from exc


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: Any, loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(unknown, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return f"unknown key {unknown!r}{hint}"
    msg = str(error["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if (
        "input" in error
        and kind not in ("missing",)
        and not isinstance(error["input"], dict | list)
    ):
        return f"{msg} (got {error['input']!r})"
    return msg


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = AuditorConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return []
    return sorted(model.model_fields)


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of the key at `loc` (tomllib reports no positions after parsing)."""
    if not text or not loc:
        return None
    lines = text.splitlines()
    table_parts = [p for p in loc if isinstance(p, str)]
    section = str(loc[0])
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    key = table_parts[-1] if len(table_parts) > 1 else None
    header_re = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    current = ""
    seen_count = -1
    in_target = False
    target_start = None
    for number, line in enumerate(lines, start=1):
        header = header_re.match(line)
        if header:
            current = header.group(1)
            if current == section:
                if line.lstrip().startswith("[["):
                    seen_count += 1
                    in_target = index is None or seen_count == index
                else:
                    in_target = True
                if in_target:
                    target_start = number
            else:
                in_target = current.startswith(section + ".") and (index is None)
            continue
        if in_target and key and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
        if (
            not current
            and len(table_parts) == 1
            and re.match(rf"^\s*{re.escape(section)}\s*=", line)
        ):
            return number
    return target_start
