"""The git collector on real repositories: every field, pathological content, merges, mailmap."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from collectors.git import GitCollector, Revisions
from collectors.git_mirror import mirror
from collectors.interface import CommitRecord
from tests.collectors.git_helpers import empty_tree, raw_commit
from tests.gitrepo import GitRepo, Who, git

WEI = Who("Wei Zhang", "wei@contoso.cn")
DANA = Who("Dana Ortiz", "dana@contoso.com")
ANIL = Who("Anil Rao", "anil@contoso.com")


def mine(repo_path: Path, tmp_path: Path, ref: str = "HEAD") -> list[CommitRecord]:
    git_dir = mirror(str(repo_path), tmp_path / "mirrors" / f"{repo_path.name}.git").git_dir
    head = git(git_dir, "rev-parse", ref).strip()
    return list(GitCollector(git_dir, Revisions((head,)), mailmap_ref=head).collect())


def by_message(records: list[CommitRecord]) -> dict[str, CommitRecord]:
    return {r.message.splitlines()[0] if r.message else "": r for r in records}


def test_fields_trailers_renames_binary_and_merges(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    repo.commit(
        "Add core",
        author=WEI,
        date="2025-03-01T10:00:00+0800",
        files={"src/onprem/core.py": "a\nb\nc\n", "logo.png": b"\x89PNG\x00\x01"},
    )
    repo.commit(
        "Harden NTLM fallback SPO-1423\n\nReviewed-by: Dana Ortiz <dana@contoso.com>\n"
        "Signed-off-by: Wei Zhang <wei@contoso.cn>\n",
        author=WEI,
        date="2025-07-01T09:30:00+0800",
        committer=DANA,
        commit_date="2025-07-01T08:00:00-0700",
        files={"src/onprem/core.py": "a\nB\nc\nd\n"},
    )
    git(repo.path, "mv", "src/onprem/core.py", "src/onprem/engine.py")
    repo.commit("Rename", author=ANIL, date="2025-08-01T12:00:00+0530")
    git(repo.path, "checkout", "-q", "-b", "side", "HEAD~1")
    repo.commit(
        "Side work", author=ANIL, date="2025-08-02T12:00:00+0545", files={"side.txt": "x\n"}
    )
    git(repo.path, "checkout", "-q", "main")
    git(
        repo.path,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge side",
        "side",
        env={
            "GIT_AUTHOR_NAME": DANA.name,
            "GIT_AUTHOR_EMAIL": DANA.email,
            "GIT_COMMITTER_NAME": DANA.name,
            "GIT_COMMITTER_EMAIL": DANA.email,
            "GIT_AUTHOR_DATE": "2025-08-03T12:00:00-0700",
            "GIT_COMMITTER_DATE": "2025-08-03T12:00:00-0700",
        },
    )

    records = mine(repo.path, tmp_path)
    assert len(records) == repo.rev_list_count() == 5
    commits = by_message(records)

    first = commits["Add core"]
    assert first.parents == ()
    assert (first.author.name, first.author.email, first.author.offset_minutes) == (
        WEI.name,
        WEI.email,
        480,
    )
    assert first.author.timestamp == 1740794400  # 2025-03-01T02:00:00Z
    changes = {c.path: c for c in first.changes}
    assert (changes["src/onprem/core.py"].added, changes["src/onprem/core.py"].deleted) == (3, 0)
    assert changes["logo.png"].binary and changes["logo.png"].added is None

    reviewed = commits["Harden NTLM fallback SPO-1423"]
    assert reviewed.committer.name == DANA.name and reviewed.committer.offset_minutes == -420
    assert reviewed.trailers == (
        ("Reviewed-by", "Dana Ortiz <dana@contoso.com>"),
        ("Signed-off-by", "Wei Zhang <wei@contoso.cn>"),
    )
    assert [(c.path, c.added, c.deleted) for c in reviewed.changes] == [
        ("src/onprem/core.py", 2, 1)
    ]

    renamed = commits["Rename"].changes
    assert [(c.path, c.old_path, c.added, c.deleted) for c in renamed] == [
        ("src/onprem/engine.py", "src/onprem/core.py", 0, 0)
    ]
    assert commits["Rename"].author.offset_minutes == 330
    assert commits["Side work"].author.offset_minutes == 345

    merge = commits["Merge side"]
    assert merge.is_merge and len(merge.parents) == 2
    assert merge.changes == ()  # its churn is already counted in the merged commits


def test_mailmap_is_applied_as_git_applies_it(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    repo.commit(
        "one",
        author=Who("wei", "Wei.Zhang@Home.example"),
        date="2025-01-01T10:00:00+0800",
        files={".mailmap": "Wei Zhang <wei@contoso.cn> <wei.zhang@home.example>\n"},
    )
    repo.commit("two", author=WEI, date="2025-01-02T10:00:00+0800", files={"a": "1\n"})
    commits = by_message(mine(repo.path, tmp_path))
    alias = commits["one"].author
    assert (alias.name, alias.email) == ("wei", "Wei.Zhang@Home.example")  # as recorded
    assert (alias.mapped_name, alias.mapped_email) == (
        "Wei Zhang",
        "wei@contoso.cn",
    )  # case-insensitive
    expected = git(repo.path, "check-mailmap", "wei <Wei.Zhang@Home.example>").strip()
    assert expected == "Wei Zhang <wei@contoso.cn>"
    assert (commits["two"].author.mapped_name, commits["two"].author.mapped_email) == (
        WEI.name,
        WEI.email,
    )


def test_mailmap_lookups_go_to_git_in_batches(
    make_repo: Callable[..., GitRepo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One `git check-mailmap` for the new identities of many commits, not one per identity
    (on git/git, 2,791 identities: a tenth of mining was starting those processes)."""
    repo = make_repo()
    people = [Who(f"dev {n}", f"dev{n}@home.example") for n in range(30)]
    repo.commit(
        "mailmap",
        author=WEI,
        date="2025-01-01T10:00:00+0800",
        files={".mailmap": "Dev Three <dev3@contoso.com> <dev3@home.example>\n"},
    )
    for day, who in enumerate(people, start=2):
        repo.commit(
            f"by {who.name}",
            author=who,
            date=f"2025-01-{day:02d}T10:00:00+0800",
            files={"a": who.name},
        )
    # a `git` first on PATH that notes each check-mailmap, then runs the real one
    shim, calls = tmp_path / "shim", tmp_path / "calls"
    shim.mkdir()
    real = shutil.which("git")
    (shim / "git").write_text(
        f'#!/bin/sh\ncase " $* " in *" check-mailmap "*) echo x >> "{calls}";; esac\n'
        f'exec "{real}" "$@"\n'
    )
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    commits = by_message(mine(repo.path, tmp_path))
    assert len(calls.read_text().splitlines()) == 1
    mapped = {(r.author.name, r.author.mapped_email) for r in commits.values()}
    assert ("dev 3", "dev3@contoso.com") in mapped and ("dev 4", "dev4@home.example") in mapped
    assert len(mapped) == 31


