"""Raw commit parsing: the fast paths give exactly what the general parse gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors import git_objects
from collectors.git_objects import (
    RawCommit,
    _parse_commit_general,
    _parse_ident_general,
    parse_commit,
    parse_ident,
    parse_trailers,
)

EXAMPLES = settings(
    max_examples=300,
    database=None,  # no .hypothesis/ folder in the checkout
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TREE = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
SHA_A, SHA_B = "a" * 40, "0123456789abcdef" * 4

# Pieces of identity lines: ordinary, non-UTF-8, empty, odd spacing, bogus times and offsets.
NAMES = st.sampled_from(
    [b"Wei Zhang ", b"  Ana\tMaria ", b"", b"Jos\xc3\xa9 ", b"Jos\xe9 ", b"a>b ", b"\xff"]
)
EMAILS = st.sampled_from([b"wei@contoso.cn", b" x@y ", b"", b"\xe9@x", b"a@b\xc3\xa9"])
TIMES = st.sampled_from([b"1700000000", b"0", b"00017", b"253402300799", b"253402300800", b"-5"])
OFFSETS = st.sampled_from(
    [b"+0800", b"-0000", b"+0545", b"-1200", b"+1400", b"+1401", b"-1201", b"+0960", b"+9999"]
)
SEPARATORS = st.sampled_from([b" ", b"  ", b"\t"])


@st.composite
def ident_lines(draw: st.DrawFn) -> bytes:
    name, email = draw(NAMES), draw(EMAILS)
    line = name + b"<" + email + b">" + draw(SEPARATORS) + draw(TIMES)
    return line + draw(SEPARATORS) + draw(OFFSETS)


@EXAMPLES
@given(line=ident_lines(), encoding=st.sampled_from([None, "ISO-8859-1"]))
def test_fast_ident_equals_general(line: bytes, encoding: str | None) -> None:
    for _ in range(2):  # the second time from the cache
        assert parse_ident(line, encoding, "author") == _parse_ident_general(
            line, encoding, "author"
        )


@st.composite
def plain_commits(draw: st.DrawFn) -> bytes:
    parents = draw(st.lists(st.sampled_from([SHA_A, SHA_B]), max_size=3))
    lines = [TREE, *(f"parent {p}".encode() for p in parents)]
    lines += [b"author " + draw(ident_lines()), b"committer " + draw(ident_lines())]
    extra = draw(st.sampled_from([[], [b"encoding ISO-8859-1"], [b"gpgsig x", b" y"]]))
    body = draw(st.sampled_from([b"Fix\n", b"", b"caf\xe9\n", b"a\x00b", b"\n\nx\n"]))
    return b"\n".join(lines + extra) + b"\n\n" + body


@EXAMPLES
@given(data=plain_commits())
def test_fast_commit_equals_general(data: bytes) -> None:
    assert parse_commit(data) == _parse_commit_general(data)


def test_plain_commit_fields() -> None:
    data = (
        TREE + f"\nparent {SHA_A}\nparent {SHA_B}\n".encode()
        + b"author Wei Zhang <wei@contoso.cn> 1700000000 +0800\n"
        + b"committer Jos\xc3\xa9 <> 1700000060 -0330\n\ncaf\xe9\x00"
    )  # fmt: skip
    commit = parse_commit(data)
    assert commit == RawCommit(
        parents=(SHA_A, SHA_B),
        author=git_objects.RawIdent("Wei Zhang", "wei@contoso.cn", 1700000000, 480, ()),
        committer=git_objects.RawIdent("José", "", 1700000060, -210, ("missing-committer-email",)),
        encoding=None,
        message="caf\\xe9\x00",
        flags=("undecodable-message", "nul-in-message", "missing-committer-email"),
    )


def _trailers_by_paragraphs(message: str) -> tuple[tuple[str, str], ...]:
    """The definition: known trailers of the last of at least two non-blank paragraphs,
    lines ended by "\n" alone as git reads them (a U+2028 or "\r" ends none)."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return ()
    found = []
    for line in paragraphs[-1].split("\n"):
        match = git_objects._TRAILER.match(line)
        if match and match.group(1).lower() in git_objects.TRAILER_KEYS:
            found.append((git_objects.TRAILER_KEYS[match.group(1).lower()], match.group(2)))
    return tuple(found)


PIECES = st.sampled_from(
    [
        *("Fix", "\n", "\n\n", "\n\n\n", " ", "Signed-off-by: A <a@x>", "REVIEWED-BY: B"),
        *("x: y", "\r", "\u2028"),
    ]
)


@EXAMPLES
@given(pieces=st.lists(PIECES, max_size=8))
def test_trailers_equal_paragraph_definition(pieces: list[str]) -> None:
    message = "".join(pieces)
    assert parse_trailers(message) == _trailers_by_paragraphs(message)
