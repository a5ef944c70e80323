"""Identities → people: e-mail, .mailmap, roster, noreply, tracker accounts, config, bots."""

from __future__ import annotations

from auditor.kernel.config import IdentityConfig
from auditor.resolve.identity import (
    IdentityRow,
    PersonDraft,
    RosterPerson,
    is_bot,
    merged_identity_warnings,
    noreply_login,
    unify,
)


def git(id: int, name: str, email: str, mapped: tuple[str, str] | None = None, commits: int = 1):
    mapped_name, mapped_email = mapped or (name, email)
    return IdentityRow(
        id, "git", f"{name} <{email}>", name, email, mapped_name, mapped_email, commits=commits
    )


def groups(people: list[PersonDraft]) -> dict[str, set[int]]:
    return {p.key: {i for i, _ in p.identities} for p in people}


def test_same_email_any_case_is_one_person() -> None:
    people = unify(
        [git(1, "Ann", "Ann@X.example"), git(2, "Ann B.", "ann@x.example")], [], IdentityConfig()
    )
    assert groups(people) == {"ann@x.example": {1, 2}}


def test_mailmap_joins_old_address_and_names_the_key() -> None:
    rows = [
        git(1, "ann", "ann@old.example", ("Ann Lee", "ann@new.example"), commits=5),
        git(2, "Ann Lee", "ann@new.example", commits=1),
    ]
    (person,) = unify(rows, [], IdentityConfig())
    assert person.key == "ann@new.example"
    assert person.name == "Ann Lee"
    assert dict(person.identities)[1] == "mailmap"
    assert person.emails == ["ann@new.example", "ann@old.example"]


def test_noreply_address_joins_github_login() -> None:
    rows = [
        git(1, "Octo", "123+octocat@users.noreply.github.com"),
        git(2, "Octo", "octocat@users.noreply.github.com"),
        IdentityRow(3, "github", "octocat", "The Octocat", None, login="octocat"),
    ]
    assert noreply_login("123+OctoCat@users.noreply.github.com".lower()) == "octocat"
    (person,) = unify(rows, [], IdentityConfig())
    assert {i for i, _ in person.identities} == {1, 2, 3}
    assert dict(person.identities)[1] == "noreply"


def test_roster_email_adds_name_and_key() -> None:
    people = unify(
        [git(1, "wz", "WZ@corp.example")],
        [RosterPerson("wz@corp.example", "Wei Zhang", 2)],
        IdentityConfig(),
    )
    (person,) = people
    assert (person.key, person.name, person.roster_emails) == (
        "wz@corp.example",
        "Wei Zhang",
        ["wz@corp.example"],
    )
    assert dict(person.identities)[1] == "roster"


def test_roster_only_person_exists() -> None:
    (person,) = unify([], [RosterPerson("new@corp.example", "New Hire", 9)], IdentityConfig())
    assert person.key == "new@corp.example" and person.identities == []


def test_tracker_display_name_joins_only_a_unique_person() -> None:
    rows = [
        git(1, "Wei Zhang", "wei@corp.example"),
        IdentityRow(2, "jira", "712020:9f1c", "wei  ZHANG"),  # display name, no e-mail
        git(3, "Li Na", "li@corp.example"),
        git(4, "Li Na", "li.na@other.example"),  # two people called Li Na
        IdentityRow(5, "jira", "Li Na", "Li Na"),
    ]
    g = groups(unify(rows, [], IdentityConfig()))
    assert g["wei@corp.example"] == {1, 2}
    assert g["li@corp.example"] == {3}
    assert g["li.na@other.example"] == {4}
    assert g["jira:li na"] == {5}


def test_split_prevents_name_matching() -> None:
    rows = [git(1, "Wei Zhang", "wei@corp.example"), IdentityRow(2, "jira", "acc", "Wei Zhang")]
    g = groups(unify(rows, [], IdentityConfig(split=["wei@corp.example"])))
    assert g == {"wei@corp.example": {1}, "jira:acc": {2}}


def test_tracker_email_joins_git() -> None:
    rows = [
        git(1, "Bo", "bo@corp.example"),
        IdentityRow(2, "ado", "bo@corp.example", "Bo Zhang", "bo@corp.example"),
    ]
    assert groups(unify(rows, [], IdentityConfig())) == {"bo@corp.example": {1, 2}}


