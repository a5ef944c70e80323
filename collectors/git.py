"""The git collector: streams commits of a (sanitized, bare) repository as records.

One `git log -z --numstat` process streams shas and per-file line counts; a
`git cat-file --batch` process beside it returns each raw commit object, which
`git_objects` parses faithfully. Nothing holds the history in memory: records
are yielded as git prints them (newest first). Merges get no file changes, so
their churn is not counted twice.
"""

from __future__ import annotations

import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, ClassVar

from auditor.kernel.errors import CollectorError, MissingObjectError
from collectors.git_lines import lines
from collectors.git_objects import RawCommit, RawIdent, decode, parse_commit, parse_trailers
from collectors.git_paths import REJECTED_FLAG, is_safe_repo_path
from collectors.git_safety import DIFF_FLAGS, popen_git, run_git
from collectors.interface import Collector, CommitRecord, FileChangeRecord, Signature

_SHA = re.compile(rb"^[0-9a-f]{40}([0-9a-f]{24})?$")
_HEADER_MARK = b"\x02"
_CHUNK = 1 << 20
_QUEUED_CHUNKS = 64  # bounded: git may run this far ahead of the parser
_COUNT_BATCH = 500  # commits per blob check when blobs are missing
_PARSED_AHEAD = 1000  # commits parsed before they become records (one mailmap lookup)


