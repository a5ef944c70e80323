"""A deterministic synthetic git history, written with `git fast-import` and cached.

`synthetic_repo(cache, commits)` returns a bare repository with exactly
`commits` commits on `main` (every 200th a no-fast-forward merge of a short
side branch), built once per size and kept in `cache`. The history looks like
a real one where it matters to a miner: 300 authors with their own UTC
offsets (India's +0530 and Nepal's +0545 among them), files of a few dozen
lines edited in small hunks, new files and directories appearing over time,
renames, binary files, trailers. A branch `quarter` marks the first quarter
of the history, to compare runs on a short and a long history.

The stream goes straight into fast-import's stdin: nothing is held in memory
but the current text of each file.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path
from typing import IO

SEED = 20261123
START = 1_577_836_800  # 2020-01-01T00:00:00Z
MERGE_EVERY = 200
SIDE_COMMITS = 2
OFFSETS = (
    "-0800", "-0700", "-0500", "-0400", "-0300", "+0000", "+0100", "+0200",
    "+0300", "+0530", "+0545", "+0800", "+0900", "+1000",
)  # fmt: skip
WORDS = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
    "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
)  # fmt: skip
MAX_LINES = 120
QUARTER = "quarter"  # branch at the first quarter of the history


def synthetic_repo(cache: Path, commits: int) -> Path:
    """The bare repository with `commits` commits on main, built on first use."""
    target = cache / f"synthetic-{commits}.git"
    done = target / "synthetic-complete"
    if done.exists():
        return target
    partial = cache / f"synthetic-{commits}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(partial)], check=True)
    importer = subprocess.Popen(
        ["git", "--git-dir", str(partial), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
        env=_env(),
    )
    assert importer.stdin is not None
    try:
        _History(commits).write(importer.stdin)
        importer.stdin.close()
    finally:
        if importer.wait() != 0:
            raise RuntimeError(f"git fast-import failed with status {importer.returncode}")
    partial.rename(target)
    done.write_text(f"{commits}\n")
    return target


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


class _History:
    def __init__(self, commits: int):
        self.commits = commits
        self.rng = random.Random(SEED)
        rng = self.rng
        self.authors = [
            (f"Developer {i:03d}", f"dev{i:03d}@example{i % 7}.com", rng.choice(OFFSETS))
            for i in range(300)
        ]
        self.files: dict[str, list[str]] = {}
        self.paths: list[str] = []
        self.time = START
        self.mark = 0
        self.main_mark = 0
        self.written = 0  # commits on main, the side branches' included

    def line(self) -> str:
        rng = self.rng
        name, call = rng.choice(WORDS), rng.choice(WORDS)
        return f"    {name}_{rng.randrange(1000)} = {call}({rng.randrange(100)})"

    def new_path(self) -> str:
        rng = self.rng
        top = rng.choice(("src", "src", "src", "lib", "tests", "docs"))
        area = rng.choice(WORDS[: 6 + len(self.paths) // 400])
        return f"{top}/{area}/{rng.choice(WORDS)}_{len(self.paths)}.py"

    def edit(self, lines: list[str]) -> None:
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(lines) + 1)
            kind = rng.random()
            if kind < 0.5 or not lines:
                lines[at:at] = [self.line() for _ in range(rng.randint(1, 8))]
            elif kind < 0.8:
                del lines[at : at + rng.randint(1, 4)]
            else:
                lines[at : at + 2] = [self.line() for _ in range(rng.randint(1, 3))]
        if len(lines) > MAX_LINES:
            del lines[: len(lines) - MAX_LINES]

    def changes(self, index: int, *, side: bool = False) -> list[bytes]:
        """The file commands of one commit, and the new texts applied to `files`.

        Renames and binary files only on main: a merge restates the side
        branch's edited files, which is all it takes to keep its tree right.
        """
        rng = self.rng
        commands: list[bytes] = []
        touched: set[str] = set()
        if not side and index % 997 == 500 and len(self.paths) > 10:  # a rename now and then
            old = rng.choice(self.paths)
            new = old.replace(".py", f"_v{index}.py")
            self.paths[self.paths.index(old)] = new
            self.files[new] = self.files.pop(old)
            return [f'R "{old}" "{new}"\n'.encode()]
        if not side and index % 499 == 250:  # a binary asset
            blob = bytes(rng.randrange(256) for _ in range(512)) + b"\0"
            commands.append(_inline(f"assets/image_{index}.bin", blob))
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
            if not self.paths or rng.random() < 0.08:
                path = self.new_path()
                self.paths.append(path)
                self.files[path] = [self.line() for _ in range(rng.randint(10, 60))]
            else:
                # Recent files are edited more often, as in real projects.
                pick = int(len(self.paths) * (1 - rng.random() ** 2))
                path = self.paths[min(pick, len(self.paths) - 1)]
                if path in touched:
                    continue
                self.edit(self.files[path])
            touched.add(path)
            commands.append(_inline(path, ("\n".join(self.files[path]) + "\n").encode()))
        return commands

    def commit(
        self, ref: str, index: int, parents: list[int], commands: list[bytes]
    ) -> tuple[int, bytes]:
        """(mark, fast-import text) of one commit."""
        rng = self.rng
        name, email, offset = self.authors[int(len(self.authors) * rng.random() ** 1.5)]
        self.time += rng.randint(60, 3 * 3600)
        subject = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} handling (change {index})"
        body = f"{subject}\n\nWhy: {' '.join(rng.choices(WORDS, k=12))}.\n"
        if rng.random() < 0.3:
            rname, remail, _ = rng.choice(self.authors)
            body += f"\nReviewed-by: {rname} <{remail}>\n"
        message = body.encode()
        self.mark += 1
        out = [
            f"commit {ref}\nmark :{self.mark}\n".encode(),
            f"author {name} <{email}> {self.time} {offset}\n".encode(),
            f"committer {name} <{email}> {self.time} {offset}\n".encode(),
            f"data {len(message)}\n".encode() + message + b"\n",
        ]
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            out += [f"merge :{p}\n".encode() for p in parents[1:]]
        return self.mark, b"".join(out + commands) + b"\n"

    def write(self, stream: IO[bytes]) -> None:
        index = 0
        quarter_marked = False
        while index < self.commits:
            remaining = self.commits - index
            if index and index % MERGE_EVERY == 0 and remaining > SIDE_COMMITS:
                side_tip = self.main_mark
                side_paths: dict[str, None] = {}
                for _ in range(SIDE_COMMITS):
                    commands = self.changes(index, side=True)
                    side_paths.update(dict.fromkeys(_paths(commands)))
                    side_tip, text = self.commit("refs/heads/side", index, [side_tip], commands)
                    stream.write(text)
                    index += 1
                # The merge's tree is the side branch's: restate the files it changed.
                restate = [
                    _inline(p, ("\n".join(self.files[p]) + "\n").encode())
                    for p in side_paths
                    if p in self.files
                ]
                self.main_mark, text = self.commit(
                    "refs/heads/main", index, [self.main_mark, side_tip], restate
                )
            else:
                parents = [self.main_mark] if self.main_mark else []
                self.main_mark, text = self.commit(
                    "refs/heads/main", index, parents, self.changes(index)
                )
            stream.write(text)
            index += 1
            if not quarter_marked and index >= self.commits // 4:
                quarter_marked = True
                stream.write(f"reset refs/heads/{QUARTER}\nfrom :{self.main_mark}\n\n".encode())
        stream.write(b"reset refs/heads/side\nfrom :%d\n\ndone\n" % self.main_mark)


def _inline(path: str, data: bytes) -> bytes:
    return f'M 100644 inline "{path}"\ndata {len(data)}\n'.encode() + data + b"\n"


def _paths(commands: list[bytes]) -> list[str]:
    found = []
    for command in commands:
        head = command.split(b"\n", 1)[0]
        if head.startswith(b"M 100644 inline "):
            found.append(head[len(b"M 100644 inline ") :].strip(b'"').decode())
        elif head.startswith(b"R "):
            found.append(head.split(b'" "')[1].strip(b'"').decode())
    return found
