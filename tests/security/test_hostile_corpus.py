"""The hostile corpus: every attack we can plant, run end to end through the real CLI.

One row per vector (`VECTORS`): how to plant it in a fresh workspace, the
command, and what must hold afterwards. Each row runs the installed `auditor`
entry point in a subprocess whose current directory is the (hostile)
workspace, with a hard timeout as the bound on time. To add a vector, add a
row: a `plant` function that writes into the workspace (and may return extra
text that must not appear in the output), the argv after `auditor`, and the
checks (`status`, `markers` that must not exist, `absent` output text,
`absent_line_starts`).

Docs: docs/security.md lists the boundaries these rows enforce.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.collectors.test_git_hostile import _hostile_repo
from tests.gitrepo import BASE_ENV, GitRepo, Who, git

AS_OF = "2026-10-01"
TIMEOUT_SECONDS = 120  # a hang guard, not a speed measurement
ENTRY_POINT = Path(sys.executable).with_name("auditor")
ALICE = Who("Alice Dunne", "alice@corp.example")
# A name and message built to do harm where they are printed.
EVIL_NAME = "Bo\x1b]8;;http://evil\x07 [bold red]Zhang[/]\u202e"
EVIL_MESSAGE = "fix\n\n::add-mask::secret\n  ::stop-commands::x\n##[group]fake\x1b[2J"
EVIL = Who(EVIL_NAME, "bo@corp.example")
# PV109's message starts with the name: a report line "    ::add-mask::..." unless neutralised.
EVIL_ROSTER_NAME = "::add-mask::Bo ##[group] [bold red]Zhang[/] \x1b[2J\u202e"
INJECTED = ("\x1b", "\u202e", "##[")  # must never reach a CI log
CONFIG = """
[[git]]
name = "server"
path = "repos/server"

[[roster]]
path = "roster.csv"

