"""Names as calendars carry them (rule 9) and the greetings each language builds from them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cal_followup.drafts.names import Name, greeting, parse_name, recase
from cal_followup.languages import get_language

LANGUAGES = ("en", "fi", "fr")
TONES = ("formal", "casual")


@pytest.mark.parametrize(
    ("cn", "email", "title", "given", "family", "full"),
    [
        ("Watson, Emily", None, None, "Emily", "Watson", "Emily Watson"),
        ("Watson, Emily J.", None, None, "Emily", "Watson", "Emily J. Watson"),
        ("VIRTANEN ANNA", "anna.virtanen@acme.example", None, "Anna", "Virtanen", "Anna Virtanen"),
        ("VIRTANEN ANNA", None, None, "Anna", "Virtanen", "Anna Virtanen"),
        ("ANNA VIRTANEN", None, None, "Anna", "Virtanen", "Anna Virtanen"),
        ("SMITH JOHN", "jsmith@globex.example", None, "John", "Smith", "John Smith"),
        ("DUBOIS Claire", None, None, "Claire", "Dubois", "Claire Dubois"),
        ("Dr. Emily Watson", None, "dr", "Emily", "Watson", "Emily Watson"),
        ("Dr Watson", None, "dr", None, "Watson", "Watson"),
        ("Prof. Raj Patel", None, "prof", "Raj", "Patel", "Raj Patel"),
        ("Emily Watson, PhD", None, "dr", "Emily", "Watson", "Emily Watson"),
        ("Ms. Emily Watson", None, "ms", "Emily", "Watson", "Emily Watson"),
        ("Mme Claire Dubois", None, "ms", "Claire", "Dubois", "Claire Dubois"),
        ("M. Jean Dupont", None, "mr", "Jean", "Dupont", "Jean Dupont"),
        ("tri Anna Virtanen", None, "dr", "Anna", "Virtanen", "Anna Virtanen"),
        ('"J. Smith"', None, None, None, "Smith", "J. Smith"),
        ("Emily J. Watson", None, None, "Emily", "Watson", "Emily J. Watson"),
        ("“Emily Watson”", None, None, "Emily", "Watson", "Emily Watson"),
        ("sean o'brien", None, None, "Sean", "O'Brien", "Sean O'Brien"),
        ("MCDONALD, RONALD", None, None, "Ronald", "McDonald", "Ronald McDonald"),
        ("JEAN-PIERRE LEFÈVRE", None, None, "Jean-Pierre", "Lefèvre", "Jean-Pierre Lefèvre"),
        ("Ludwig van Beethoven", None, None, "Ludwig", "van Beethoven", "Ludwig van Beethoven"),
        ("Anh Le", None, None, "Anh", "Le", "Anh Le"),
        ("Emily Watson (Recruiter)", None, None, "Emily", "Watson", "Emily Watson"),
        ("Matti", None, None, "Matti", None, "Matti"),
        ("Matti", "matti.korhonen@acme.example", None, "Matti", None, "Matti"),
        ("Watson", "emily.watson@initech.example", None, None, "Watson", "Watson"),
        ("WATSON", "ewatson@initech.example", None, None, "Watson", "Watson"),
        ("DeShawn McKenzie", None, None, "DeShawn", "McKenzie", "DeShawn McKenzie"),
    ],
)  # fmt: skip
def test_names_as_calendars_carry_them(
    cn: str, email: str | None, title: str | None, given: str | None, family: str | None, full: str
) -> None:
    assert parse_name(cn, email) == Name(title, given, family, full)


@pytest.mark.parametrize(
    "cn",
    ["", "   ", "anna@acme.example", "anna.virtanen", "Greenhouse Scheduling",
     "Recruiting Team", "no-reply", "Talent Acquisition", "Rekrytointitiimi", "Équipe RH",
     "Dr.", "J.", "Room 4.12", "calendar-notifications"],
)  # fmt: skip
def test_what_is_not_a_persons_name(cn: str) -> None:
    assert parse_name(cn, "x@example.com") is None


@pytest.mark.parametrize(
    ("cn", "language", "tone", "expected"),
    [
        ("Watson, Emily", "en", "formal", "Dear Emily,"),
        ("Watson, Emily", "en", "casual", "Hi Emily,"),
        ("Dr. Emily Watson", "en", "formal", "Dear Dr. Watson,"),
        ("Dr. Emily Watson", "en", "casual", "Hi Emily,"),
        ("Prof. Raj Patel", "en", "formal", "Dear Professor Patel,"),
        ("Dr Watson", "en", "casual", "Hi Dr. Watson,"),
        ("J. Smith", "en", "formal", "Dear J. Smith,"),
        ("VIRTANEN ANNA", "fi", "formal", "Hei Anna,"),
        ("VIRTANEN ANNA", "fi", "casual", "Hei Anna,"),
        ("Dr Watson", "fi", "formal", "Hyvä tohtori Watson,"),
        ("Dr Watson", "fi", "casual", "Hei,"),
        ("Claire Dubois", "fr", "formal", "Bonjour Claire Dubois,"),
        ("Claire Dubois", "fr", "casual", "Bonjour Claire,"),
        ("Mme Claire Dubois", "fr", "formal", "Bonjour Madame Dubois,"),
        ("M. Jean Dupont", "fr", "formal", "Bonjour Monsieur Dupont,"),
        # A doctor's gender is not known: no Madame/Monsieur, and no "Docteur" for a PhD.
        ("Dr Emily Watson", "fr", "formal", "Bonjour Emily Watson,"),
        ("Dr Watson", "fr", "formal", "Bonjour,"),
        ("Greenhouse Scheduling", "en", "formal", "Hello,"),
        ("Greenhouse Scheduling", "en", "casual", "Hi there,"),
        ("anna@acme.example", "fi", "formal", "Hei,"),
        ("Équipe RH", "fr", "formal", "Bonjour,"),
    ],
)
def test_greetings_follow_each_languages_convention(
    cn: str, language: str, tone: str, expected: str
) -> None:
    assert greeting(parse_name(cn), get_language(language), tone) == expected


_LETTERS = st.characters(
    categories=("L", "N", "P", "S", "Zs"), exclude_characters="\n\r\x00"
)  # fmt: skip
_PIECES = st.sampled_from(
    ["Watson", "EMILY", "Dr.", "anna", ",", "@", "acme.example", "[x]", "{y}", "<a@b.c>",
     "Mme", "van", "O'Brien", "J.", '"', "Team", "  ", "-", "Virtanen", "(HR)", "mailto:"]
)  # fmt: skip


@given(st.one_of(st.text(_LETTERS, max_size=40), st.lists(_PIECES, max_size=6).map(" ".join)))
def test_a_greeting_never_shows_an_address_a_bracket_or_a_raw_cn(cn: str) -> None:
    name = parse_name(cn, "someone@example.com")
    for language in LANGUAGES:
        for tone in TONES:
            line = greeting(name, get_language(language), tone)
            assert line is not None
            assert not any(c in line for c in '@[]{}<>"“”'), (cn, line)
            assert "," not in line[:-1], (cn, line)  # never "Watson, Emily"
            if "," in cn and name is not None:
                assert cn.strip() not in line


@given(
    st.sampled_from(["Emily", "Anna", "Jean-Pierre", "Väinö", "Siobhan", "Åsa"]),
    st.sampled_from(["Watson", "Virtanen", "O'Brien", "Lefèvre", "Jääskeläinen", "McDonald"]),
)
def test_round_trips_through_the_shapes_calendars_use(given_name: str, family: str) -> None:
    expected = (given_name, family, f"{given_name} {family}")
    for cn in (
        f"{given_name} {family}",
        f"{family}, {given_name}",
        f"{given_name} {family}".upper(),
        f"{given_name} {family}".lower(),
        f'"{given_name} {family}"',
    ):
        name = parse_name(cn, f"{given_name}.{family}@example.com".lower())
        assert name is not None, cn
        assert (name.given, name.family, name.full) == expected, cn


@pytest.mark.parametrize(
    ("token", "written"),
    [("VIRTANEN", "Virtanen"), ("o'brien", "O'Brien"), ("MCDONALD", "McDonald"),
     ("jean-pierre", "Jean-Pierre"), ("McKenzie", "McKenzie"), ("ÅSA", "Åsa")],
)  # fmt: skip
def test_recase(token: str, written: str) -> None:
    assert recase(token) == written


def test_a_bare_family_name_is_not_greeted_as_a_first_name() -> None:
    name = parse_name("Watson", "emily.watson@initech.example")
    assert greeting(name, get_language("en"), "formal") == "Hello,"
    assert greeting(name, get_language("fr"), "formal") == "Bonjour,"
    titled = parse_name("Dr Watson", "emily.watson@initech.example")
    assert greeting(titled, get_language("en"), "formal") == "Dear Dr. Watson,"