def test_latin1_message_is_decoded_per_encoding_header(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    repo.commit(
        "Corrigé l'accès réseau".encode("latin-1"),
        author=Who("José Núñez", "jose@contoso.es"),
        date="2025-02-01T10:00:00+0100",
        encoding="ISO-8859-1",
        files={"a": "1\n"},
    )
    (record,) = mine(repo.path, tmp_path)
    assert record.encoding == "ISO-8859-1"
    assert record.message.strip() == "Corrigé l'accès réseau"
    assert record.author.name == "José Núñez"
    assert "undecodable-message" not in record.flags


def test_undeclared_non_utf8_message_is_flagged_not_lost(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    tree = empty_tree(repo.path)
    raw_commit(
        repo.path,
        f"tree {tree}\nauthor A <a@x> 1700000000 +0100\n"
        f"committer A <a@x> 1700000000 +0100\n\n".encode()
        + b"caf\xe9\n",
    )
    (record,) = mine(repo.path, tmp_path)
    assert record.message == "caf\\xe9\n"
    assert "undecodable-message" in record.flags


def test_unusual_paths(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    repo = make_repo()
    repo.write(b"latin-\xe9.txt", "x\n")
    repo.commit(
        "odd paths",
        author=WEI,
        date="2025-01-01T10:00:00+0800",
        files={"dir/new\nline.txt": "a\n", "tab\there.txt": "b\n", "spaces and ü.txt": "c\n"},
    )
    (record,) = mine(repo.path, tmp_path)
    paths = sorted(c.path for c in record.changes)
    assert paths == sorted(
        ["dir/new\nline.txt", "tab\there.txt", "spaces and ü.txt", "latin-\\xe9.txt"]
    )
    assert "non-utf8-path" in record.flags


@pytest.mark.parametrize(
    ("ident", "expected_email", "offset", "timestamp", "flags"),
    [
        (b"No Mail <> 1700000000 +0000", "", 0, 1700000000, {"missing-author-email"}),
        (b"<> 1700000000 +0200", "", 120, 1700000000, {"missing-author-email"}),
        (b"Bogus Zone <b@x> 1700000000 +9999", "b@x", None, 1700000000, {"bogus-author-offset"}),
        # seen in psf/requests: git log prints +51800 and shifts the date by 52 hours
        (b"Six Digits <s@x> 1313584730 +051800", "s@x", None, 1313584730, {"bogus-author-offset"}),
        (b"No Date <d@x>", "d@x", None, 0, {"bogus-author-date", "bogus-author-offset"}),
        (b"Before Epoch <e@x> -86400 -0500", "e@x", -300, -86400, set()),
        (b"Far Future <f@x> 4102444800 +1400", "f@x", 840, 4102444800, set()),
        (b"Absurd <f@x> 99999999999999999999 +0000", "f@x", 0, 253402300799, {"bogus-author-date"}),
    ],
)
def test_pathological_identities_are_stored_or_flagged(
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
    ident: bytes,
    expected_email: str,
    offset: int | None,
    timestamp: int,
    flags: set[str],
) -> None:
    repo = make_repo()
    tree = empty_tree(repo.path)
    raw_commit(
        repo.path,
        f"tree {tree}\n".encode()
        + b"author "
        + ident
        + b"\ncommitter C <c@x> 1700000000 +0000\n\nmessage\n",
    )
    (record,) = mine(repo.path, tmp_path)
    assert record.author.email == expected_email
    assert record.author.offset_minutes == offset
    assert record.author.timestamp == timestamp
    assert flags <= set(record.flags)
    if not flags:
        assert not [
            f for f in record.flags if f.endswith("author-offset") or f.endswith("author-date")
        ]


def test_nul_in_message_is_kept_and_flagged(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    tree = empty_tree(repo.path)
    raw_commit(
        repo.path,
        f"tree {tree}\nauthor A <a@x> 1700000000 +0000\n"
        f"committer A <a@x> 1700000000 +0000\n\n".encode()
        + b"before\x00after\n",
    )
    (record,) = mine(repo.path, tmp_path)
    assert record.message == "before\x00after\n"
    assert "nul-in-message" in record.flags


def test_submodule_is_a_change_not_a_recursion(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    lib = make_repo("lib")
    lib.commit("lib", author=ANIL, date="2025-01-01T10:00:00+0530", files={"lib.c": "int x;\n"})
    repo = make_repo("app")
    repo.commit("base", author=WEI, date="2025-01-01T10:00:00+0800", files={"a": "1\n"})
    git(
        repo.path,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(lib.path),
        "vendor/lib",
    )
    repo.commit("Add submodule", author=WEI, date="2025-01-02T10:00:00+0800")
    commits = by_message(mine(repo.path, tmp_path))
    paths = {c.path for c in commits["Add submodule"].changes}
    assert paths == {".gitmodules", "vendor/lib"}


def test_empty_repository_yields_nothing(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    repo = make_repo()
    git_dir = mirror(str(repo.path), tmp_path / "mirrors" / "empty.git").git_dir
    result = subprocess.run(
        ["git", "--git-dir", str(git_dir), "rev-parse", "--verify", "-q", "HEAD"],
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0


def test_shallow_clone_is_mined_to_its_boundary(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    for day in range(1, 6):
        repo.commit(
            f"c{day}", author=WEI, date=f"2025-01-0{day}T10:00:00+0800", files={"a": f"{day}\n"}
        )
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(shallow)], check=True
    )
    records = mine(shallow, tmp_path)
    assert [r.message.strip() for r in records] == ["c5", "c4"]


@pytest.mark.parametrize("codec", ["undefined", "idna", "punycode", "hex"])
def test_unusable_encoding_header_decodes_as_utf8_and_flags_the_commit(
    make_repo: Callable[..., GitRepo], tmp_path: Path, codec: str
) -> None:
    """Python refuses these codecs for commit text (UnicodeError): collection went on stopping."""
    repo = make_repo()
    repo.commit(
        "Réseau: ü\xff".encode("utf-8", "surrogateescape")[:-2] + b"\xff",
        author=Who("José Núñez", "jose@contoso.es"),
        date="2025-02-01T10:00:00+0100",
        encoding=codec,
        files={"a": "1\n"},
    )
    repo.commit(
        "after",
        author=Who("Ann", "ann@x.example"),
        date="2025-02-02T10:00:00+0100",
        allow_empty=True,
    )
    records = by_message(mine(repo.path, tmp_path))
    (odd,) = [r for r in records.values() if r.encoding == codec]
    assert odd.message.startswith("Réseau: ")
    assert "\\xff" in odd.message  # the undecodable byte stays visible
    assert "unsupported-encoding" in odd.flags
    assert odd.author.name == "José Núñez"
    assert "after" in records


def test_a_name_with_a_line_separator_does_not_unmap_its_batch(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    """An attack on the batched lookup: a name holding characters Python counts as line
    breaks (U+2028, FS) must not shift or discard the `.mailmap` answers of the others."""
    repo = make_repo()
    repo.commit(
        "mailmap",
        author=WEI,
        date="2025-01-01T10:00:00+0800",
        files={".mailmap": "Dev Three <dev3@contoso.com> <dev3@home.example>\n"},
    )
    for day, who in enumerate(
        [Who("Eve\u2028Mallory\x1cX", "eve@evil.example"), Who("dev 3", "dev3@home.example")],
        start=2,
    ):
        repo.commit(
            f"by {day}", author=who, date=f"2025-01-{day:02d}T10:00:00+0800", files={"a": str(day)}
        )
    commits = by_message(mine(repo.path, tmp_path))
    assert (commits["by 3"].author.mapped_email) == "dev3@contoso.com"
    assert commits["by 2"].author.name == "Eve\u2028Mallory\x1cX"
    assert commits["by 2"].author.mapped_email == "eve@evil.example"
