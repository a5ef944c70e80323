"""Parsing raw commit objects (as `git cat-file --batch` prints them).

We read the object itself rather than `git log`'s formatted output because
only the raw object keeps everything faithfully: offsets as written (including
bogus ones such as `+9999`), the `encoding` header, and NUL bytes in messages.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from collectors.git_lines import lines

TRAILER_KEYS = {
    "reviewed-by": "Reviewed-by",
    "approved-by": "Approved-by",
    "signed-off-by": "Signed-off-by",
    "co-authored-by": "Co-authored-by",
    "acked-by": "Acked-by",
}

_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.+?)\s*$")
# The header almost every commit has: tree, parents, author, committer, then the message.
_HEX = rb"[0-9a-f]{40}(?:[0-9a-f]{24})?"
_PLAIN_HEADER = re.compile(
    rb"tree " + _HEX + rb"\n((?:parent " + _HEX + rb"\n)*)author ([^\n]*)\ncommitter ([^\n]*)\n\n"
)
# "Name <email> 1700000000 +0800" with nothing unusual: decimal time, real-looking offset.
_PLAIN_IDENT = re.compile(rb"([^<>]*<[^<>]*>) ([0-9]{1,12}) ([+-])([01][0-9])([0-5][0-9])")
_IDENT_CACHE: dict[bytes, tuple[str, str]] = {}  # "Name <email>" bytes -> (name, email)
_IDENT_CACHE_MAX = 100_000
# Offsets that exist on Earth: -12:00 .. +14:00, in quarter hours.
MIN_OFFSET, MAX_OFFSET = -12 * 60, 14 * 60
# git itself cannot represent dates past year 9999 in most commands.
MAX_TIMESTAMP = 253402300799


@dataclass(frozen=True, slots=True)
class RawIdent:
    name: str
    email: str
    timestamp: int
    offset_minutes: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawCommit:
    parents: tuple[str, ...]
    author: RawIdent
    committer: RawIdent
    encoding: str | None
    message: str
    flags: tuple[str, ...]


# Codecs Python knows that are no character set of a commit: `undefined` refuses every
# input, `idna`/`punycode` decode DNS labels, the escapes decode Python literals.
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})


def charset(encoding: str | None) -> str | None:
    """The codec to decode a commit in (UTF-8 without header); None if git's header is unusable."""
    if not encoding:
        return "utf-8"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None  # bytes-to-bytes codecs (hex, zlib, rot13) and the ones above
    return info.name


def decode(data: bytes, encoding: str | None) -> tuple[str, bool]:
    """Decode per the commit's `encoding` header (default UTF-8); (text, lossless).

    An unknown or unusable header (see `charset`) decodes as UTF-8; the caller flags it.
    """
    codec = charset(encoding) or "utf-8"
    try:
        return data.decode(codec), True
    except UnicodeError:
        # Undecodable bytes stay visible as \xNN rather than disappearing.
        return data.decode(codec, "backslashreplace"), False


def _decode_ident(data: bytes, encoding: str | None) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return decode(data, encoding)


def parse_offset(raw: bytes | None) -> int | None:
    """'+0530' -> 330; None when absent or not a real UTC offset."""
    if raw is None or len(raw) != 5 or raw[0] not in b"+-" or not raw[1:].isdigit():
        return None
    hours, minutes = int(raw[1:3]), int(raw[3:5])
    if minutes >= 60:
        return None
    value = hours * 60 + minutes
    if raw[0] == 0x2D:  # "-"
        value = -value
    return value if MIN_OFFSET <= value <= MAX_OFFSET else None


def parse_ident(line: bytes, encoding: str | None, role: str) -> RawIdent:
    """'Name <email> 1700000000 +0800' as git splits it: up to the first '<', to the next '>'."""
    plain = _PLAIN_IDENT.fullmatch(line)
    if plain is not None:
        # The common case, with the decoded name and e-mail cached: the result is the one
        # the general parse below gives (tested), without its flag bookkeeping.
        who = plain.group(1)
        known = _IDENT_CACHE.get(who)
        if known is None:
            try:
                name_b, _, email_b = who[:-1].partition(b"<")
                known = (name_b.decode("utf-8").strip(), email_b.decode("utf-8").strip())
            except UnicodeDecodeError:
                known = None
            if known is not None and known[1]:
                if len(_IDENT_CACHE) >= _IDENT_CACHE_MAX:
                    _IDENT_CACHE.clear()
                _IDENT_CACHE[who] = known
            else:
                known = None
        timestamp = int(plain.group(2))
        offset = int(plain.group(4)) * 60 + int(plain.group(5))
        if plain.group(3) == b"-":
            offset = -offset
        if known is not None and timestamp <= MAX_TIMESTAMP and MIN_OFFSET <= offset <= MAX_OFFSET:
            return RawIdent(known[0], known[1], timestamp, offset, ())
    return _parse_ident_general(line, encoding, role)