# (sha, the raw commit, its file changes, its flags): a commit parsed, not yet a record
_Parsed = tuple[str, RawCommit, list[FileChangeRecord], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Revisions:
    """What to walk: `include` minus everything reachable from `exclude`.

    Or `commits`: an explicit list, mined in that order (one range of a history
    split across processes).
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()

    def args(self) -> list[str]:
        return [*self.include, *(f"^{sha}" for sha in self.exclude)]


class MailMap:
    """`.mailmap` applied exactly as git applies it (`git check-mailmap`), cached per identity."""

    def __init__(self, git_dir: Path, ref: str):
        self.git_dir = git_dir
        # A bare repository has no work tree .mailmap; read the one committed on the mined ref.
        self.config = (("mailmap.blob", f"{ref}:.mailmap"), ("mailmap.file", ""))
        self.cache: dict[tuple[str, str], tuple[str, str]] = {}
        self.available = (
            run_git(git_dir, "cat-file", "-e", f"{ref}:.mailmap", check=False).returncode == 0
        )

    def resolve(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Look up the pairs not yet cached, in batches of command-line arguments."""
        missing = [p for p in dict.fromkeys(pairs) if p not in self.cache]
        if not self.available:
            self.cache.update({p: p for p in missing})
            return
        for start in range(0, len(missing), 200):
            batch = missing[start : start + 200]
            contacts = []
            for name, email in batch:
                # check-mailmap wants "Name <email>"; characters it cannot parse map to themselves
                if any(c in text for text in (name, email) for c in "<>\n"):
                    self.cache[(name, email)] = (name, email)
                    continue
                contacts.append((name, email))
            if not contacts:
                continue
            args = [f"{n} <{e}>" for n, e in contacts]
            result = run_git(
                self.git_dir, "check-mailmap", "--", *args, extra_config=self.config, check=False
            )
            # one line per contact (`lines`: a name with U+2028 or FS is still one line, so
            # it cannot discard the whole batch's answers)
            answers = lines(result.stdout.decode("utf-8", "replace"))
            if result.returncode != 0 or len(answers) != len(contacts):
                self.cache.update({p: p for p in contacts})
                continue
            for pair, line in zip(contacts, answers, strict=True):
                mapped = re.match(r"^(.*?) ?<([^<>]*)>$", line)
                self.cache[pair] = (mapped.group(1), mapped.group(2)) if mapped else pair

    def map(self, name: str, email: str) -> tuple[str, str]:
        if not self.available:
            return name, email
        if (name, email) not in self.cache:
            self.resolve([(name, email)])
        return self.cache[(name, email)]


class GitCollector(Collector):
    """Yields `CommitRecord`s for `revisions` of the bare repository at `git_dir`."""

    kind: ClassVar[str] = "git"

    def __init__(
        self,
        git_dir: Path,
        revisions: Revisions,
        *,
        mailmap_ref: str = "HEAD",
        mailmap: MailMap | None = None,  # one already holding answers (the ranges of a worker)
    ):
        self.git_dir = git_dir
        self.revisions = revisions
        self.mailmap = mailmap or MailMap(git_dir, mailmap_ref)
        self.missing_object: str | None = None  # the first object git could not read

    def collect(self) -> Iterator[CommitRecord]:
        """Every commit with line counts; without them where a blob it needs is missing.

        `git log --numstat` dies at the first blob it cannot read (a partial
        clone, a mirror without large blobs). The commits not yet yielded are
        then mined again with tree diffs (`--raw`, which needs no blobs): every
        commit and its paths, counted where all its blobs are present, else
        with line counts None and the commit flagged `lines-unknown`.
        `missing_object` names the first missing object.
        """
        mined: set[str] = set()
        try:
            yield from self._stream(mined, numstat=True)
        except MissingObjectError as missing:
            self.missing_object = missing.object_id
            yield from self._stream(mined, numstat=False)

    def _stream(self, mined: set[str], *, numstat: bool) -> Iterator[CommitRecord]:
        diff = ["--numstat", "-M"] if numstat else ["--raw", "--no-abbrev", "--no-renames"]
        log_args = [
            "log",
            "-z",
            *diff,
            *DIFF_FLAGS,
            "--no-mailmap",
            "--no-show-signature",
            f"--format={_HEADER_MARK.decode()}%H",
        ]
        if self.revisions.commits:
            # An explicit list: log and cat-file each read their own copy (a shared
            # file description would share its offset), in the same order.
            wanted = [sha for sha in self.revisions.commits if sha not in mined]
            listed = "".join(f"{sha}\n" for sha in wanted).encode("ascii")
            with _spooled(listed) as for_log, _spooled(listed) as for_objects:
                log = popen_git(
                    self.git_dir,
                    *log_args,
                    "--no-walk=unsorted",
                    "--stdin",
                    "--",
                    stdin=for_log,
                    buffered=True,
                )
                walk = popen_git(
                    self.git_dir,
                    "cat-file",
                    "--batch-check=%(objectname)",
                    "--buffer",
                    stdin=for_objects,
                )
        else:
            revisions = ["--end-of-options", *self.revisions.args(), "--"]
            log = popen_git(self.git_dir, *log_args, *revisions, buffered=True)
            # rev-list walks the same commits in the same order as log and feeds them to
            # cat-file directly: no round trip per commit, the three processes run ahead.
            walk = popen_git(self.git_dir, "rev-list", *revisions, buffered=True)
        assert walk.stdout is not None
        # Full buffers, not one flush per commit: nothing here waits on a single answer.
        objects = popen_git(self.git_dir, "cat-file", "--batch", "--buffer", stdin=walk.stdout)
        walk.stdout.close()
        assert objects.stdout is not None
        extra = () if numstat else ("lines-unknown",)
        try:
            # Commits are parsed ahead and become records in groups, so that their new
            # identities go to `git check-mailmap` together (one process per identity cost
            # about a tenth of mining git/git, 2,791 identities). The newest stays held
            # back: when git dies mid-commit, the last one it printed may lack some of its
            # changes, and is mined again rather than stored incomplete.
            pending: list[_Parsed] = []
            parsed = _parse_log(log)
            if not numstat:
                parsed = self._counted_where_possible(parsed)
            for sha, changes, path_flags, blobs in parsed:
                data = _read_object(objects.stdout, sha)
                if sha in mined:
                    continue
                unknown = extra if blobs else ()
                pending.append((sha, parse_commit(data), changes, path_flags + unknown))
                if len(pending) > _PARSED_AHEAD:
                    yield from self._records(pending[:-1], mined)
                    del pending[:-1]
            for proc, what in ((log, "log"), (walk, "rev-list")):
                assert proc.stderr is not None
                stderr = proc.stderr.read()
                if proc.wait() != 0:
                    raise _git_failure(what, stderr, proc.returncode)
            yield from self._records(pending, mined)
        finally:
            for proc in (log, walk, objects):
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                for stream in (proc.stdin, proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()

    def _counted_where_possible(
        self, parsed: Iterator[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]]
    ) -> Iterator[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]]:
        """Tree-diff commits, with line counts for those whose blobs are all present.

        In batches: one `cat-file --batch-check` says which blobs exist, one
        `diff-tree --stdin --numstat` counts the commits that have them all.
        Yields `blobs` empty for a counted commit (or one that needs none).
        """
        batch: list[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]] = []
        for item in parsed:
            batch.append(item)
            if len(batch) >= _COUNT_BATCH:
                yield from self._count(batch)
                batch = []
        yield from self._count(batch)

    def _count(
        self, batch: list[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]]
    ) -> Iterator[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]]:
        wanted = sorted({blob for *_, blobs in batch for blob in blobs})
        present: set[str] = set()
        if wanted:
            listing = run_git(
                self.git_dir,
                "cat-file",
                "--batch-check=%(objectname) %(objecttype)",
                input="".join(f"{blob}\n" for blob in wanted).encode("ascii"),
            ).stdout.decode("ascii", "replace")
            present = {line[: -len(" blob")] for line in lines(listing) if line.endswith(" blob")}
        countable = [sha for sha, _c, _f, blobs in batch if blobs and present.issuperset(blobs)]
        counted: dict[str, tuple[list[FileChangeRecord], tuple[str, ...]]] = {}
        if countable:
            with _spooled("".join(f"{sha}\n" for sha in countable).encode("ascii")) as listed:
                proc = popen_git(
                    self.git_dir,
                    "diff-tree",
                    "--stdin",
                    "--root",
                    "--always",
                    "-r",
                    "-z",
                    "--numstat",
                    "-M",
                    *DIFF_FLAGS,
                    f"--format={_HEADER_MARK.decode()}%H",
                    stdin=listed,
                    buffered=True,
                )
            try:
                counted = {sha: (changes, flags) for sha, changes, flags, _ in _parse_log(proc)}
                assert proc.stderr is not None
                stderr = proc.stderr.read()
                if proc.wait() != 0:
                    raise _git_failure("diff-tree", stderr, proc.returncode)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                for stream in (proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
        for sha, changes, flags, blobs in batch:
            if sha in counted:
                yield sha, *counted[sha], []
            else:
                yield sha, changes, flags, blobs

    def _records(self, parsed: list[_Parsed], mined: set[str]) -> Iterator[CommitRecord]:
        """Records of `parsed`, their signers looked up in `.mailmap` in one batch first."""
        self.mailmap.resolve(
            pair
            for _sha, raw, _changes, _flags in parsed
            for pair in (
                (raw.author.name, raw.author.email),
                (raw.committer.name, raw.committer.email),
            )
        )
        for sha, raw, changes, flags in parsed:
            mined.add(sha)
            yield self._record(raw, sha, changes, flags)

    def _record(
        self,
        raw: RawCommit,
        sha: str,
        changes: list[FileChangeRecord],
        path_flags: tuple[str, ...],
    ) -> CommitRecord:
        author = self._signature(raw.author)
        # Usually the same person at the same moment: one Signature for both.
        committer = author if raw.committer == raw.author else self._signature(raw.committer)
        # Positional arguments: this runs once per commit, keywords cost measurably more.
        return CommitRecord(
            sha,
            raw.parents,
            author,
            committer,
            raw.message,
            raw.encoding,
            parse_trailers(raw.message),
            () if len(raw.parents) > 1 else tuple(changes),  # merges: churn not counted twice
            raw.flags + path_flags,
        )

    def _signature(self, ident: RawIdent) -> Signature:
        name, email = ident.name, ident.email
        mapped_name, mapped_email = self.mailmap.map(name, email)
        return Signature(
            name, email, mapped_name, mapped_email, ident.timestamp, ident.offset_minutes
        )


_MISSING = re.compile(
    rb"unable to read|bad object|missing (?:blob|tree|commit|object)|could not read|"
    rb"invalid object|failed to traverse parents|unable to parse|does not exist",
    re.IGNORECASE,
)
_OBJECT_ID = re.compile(rb"\b([0-9a-f]{64}|[0-9a-f]{40})\b")


def _git_failure(what: str, stderr: bytes, status: int) -> CollectorError:
    """A MissingObjectError naming the object when git could not read one, else the last line."""
    said = lines(stderr.decode("utf-8", "replace").strip())
    detail = said[-1] if said else f"exit status {status}"
    for raw in stderr.split(b"\n"):
        if _MISSING.search(raw):
            found = _OBJECT_ID.search(raw)
            object_id = found.group(1).decode("ascii") if found else None
            return MissingObjectError(
                f"git {what}: object {object_id or '?'} is missing or unreadable ({detail})",
                object_id,
            )
    return CollectorError(f"git {what} failed: {detail}")


def _spooled(data: bytes) -> IO[bytes]:
    """A temporary file holding `data`, positioned at its start (a child's stdin)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's with
    handle.write(data)
    handle.seek(0)
    return handle


def _read_object(stream: IO[bytes], sha: str) -> bytes:
    """The next object `git cat-file --batch` prints, which must be commit `sha`."""
    header = stream.readline()
    parts = header.split()
    if len(parts) != 3 or parts[1] != b"commit" or parts[0] != sha.encode("ascii"):
        raise CollectorError(
            f"cannot read commit {sha}: {header.decode('ascii', 'replace').strip()}"
        )
    size = int(parts[2])
    data = stream.read(size + 1)  # object plus its terminating newline
    return data[:size]


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The bytes of `stream` as they arrive, drained by a thread into a bounded queue.

    Without the thread git stalls whenever its pipe is full while we parse,
    and parsing waits for git: the two would take turns instead of running
    side by side.
    """
    chunks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_QUEUED_CHUNKS)
    stop = threading.Event()

    def put(item: bytes | BaseException) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def pump() -> None:
        try:
            read = getattr(stream, "read1", stream.read)
            while chunk := read(_CHUNK):
                put(chunk)
            put(b"")
        except BaseException as exc:  # reported to the consumer, which re-raises it
            put(exc)

    thread = threading.Thread(target=pump, name="git-log-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if isinstance(item, BaseException):
                raise CollectorError(f"reading git log output failed: {item}") from item
            if not item:
                return
            yield item
    finally:
        stop.set()


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a byte stream."""
    rest = b""
    for chunk in _chunks(stream):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _raw_change(
    token: bytes, tokens: Iterator[bytes], path: Callable[[bytes], str], blobs: list[str]
) -> FileChangeRecord:
    """One `--raw` entry (its paths are the next tokens): a change without line counts;
    the blobs its line counts would need are added to `blobs`."""
    old_mode, new_mode, old_blob, new_blob, status = token[1:].split(b" ")
    for mode, blob in ((old_mode, old_blob), (new_mode, new_blob)):
        if mode.startswith(b"10") and blob.strip(b"0"):  # a file's blob, not a gitlink
            blobs.append(blob.decode("ascii"))
    first = path(next(tokens))
    if status[:1] in (b"R", b"C"):
        return FileChangeRecord(path(next(tokens)), first, None, None, False)
    return FileChangeRecord(first, None, None, None, False)


def _parse_log(
    proc: subprocess.Popen[bytes],
) -> Iterator[tuple[str, list[FileChangeRecord], tuple[str, ...], list[str]]]:
    """(sha, file changes, flags, blobs) per commit from `git log -z --numstat --format=\\x02%H`.

    With `--raw` instead of `--numstat`, changes have no line counts and
    `blobs` lists the blobs their line counts would need.
    """
    assert proc.stdout is not None
    tokens = _tokens(proc.stdout)
    sha: str | None = None
    changes: list[FileChangeRecord] = []
    blobs: list[str] = []
    lossy_path = rejected = False

    def path(raw: bytes) -> str:
        nonlocal lossy_path
        text, lossless = decode(raw, "utf-8")
        lossy_path = lossy_path or not lossless
        return text

    def flags() -> tuple[str, ...]:
        return (("non-utf8-path",) if lossy_path else ()) + ((REJECTED_FLAG,) if rejected else ())

    def add(change: FileChangeRecord) -> None:
        nonlocal rejected
        if is_safe_repo_path(change.path) and (
            change.old_path is None or is_safe_repo_path(change.old_path)
        ):
            changes.append(change)
        else:
            rejected = True

    for token in tokens:
        if token.startswith(b"\n"):
            token = token.lstrip(b"\n")
        if token.startswith(_HEADER_MARK):
            if sha is not None:
                yield sha, changes, flags(), blobs
            candidate = token[1:]
            if not _SHA.match(candidate):
                raise CollectorError(f"unexpected git log output: {candidate[:60]!r}")
            sha, changes, blobs = candidate.decode("ascii"), [], []
            lossy_path = rejected = False
            continue
        if not token:
            continue
        if token.startswith(b":"):  # --raw: ":old-mode new-mode old new STATUS", then path(s)
            add(_raw_change(token, tokens, path, blobs))
            continue
        added, _, rest = token.partition(b"\t")
        deleted, _, new = rest.partition(b"\t")
        old = None
        if not new:  # rename or copy: the next two tokens are the old and new paths
            old = path(next(tokens))
            new = next(tokens)
        if added == b"-":  # binary
            add(FileChangeRecord(path(new), old, None, None, True))
        else:
            add(FileChangeRecord(path(new), old, int(added), int(deleted), False))
    if sha is not None:
        yield sha, changes, flags(), blobs
