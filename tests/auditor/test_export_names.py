"""Pseudonymization finds people's names in free text whatever the script or case."""

from __future__ import annotations

import unicodedata

import pytest

from auditor.audit_export.names import REDACTED, People, PersonRow
from auditor.audit_export.pseudonym import Pseudonymizer

# (stored name, how the same name appears in a message) across scripts and folds
NAMES = [
    ("Jürgen Groß", "Jürgen Groß"),  # ß folds to "ss": the exact name leaked
    ("Jürgen Groß", "JÜRGEN GROSS"),
    ("İlkay Şahin", "İLKAY ŞAHİN"),  # Turkish dotted capital I folds to i + U+0307
    ("Işık Öztürk", "IŞIK ÖZTÜRK"),  # Turkish dotless ı is the lower case of I
    ("Fiona Keane", "ﬁona keane"),  # "ﬁ" ligature, NFKC gives "fi"
    ("José Núñez", unicodedata.normalize("NFD", "José Núñez")),  # decomposed accents
    ("Σωκράτης Παππάς", "ΣΩΚΡΆΤΗΣ ΠΑΠΠΆΣ"),  # Greek final sigma
    ("Пётр Ильин", "ПЁТР ИЛЬИН"),  # Cyrillic
    ("张伟", "张伟"),  # Han, no case
    ("Ｊａｎｅ Ｄｏｅ", "Jane Doe"),  # full-width letters, NFKC gives ASCII
]


def _people(names: list[str], loose: frozenset[str] = frozenset()) -> People:
    rows = {
        i: PersonRow(i, f"person-{i}@corp.example", name, None, False)
        for i, name in enumerate(names)
    }
    strings = {i: {name} for i, name in enumerate(names)}
    return People(rows, strings, {}, set(loose), Pseudonymizer(b"k" * 32))


@pytest.mark.parametrize(("name", "written"), NAMES)
def test_names_in_any_script_and_case_are_replaced(name: str, written: str) -> None:
    people = _people([name for name, _ in NAMES])
    index = [n for n, _ in NAMES].index(name)
    scrubbed = people.scrub(f"3 changes by {written} (reviewed)")
    assert scrubbed == f"3 changes by {people.ref(index)} (reviewed)"
    assert people.subject(written) == people.ref(index)


def test_unknown_names_are_redacted_and_neighbours_kept() -> None:
    people = _people(["Anna Straße"], loose=frozenset({"Ǆoković"}))
    assert people.scrub("Anna Straße and ǆoković; Straßenbahn") == (
        f"{people.ref(0)} and {REDACTED}; Straßenbahn"  # whole words only
    )


def test_match_form_folds_and_composes() -> None:
    from auditor.audit_export.names import match_form

    assert match_form("Groß") == match_form("GROSS") == "gross"
    assert match_form("ﬁ") == "fi"
    assert match_form(unicodedata.normalize("NFD", "é")) == "é"