[jurisdictions]
high = ["CN"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/**"]
"""


@dataclass(frozen=True)
class Vector:
    name: str
    plant: Callable[[Path], None]
    argv: tuple[str, ...]
    status: frozenset[int]  # acceptable exit statuses
    markers: tuple[str, ...] = ()  # files (relative to the workspace) that must not exist
    absent: tuple[str, ...] = ()  # text that must appear in neither stdout nor stderr
    absent_line_starts: tuple[str, ...] = ()  # no output line may start so (after blanks)
    present: tuple[str, ...] = field(default=())  # text that must appear (the vector was seen)


def _workspace(root: Path, *, author: Who = EVIL, message: str = EVIL_MESSAGE) -> GitRepo:
    repo = GitRepo(root / "repos" / "server")
    repo.commit("start", author=ALICE, date="2026-06-01T10:00:00+0100", files={"src/a.c": "a\n"})
    repo.commit(
        message, author=author, date="2026-08-01T10:00:00+0800", files={"src/b.c": "b\n" * 20}
    )
    # The roster is an HR export from elsewhere: its names are what findings print.
    (root / "roster.csv").write_text(
        "email,name,country\nalice@corp.example,Alice Dunne,IE\n"
        f"bo@corp.example,{EVIL_ROSTER_NAME},CN\n",
        encoding="utf-8",
    )
    (root / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    return repo


def plant_log_injection(root: Path) -> None:
    _workspace(root)


def plant_hostile_git_config(root: Path) -> None:
    repo = _workspace(root)
    _hostile_repo(repo, root / "markers")


def plant_hostile_current_directory(root: Path) -> None:
    """The workspace is itself a git repository with config that runs programs, and holds
    Python modules named like the auditor's imports (a `python -m` from it would import them)."""
    _workspace(root)
    git(root, "init", "-q")
    git(root, "config", "core.fsmonitor", f"touch {root / 'markers' / 'cwd-fsmonitor'}")
    (root / "markers").mkdir(exist_ok=True)
    for module in ("typer", "rich", "sqlalchemy", "auditor"):
        (root / f"{module}.py").write_text(
            f"open({str(root / 'markers' / ('import-' + module))!r}, 'w').close()\n"
        )


def plant_self_waiving_pull_request(root: Path) -> None:
    """The audited repository tracks the configuration; the pull request waives itself."""
    repo = GitRepo(root / "repo")
    (repo.path / ".gitignore").write_text(".auditor/\n", encoding="utf-8")
    config = CONFIG.replace('path = "repos/server"', 'path = "."')
    roster = "email,name,country\nalice@corp.example,Alice Dunne,IE\nbo@corp.example,Bo Zhang,CN\n"
    repo.commit(
        "start", author=ALICE, date="2026-06-01T10:00:00+0100",
        files={"auditor.toml": config, "roster.csv": roster, "src/a.c": "a\n"},
    )  # fmt: skip
    git(repo.path, "checkout", "-q", "-b", "feature")
    waiver = (
        '\n[[waivers]]\nrule = "PV101"\ncomponent = "OnPrem"\nreason = "fine"\n'
        'approved_by = "bo@corp.example"\nexpires = "2027-01-01"\n'
        '[[waivers]]\nrule = "PV106"\ncomponent = "OnPrem"\nreason = "fine"\n'
        'approved_by = "bo@corp.example"\nexpires = "2027-01-01"\n'
    )
    repo.commit(
        "tweak", author=Who("Bo Zhang", "bo@corp.example"), date="2026-08-01T10:00:00+0800",
        files={"src/b.c": "b\n" * 20, "auditor.toml": config + waiver},
    )  # fmt: skip


def _signed_export(root: Path) -> tuple[Path, Path]:
    _workspace(root)
    run = _auditor(root, "keygen", "key.pem")
    assert run.returncode == 0, run.stderr
    run = _auditor(root, "collect")  # an export of nothing is refused
    assert run.returncode == 0, run.stderr
    run = _auditor(root, "export", "--period", "2026-Q3", "-o", "q3.json", "--sign", "key.pem")
    assert run.returncode == 0, run.stderr
    return root / "q3.json", root / "key.pub.pem"


def plant_rehashed_export(root: Path) -> None:
    """Change a figure and recompute the plain hash: only the signature can tell."""
    from auditor.audit_export.canonical import body_sha256, render
    from auditor.audit_export.verify import load_document

    path, _ = _signed_export(root)
    document = load_document(path)
    document["components"][0]["activity"]["churn"] += 1000
    document["integrity"]["sha256"] = body_sha256(document)
    path.write_bytes(render(document))


def plant_deep_json(root: Path) -> None:
    (root / "q3.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)


def plant_duplicate_key_export(root: Path) -> None:
    (root / "q3.json").write_bytes(b'{"schema_version": 3, "schema_version": 1}')


def plant_huge_key(root: Path) -> None:
    (root / "q3.json").write_bytes(b"{}")
    (root / "key.pub.pem").write_bytes(b"-----BEGIN PUBLIC KEY-----\n" + b"A" * 10_000_000)


def plant_hostile_config_text(root: Path) -> None:
    """Waiver text from the configuration (a workspace from elsewhere) printed in CI logs."""
    _workspace(root)
    with (root / "auditor.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[waivers]]\nrule = "PV999"\ncomponent = "OnPrem"\n'
            'reason = "::add-mask::x ##[error]y \\u001b[31m"\n'
            'approved_by = "::warning::z"\nexpires = "2020-01-01"\n'
        )


def plant_promisor_partial_clone(root: Path) -> None:
    """A partial clone runs `remote.origin.uploadpack` to fetch what it lacks; a --range
    naming a revision it does not have would make git in the clone fetch it."""
    origin = GitRepo(root / "origin")
    git(origin.path, "config", "uploadpack.allowFilter", "true")
    for day in range(1, 4):
        origin.commit(
            f"c{day}", author=ALICE, date=f"2026-06-0{day}T10:00:00+0100",
            files={"src/a.c": f"{day}\n" * day},
        )  # fmt: skip
    server = root / "repos" / "server"
    server.parent.mkdir(parents=True)
    git(root, "clone", "-q", "--filter=blob:none", f"file://{origin.path}", str(server))
    (root / "markers").mkdir()
    script = root / "uploadpack.sh"
    script.write_text(
        f'#!/bin/sh\ntouch {root / "markers" / "uploadpack"}\nexec git-upload-pack "$@"\n'
    )
    script.chmod(0o755)
    git(server, "config", "remote.origin.uploadpack", str(script))
    (root / "roster.csv").write_text("email,name,country\n", encoding="utf-8")
    (root / "auditor.toml").write_text(CONFIG, encoding="utf-8")


def plant_borrowed_objects(root: Path) -> None:
    """The repository borrows another one's objects (`objects/info/alternates`): that
    history, with its author, must not be mined as this repository's."""
    other = GitRepo(root / "elsewhere")
    other.commit(
        "internal", author=Who("Mallory Secret", "mallory@elsewhere.example"),
        date="2026-05-01T10:00:00+0000", files={"s.txt": "s\n"},
    )  # fmt: skip
    server = root / "repos" / "server"
    server.parent.mkdir(parents=True)
    git(root, "clone", "-q", "--shared", str(other.path), str(server))
    GitRepo(server).commit(
        "on top", author=ALICE, date="2026-06-01T10:00:00+0100", files={"src/a.c": "a\n"}
    )
    (root / "roster.csv").write_text("email,name,country\n", encoding="utf-8")
    (root / "auditor.toml").write_text(CONFIG, encoding="utf-8")


def plant_backtracking_codeowners_and_yaml_bomb(root: Path) -> None:
    """A CODEOWNERS pattern that backtracks exponentially in a regex engine that does, a
    long file name for it, and a catalog-info.yaml whose aliases expand to 9**12 nodes."""
    repo = _workspace(root)
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 12)]
    bomb = "metadata:\n  name: bomb\nspec:\n" + "".join(f"  {line}\n" for line in levels)
    repo.commit(
        "owners", author=ALICE, date="2026-06-02T10:00:00+0100",
        files={
            ".github/CODEOWNERS": "*" + "a*" * 40 + "b @evil\n",
            "src/" + "a" * 200 + ".c": "x\n",
            "catalog-info.yaml": bomb + "kind: *l11\n",
        },
    )  # fmt: skip
    with (root / "auditor.toml").open("a", encoding="utf-8") as handle:
        handle.write('codeowners = ["@evil"]\nbackstage = ["bomb"]\n')


def plant_unusable_encoding(root: Path) -> None:
    """A commit whose `encoding` header names a codec Python refuses to decode with."""
    repo = _workspace(root)
    tree = git(repo.path, "write-tree").strip()
    parent = git(repo.path, "rev-parse", "HEAD").strip()
    raw = (
        f"tree {tree}\nparent {parent}\n"
        "author Alice Dunne <alice@corp.example> 1780000000 +0100\n"
        "committer Alice Dunne <alice@corp.example> 1780000000 +0100\n"
        "encoding undefined\n\nodd\n"
    )
    sha = git(repo.path, "hash-object", "-t", "commit", "-w", "--stdin", input=raw.encode()).strip()
    git(repo.path, "update-ref", "HEAD", sha)


CHECK = ("check", "--as-of", AS_OF)
VECTORS = [
    Vector(
        "log injection via names and messages (text)",
        plant_log_injection,
        (*CHECK, "--format", "text"),
        frozenset({1}),
        absent=INJECTED,
        absent_line_starts=("::",),
        present=("[bold red]Zhang[/]",),
    ),
    Vector(
        "log injection via names and messages (github)",
        plant_log_injection,
        (*CHECK, "--format", "github"),
        frozenset({1}),
        absent=INJECTED,
    ),
    Vector(
        "log injection via names and messages (sarif)",
        plant_log_injection,
        (*CHECK, "--format", "sarif"),
        frozenset({1}),
        absent=INJECTED,
    ),
    Vector(
        "waiver text from the configuration in a CI log",
        plant_hostile_config_text,
        (*CHECK, "--format", "text"),
        frozenset({1}),
        absent=INJECTED,
        absent_line_starts=("::",),
    ),
    Vector(
        "repository config, hooks, filters and attributes that run programs",
        plant_hostile_git_config,
        (*CHECK, "--format", "json"),
        frozenset({1}),
        markers=("markers/*",),
    ),
    Vector(
        "a hostile current directory (git config, shadowing modules)",
        plant_hostile_current_directory,
        (*CHECK, "--format", "json"),
        frozenset({1}),
        markers=("markers/*",),
    ),
    Vector(
        "a pull request that waives its own findings",
        plant_self_waiving_pull_request,
        (*CHECK, "--config", "repo/auditor.toml", "--range", "main..feature", "--format", "text"),
        frozenset({1}),
        present=("PV111", "PV101", "NEW  "),
        absent=("WAIVED",),
    ),
    Vector(
        "an export edited and re-hashed",
        plant_rehashed_export,
        ("verify", "q3.json", "--key", "key.pub.pem"),
        frozenset({1}),
        present=("signature mismatch",),
    ),
    Vector(
        "an export nested 200 000 deep",
        plant_deep_json,
        ("verify", "q3.json"),
        frozenset({2}),
        absent=("Traceback",),
    ),
    Vector(
        "an export with a duplicate key",
        plant_duplicate_key_export,
        ("verify", "q3.json"),
        frozenset({2}),
        absent=("Traceback",),
        present=("duplicate key",),
    ),
    Vector(
        "a 10 MB public key",
        plant_huge_key,
        ("verify", "q3.json", "--key", "key.pub.pem"),
        frozenset({2}),
        absent=("Traceback",),
    ),
    Vector(
        "a partial clone whose promisor runs a program on lazy fetch",
        plant_promisor_partial_clone,
        (*CHECK, "--range", "1234567890123456789012345678901234567890..HEAD"),
        frozenset({2}),
        markers=("markers/*",),
        present=("no configured repository knows both revisions",),
    ),
    Vector(
        "a repository that borrows another one's objects",
        plant_borrowed_objects,
        ("collect",),
        frozenset({2}),
        absent=("Mallory Secret",),
    ),
    Vector(
        "a backtracking CODEOWNERS pattern and a YAML alias bomb",
        plant_backtracking_codeowners_and_yaml_bomb,
        (*CHECK, "--format", "json"),
        frozenset({0, 1}),
        present=("YAML aliases expand to over 100,000 nodes",),
    ),
    Vector(
        "a commit encoding Python refuses",
        plant_unusable_encoding,
        ("collect",),
        frozenset({0}),
    ),
]


def _auditor(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        **BASE_ENV,
        "COLUMNS": "400",
    }
    env.pop("PYTHONPATH", None)  # the workspace must not be importable through the environment
    return subprocess.run(
        [str(ENTRY_POINT), *argv],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


@pytest.mark.skipif(not ENTRY_POINT.exists(), reason="the auditor entry point is not installed")
@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_hostile_vector(vector: Vector, tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    vector.plant(root)
    result = _auditor(root, *vector.argv)
    output = result.stdout + result.stderr
    assert result.returncode in vector.status, output[-2000:]
    for pattern in vector.markers:
        assert not list(root.glob(pattern)), f"executed: {sorted(root.glob(pattern))}"
    for text in vector.absent:
        assert text not in output, f"{text!r} reached the output"
    for start in vector.absent_line_starts:
        assert not [line for line in output.splitlines() if line.lstrip().startswith(start)]
    for text in vector.present:
        assert text in output, f"{text!r} missing: {output[-2000:]}"
    assert "Traceback" not in result.stderr


def test_vectors_are_uniquely_named() -> None:
    assert len({v.name for v in VECTORS}) == len(VECTORS)
