"""The stage table and the engine that runs it; keep-in-touch (rules, section 10).

What the table derives (settings, options, templates, titles, windows) is
checked against the table itself, so adding a row cannot leave one behind;
the engine is checked on hand-worked dates and, with hypothesis, on every
zone, country, stop and setting: keep-in-touch is the last reminder of its
application, never in the past, on a business morning of the employer's
country, and absent when turned off or after an offer, a withdrawal or a reply.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cal_followup import stages
from cal_followup.app import planning_window
from cal_followup.applications import plan_applications
from cal_followup.businessdays import business_calendar
from cal_followup.config import OPTIONS, Settings, load_settings
from cal_followup.drafts import STAGE_FILES
from cal_followup.errors import ConfigError
from cal_followup.ics import Problem
from cal_followup.languages import get_language
from cal_followup.mail.drafts import STOPPED_BY_ANSWER
from cal_followup.model import Interview, Person, Stage, StopReason
from cal_followup.policy import plan_stages
from tests.helpers import settings
from tests.test_policy_properties import COUNTRIES, ZONES

HELSINKI = ZoneInfo("Europe/Helsinki")
ANNA = Person("Anna Virtanen", "anna@acme.example")
BEN = Person("Ben Ode", "ben@acme.example")
DRAFT_LANGUAGES = sorted(
    p.name for p in resources.files("cal_followup.drafts").joinpath("templates").iterdir()
)
ENDED = frozenset({StopReason.OFFER, StopReason.WITHDRAWN, StopReason.REPLIED})


def interview(start: datetime, **values: object) -> Interview:
    base: dict[str, object] = {
        "uid": "iv@example.com",
        "summary": "Interview",
        "start": start,
        "end": start + timedelta(hours=1),
        "zone": str(start.tzinfo),
        "interviewers": (ANNA, BEN),
        "contact": BEN,
        "company": "Acme",
        "role": "Engineer",
    }
    base.update(values)
    return Interview(**base)  # type: ignore[arg-type]


def by_stage(planned: list) -> dict[Stage, list]:  # type: ignore[type-arg]
    found: dict[Stage, list] = {}  # type: ignore[type-arg]
    for item in planned:
        found.setdefault(item.stage, []).append(item)
    return found


# -- what the table derives ----------------------------------------------------------------


def test_every_stage_has_exactly_one_row_in_rule_order() -> None:
    assert [row.stage for row in stages.STAGES] == list(Stage)
    assert stages.BY_STAGE[Stage.KEEP_IN_TOUCH].anchor is stages.Anchor.APPLICATION_END


def test_settings_options_and_defaults_come_from_the_table() -> None:
    defaults = Settings()
    names = [item.name for item in stages.setting_rows()]
    assert "keep_in_touch_days" in names and len(names) == len(set(names))
    for item in stages.setting_rows():
        assert getattr(defaults, item.name) == item.default
        assert OPTIONS[item.name] == (item.help, item.metavar)
    assert defaults.keep_in_touch_days == 90  # type: ignore[attr-defined]
    assert stages.MAX_FOLLOW_UPS == 2


def test_stage_settings_load_from_the_config_and_are_checked(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "config.toml"
    path.write_text('timezone = "UTC"\nkeep_in_touch_days = 0\ncheck_in_days = 3\n')
    loaded = load_settings(str(path), {})
    assert (loaded.keep_in_touch_days, loaded.check_in_days) == (0, 3)  # type: ignore[attr-defined]
    assert load_settings(str(path), {"keep_in_touch_days": "120"}).keep_in_touch_days == 120  # type: ignore[attr-defined]
    path.write_text('timezone = "UTC"\nkeep_in_touch_days = -5\n')
    with pytest.raises(ConfigError, match="keep_in_touch_days must not be negative"):
        load_settings(str(path), {})


def test_templates_and_titles_come_from_the_table() -> None:
    assert STAGE_FILES == stages.TEMPLATES
    assert "keep-in-touch" in STAGE_FILES
    for code in DRAFT_LANGUAGES:
        titles = get_language(code).reminder_titles
        assert set(STAGE_FILES) <= set(titles), code
    assert stages.template_name(Stage.THANK_YOU, True) == "late-thank-you"
    assert stages.template_name(Stage.KEEP_IN_TOUCH, True) == "keep-in-touch"


def test_a_reply_stops_what_the_replied_category_stops() -> None:
    assert set(STOPPED_BY_ANSWER) == {Stage.CHECK_IN, Stage.CLOSING, Stage.KEEP_IN_TOUCH}
    keep = stages.BY_STAGE[Stage.KEEP_IN_TOUCH]
    assert keep.withdrawn_by == ENDED


def test_reach_follows_the_longest_enabled_stage() -> None:
    default = Settings()
    # 1 day (thank-you), then check-in and closing in business days, then 90 days.
    assert default.ignore_after_days < stages.reach(default).days
    assert stages.reach(default) >= timedelta(days=5 + 10 + 90)
    longer = dataclasses.replace(default, keep_in_touch_days=365)  # type: ignore[call-arg]
    assert stages.reach(longer) - stages.reach(default) == timedelta(days=365 - 90)
    off = dataclasses.replace(default, keep_in_touch_days=0)  # type: ignore[call-arg]
    assert stages.reach(off) == timedelta(days=default.ignore_after_days)
    now = datetime(2026, 12, 1, tzinfo=HELSINKI)
    window = planning_window(now, default)
    assert window.start == now - stages.reach(default) and window.reach == stages.reach(default)


# -- the engine, worked by hand -------------------------------------------------------------


def test_keep_in_touch_follows_an_unanswered_closing_at_the_next_business_morning() -> None:
    config = settings(country="FI")
    # Wednesday 2 September 2026: check-in Wednesday 9 September, closing Wednesday
    # 23 September; 90 days later is Tuesday 22 December, a business day.
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI))
    planned = by_stage(plan_stages(item, item.start, config, business_calendar("FI")))
    assert planned[Stage.CLOSING][0].due == datetime(2026, 9, 23, 9, 0, tzinfo=HELSINKI)
    [keep] = planned[Stage.KEEP_IN_TOUCH]
    assert keep.due == datetime(2026, 12, 22, 9, 0, tzinfo=HELSINKI)
    assert keep.recipient == BEN  # the main contact, not each interviewer


def test_keep_in_touch_landing_on_holidays_moves_to_the_next_business_morning() -> None:
    config = settings(country="FI", keep_in_touch_days=92)
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI))
    planned = by_stage(plan_stages(item, item.start, config, business_calendar("FI")))
    # 23 September + 92 days = Thursday 24 December (Christmas Eve), then Christmas,
    # Boxing Day and the weekend: Monday 28 December.
    assert planned[Stage.KEEP_IN_TOUCH][0].due == datetime(2026, 12, 28, 9, 0, tzinfo=HELSINKI)


def test_keep_in_touch_follows_the_after_rejection_reply() -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI), stop_reason=StopReason.REJECTED)
    # The reply's time as a sync remembered it: Friday 11 September 09:00.
    reply = datetime(2026, 9, 11, 9, 0, tzinfo=HELSINKI)
    now = datetime(2026, 9, 20, tzinfo=HELSINKI)
    planned = plan_stages(
        item, now, config, business_calendar("FI"), anchors={Stage.AFTER_REJECTION: reply}
    )
    # The reply is history; 90 days after it is Thursday 10 December.
    assert [(p.stage, p.due) for p in planned] == [
        (Stage.KEEP_IN_TOUCH, datetime(2026, 12, 10, 9, 0, tzinfo=HELSINKI))
    ]


@pytest.mark.parametrize("reason", sorted(ENDED))
def test_offer_withdrawn_or_replied_plans_no_keep_in_touch(reason: StopReason) -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI), stop_reason=reason)
    planned = plan_stages(item, item.start, config, business_calendar("FI"))
    assert Stage.KEEP_IN_TOUCH not in {p.stage for p in planned}


def test_zero_days_turns_keep_in_touch_off_and_nothing_else() -> None:
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI))
    on = plan_stages(item, item.start, settings(country="FI"), business_calendar("FI"))
    off = plan_stages(
        item, item.start, settings(country="FI", keep_in_touch_days=0), business_calendar("FI")
    )
    assert [p for p in on if p.stage is not Stage.KEEP_IN_TOUCH] == off


def test_a_closing_the_user_moved_moves_keep_in_touch_with_it() -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI))
    moved = datetime(2026, 10, 5, 14, 0, tzinfo=HELSINKI)
    planned = by_stage(
        plan_stages(
            item,
            item.start,
            config,
            business_calendar("FI"),
            anchors={Stage.CLOSING: moved},
            fixed=frozenset({Stage.CLOSING}),
        )
    )
    assert planned[Stage.CLOSING][0].due == moved
    # 5 October 14:00 + 90 days = Sunday 3 January 14:00; Monday 4 January is the
    # first business morning after it (Epiphany is Wednesday the 6th).
    assert planned[Stage.KEEP_IN_TOUCH][0].due == datetime(2027, 1, 4, 9, 0, tzinfo=HELSINKI)


def test_ignore_after_days_is_decided_per_stage() -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 9, 2, 10, 0, tzinfo=HELSINKI))
    business = business_calendar("FI")
    # 70 days after the interview: its follow-ups are ignored, keep-in-touch is not.
    now = item.end + timedelta(days=70)
    assert [p.stage for p in plan_stages(item, now, config, business)] == [Stage.KEEP_IN_TOUCH]
    # A check-in a sync already wrote and still pending stays planned at its time.
    written = now + timedelta(days=2)
    anchored = plan_stages(item, now, config, business, anchors={Stage.CHECK_IN: written})
    assert [(p.stage, p.due) for p in anchored][0] == (Stage.CHECK_IN, written)
    # Once keep-in-touch has passed too, nothing is left.
    assert plan_stages(item, item.end + timedelta(days=120), config, business) == []


# -- the property ---------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2029, 12, 31))


@hsettings(max_examples=120, deadline=None)
@given(
    first=moments,
    gaps=st.lists(st.integers(1, 40), max_size=2),
    zone=st.sampled_from(ZONES),
    user_zone=st.sampled_from(ZONES),
    country=st.sampled_from(COUNTRIES),
    reason=st.sampled_from([None, *StopReason]),
    keep_days=st.sampled_from([0, 1, 14, 90, 200]),
    cap=st.integers(0, 2),
    now_offset=st.integers(-10 * 24, 240 * 24),
)
def test_keep_in_touch_is_the_last_reminder_of_its_application(
    first: datetime,
    gaps: list[int],
    zone: str,
    user_zone: str,
    country: str,
    reason: StopReason | None,
    keep_days: int,
    cap: int,
    now_offset: int,
) -> None:
    config = settings(
        timezone=user_zone, country=country, keep_in_touch_days=keep_days, max_follow_ups=cap
    )
    business = business_calendar(country)
    start = first.replace(tzinfo=ZoneInfo(zone))
    rounds = []
    for number, gap in enumerate([0, *gaps]):
        start = start + timedelta(days=gap)
        rounds.append(
            interview(
                start,
                uid=f"round-{number}@example.com",
                zone=zone,
                stop_reason=reason if number == len(gaps) else None,
                contact_stated=True,
            )
        )
    now = rounds[-1].end + timedelta(hours=now_offset)
    problems: list[Problem] = []
    reminders = plan_applications(rounds, now, config, lambda _: business, problems)
    assert problems == []
    assert all(r.due >= now for r in reminders)
    keep = [r for r in reminders if r.stage is Stage.KEEP_IN_TOUCH]
    if keep_days == 0 or reason in ENDED:
        assert keep == []
        return
    assert len(keep) <= 1
    if now <= rounds[-1].start:
        assert len(keep) == 1  # a future application always ends with one
    for item in keep:
        local = item.due.astimezone(config.zone)
        assert business.is_business_day(local.date())
        assert local.time() == config.day_start
        assert all(item.due > other.due for other in reminders if other is not item)
        assert item.recipient == BEN and item.application


# -- plan and export ------------------------------------------------------------------------


def _calendar_file(folder: object, language: str) -> str:
    from pathlib import Path

    from tests.helpers import calendar, vevent

    path = Path(str(folder)) / f"{language}.ics"
    event = vevent(
        uid=f"kit-{language}@example.com",
        summary="Interview with Acme Oy – Data Engineer",
        start="DTSTART;TZID=Europe/Helsinki:20260902T100000",
        end="DTEND;TZID=Europe/Helsinki:20260902T110000",
        extra=(
            "DESCRIPTION:Contact: Hanna Koski <hanna.koski@acme.example>\\n"
            f"Language: {language}\\nTopics: data quality\n"
            "ATTENDEE;CN=Hanna Koski:mailto:hanna.koski@acme.example\n"
        ),
    )
    path.write_text(calendar(event))
    return str(path)


@pytest.mark.parametrize("language", DRAFT_LANGUAGES)
def test_plan_and_export_carry_keep_in_touch_in_every_draft_language(
    language: str,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json
    from pathlib import Path

    from cal_followup.lint import check_text
    from tests.synchelpers import Runner

    run = Runner(Path(str(tmp_path)), monkeypatch, capsys)
    source = _calendar_file(tmp_path, language)
    # 70 days after the interview: past ignore_after_days, only keep-in-touch is left.
    status, out, err = run("plan", source, "--json", now="2026-11-11T12:00")
    assert status == 0, err
    planned = json.loads(out)
    assert [r["stage"] for r in planned] == ["keep-in-touch"]
    [keep] = planned
    assert keep["language"] == language and keep["to"] == "hanna.koski@acme.example"
    assert keep["due"] == "2026-12-22T09:00:00+02:00"
    text = f"Subject: {keep['subject']}\n\n{keep['body']}"
    assert not check_text(text, language).findings, text
    output = Path(str(tmp_path)) / "out.ics"
    status, _, err = run("export", source, "-o", str(output), now="2026-11-11T12:00")
    assert status == 0, err
    exported = output.read_text(encoding="utf-8")
    assert exported.count("X-CAL-FOLLOWUP-STAGE:keep-in-touch") == 1