def test_config_merge_joins_unrelated_addresses() -> None:
    rows = [git(1, "Bo", "bo@corp.example"), git(2, "bozhang", "bo.zhang@gmail.com")]
    config = IdentityConfig(merge=[["bo@corp.example", "BO.ZHANG@gmail.com"]])
    (person,) = unify(rows, [], config)
    assert {i for i, _ in person.identities} == {1, 2}
    assert set(dict(person.identities).values()) == {"config"}


def test_bots_are_people_flagged_and_never_merged_by_name() -> None:
    rows = [
        git(1, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        git(2, "CI Runner", "ci@build.example"),
        git(3, "GitHub", "noreply@github.com"),
        git(4, "Ann", "ann@x.example"),
        IdentityRow(5, "jira", "bot-acc", "CI Runner"),
    ]
    people = unify(rows, [], IdentityConfig(bots=["ci@*"]))
    bots = {p.key for p in people if p.bot}
    assert bots == {
        "49699333+dependabot[bot]@users.noreply.github.com",
        "ci@build.example",
        "noreply@github.com",
    }
    assert groups(people)["ci@build.example"] == {2}
    assert is_bot(IdentityRow(9, "github", "renovate[bot]", login="renovate[bot]"))
    assert not is_bot(rows[3])


def test_keys_do_not_depend_on_input_order() -> None:
    rows = [
        git(3, "A", "a@x.example"),
        git(1, "A", "A@x.example", ("A", "a@y.example")),
        IdentityRow(2, "jira", "k", "A"),
    ]
    one = unify(rows, [], IdentityConfig())
    two = unify(list(reversed(rows)), [], IdentityConfig())
    assert [(p.key, sorted(p.identities)) for p in one] == [
        (p.key, sorted(p.identities)) for p in two
    ]


def test_address_of_many_unrelated_names_is_no_join_key() -> None:
    rows = [
        git(1, "Ann Lee", "team@corp.example"),
        git(2, "Bo Zhang", "team@corp.example"),
        git(3, "Cy Park", "team@corp.example"),
        git(4, "Ann Lee", "ann@corp.example"),
    ]
    g = groups(unify(rows, [], IdentityConfig()))
    assert sorted(g.values(), key=min) == [{1}, {2}, {3}, {4}]


def test_name_variants_of_one_person_still_share_an_address() -> None:
    rows = [
        git(1, "Junio C Hamano", "gitster@pobox.example"),
        git(2, "Junio Hamano", "gitster@pobox.example"),
        git(3, "junio", "gitster@pobox.example"),
    ]
    assert groups(unify(rows, [], IdentityConfig())) == {"gitster@pobox.example": {1, 2, 3}}


def test_split_works_for_any_address() -> None:
    rows = [git(1, "Ann", "desk@corp.example"), git(2, "Ann", "desk@corp.example".upper())]
    g = groups(unify(rows, [], IdentityConfig(split=["desk@corp.example"])))
    assert sorted(g.values(), key=min) == [{1}, {2}]


def test_person_with_several_canonical_identities_is_reported() -> None:
    rows = [
        git(1, "Ann", "ann@a.example"),
        IdentityRow(2, "github", "ann", "Ann", "ann@a.example", login="ann"),
        git(3, "Ann", "123+ann@users.noreply.github.com"),
        git(4, "Ann", "ann@users.noreply.github.com"),  # the same account: one identity
    ]
    (person,) = unify(rows, [], IdentityConfig())
    assert person.canonical == ["ann@a.example", "ann@users.noreply.github.com"]
    (line,) = merged_identity_warnings([person])
    assert "person 'Ann' joins 2 mailmap-canonical identities" in line
    merged = unify(
        rows, [], IdentityConfig(merge=[["ann@a.example", "ann@users.noreply.github.com"]])
    )
    assert merged_identity_warnings(merged) == []  # asked for in [identity] merge


def test_placeholder_addresses_join_no_one_but_a_mailmap_target_still_joins() -> None:
    rows = [
        git(1, "Ann Lee", "you@example.com"),
        git(2, "Bo Zhang", "you@example.com"),
        git(3, "Cy", "cy@localhost", ("Cy Park", "cy@corp.example")),
        git(4, "Cy Park", "cy@corp.example"),
        git(5, "Di", "noreply@corp.example"),
        git(6, "Ed", "noreply@corp.example"),
    ]
    g = groups(unify(rows, [], IdentityConfig()))
    assert sorted(g.values(), key=min) == [{1}, {2}, {3, 4}, {5}, {6}]
    assert g["cy@corp.example"] == {3, 4}
    assert "you@example.com" not in g  # no key names a shared address