def _parse_ident_general(line: bytes, encoding: str | None, role: str) -> RawIdent:
    flags: list[str] = []
    lt = line.find(b"<")
    gt = line.find(b">", lt + 1) if lt >= 0 else -1
    if gt < 0:
        text, _ = decode(line, encoding)
        return RawIdent(text.strip(), "", 0, None, (f"malformed-{role}",))
    # Tools write identities in UTF-8 even when the message is in another encoding
    # (git takes GIT_AUTHOR_NAME verbatim), so UTF-8 first, then the header's encoding.
    name, ok_name = _decode_ident(line[:lt], encoding)
    email, ok_email = _decode_ident(line[lt + 1 : gt], encoding)
    if not (ok_name and ok_email):
        flags.append(f"undecodable-{role}")
    email = email.strip()
    if not email:
        flags.append(f"missing-{role}-email")
    rest = line[gt + 1 :].split()
    raw_time = rest[0] if rest else None
    try:
        timestamp = int(raw_time) if raw_time is not None else None
    except ValueError:
        timestamp = None
    if timestamp is None or abs(timestamp) > MAX_TIMESTAMP:
        flags.append(f"bogus-{role}-date")
        timestamp = 0 if timestamp is None else max(-MAX_TIMESTAMP, min(timestamp, MAX_TIMESTAMP))
    offset = parse_offset(rest[1]) if len(rest) == 2 else None
    if offset is None:
        flags.append(f"bogus-{role}-offset")
    return RawIdent(name.strip(), email, timestamp, offset, tuple(flags))


def parse_commit(data: bytes) -> RawCommit:
    """Parse the bytes of a commit object."""
    plain = _PLAIN_HEADER.match(data)
    if plain is None:
        return _parse_commit_general(data)
    # No encoding, signature or other header: the general parse's result, in one match.
    parent_lines, author_line, committer_line = plain.groups()
    parents = tuple(parent_lines[7:-1].decode("ascii").split("\nparent ")) if parent_lines else ()
    author = parse_ident(author_line, None, "author")
    committer = parse_ident(committer_line, None, "committer")
    body = data[plain.end() :]
    flags: tuple[str, ...] = ()
    try:
        message = body.decode("utf-8")
    except UnicodeDecodeError:
        message = body.decode("utf-8", "backslashreplace")
        flags = ("undecodable-message",)
    if "\x00" in message:
        flags += ("nul-in-message",)
    return RawCommit(
        parents, author, committer, None, message, flags + author.flags + committer.flags
    )


def _parse_commit_general(data: bytes) -> RawCommit:
    header, sep, body = data.partition(b"\n\n")
    if not sep:
        header, body = data, b""
    fields: dict[bytes, list[bytes]] = {}
    last_key: bytes | None = None
    for line in header.split(b"\n"):
        if line.startswith(b" ") and last_key is not None:
            continue  # continuation of a multi-line header (gpgsig, mergetag)
        key, _, value = line.partition(b" ")
        fields.setdefault(key, []).append(value)
        last_key = key
    encoding = None
    if b"encoding" in fields:
        encoding = fields[b"encoding"][0].decode("ascii", "replace").strip() or None
    flags: list[str] = ["unsupported-encoding"] if charset(encoding) is None else []
    author = parse_ident(fields.get(b"author", [b""])[0], encoding, "author")
    committer = parse_ident(fields.get(b"committer", [b""])[0], encoding, "committer")
    message, lossless = decode(body, encoding)
    if not lossless:
        flags.append("undecodable-message")
    if "\x00" in message:
        flags.append("nul-in-message")
    parents = tuple(p.decode("ascii") for p in fields.get(b"parent", []))
    return RawCommit(
        parents=parents,
        author=author,
        committer=committer,
        encoding=encoding,
        message=message,
        flags=tuple(flags) + author.flags + committer.flags,
    )


def parse_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """Known trailers from the message's last paragraph, in order: ((key, value), ...)."""
    # Every key we keep ends in "-by" (any case): most messages stop here, without a copy.
    if "-by" not in message and "-by" not in message.lower():
        return ()
    # The last paragraph, when there are at least two: the stripped text starts and ends with
    # a non-blank character, so its first and last "\n\n"-separated pieces are not blank.
    _, sep, last = message.strip().rpartition("\n\n")
    if not sep:
        return ()
    found = []
    for line in lines(last):  # as git reads a trailer: a U+2028 starts none
        match = _TRAILER.match(line)
        if match and match.group(1).lower() in TRAILER_KEYS:
            found.append((TRAILER_KEYS[match.group(1).lower()], match.group(2)))
    return tuple(found)
