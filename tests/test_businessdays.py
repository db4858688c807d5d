"""Tests for cal_followup.businessdays: code parsing, zone inference, merged holidays,
and business-day arithmetic checked against workalendar and a day-by-day count."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workalendar.registry import registry

from cal_followup import businessdays as bd
from cal_followup.errors import ConfigError
from cal_followup.holidaysources import build_sources

# The cache-clearing fixture is function-scoped; sharing it across examples is fine.
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    bd.clear_cache()
    yield
    bd.clear_cache()


def count_business_days(cal: bd.BusinessCalendar, after: date, through: date) -> int:
    """Business days in (after, through], one day at a time."""
    return sum(
        cal.is_business_day(after + timedelta(days=k)) for k in range(1, (through - after).days + 1)
    )


# --- parse_country ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fi", ("FI", None)),
        ("FI", ("FI", None)),
        ("us-ca", ("US", "CA")),
        ("Us-Ca", ("US", "CA")),
        ("UK", ("GB", None)),
        ("uk", ("GB", None)),
        ("uk-sct", ("GB", "SCT")),
        ("DE_BY", ("DE", "BY")),
        ("de_by", ("DE", "BY")),
        (" fr-57 ", ("FR", "57")),
        ("FR-6AE", ("FR", "6AE")),
    ],
)
def test_parse_country(code: str, expected: tuple[str, str | None]) -> None:
    assert bd.parse_country(code) == expected


@pytest.mark.parametrize(
    "code", ["", "F", "FIN", "US-", "US-CALI", "U1", "12", "US CA", "US--CA", "de/by", "ÄÖ"]
)
def test_parse_country_rejects(code: str) -> None:
    with pytest.raises(ConfigError) as info:
        bd.parse_country(code)
    assert repr(code) in str(info.value)


# --- country_for_zone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Helsinki", "FI"),
        ("America/Los_Angeles", "US"),
        ("America/New_York", "US"),
        ("Europe/Berlin", "DE"),
        ("Europe/Oslo", "NO"),  # a link to Europe/Berlin, but zone.tab lists it for Norway
        ("Atlantic/Reykjavik", "IS"),
        ("US/Eastern", "US"),  # backward link
        ("Asia/Calcutta", "IN"),  # backward link
        ("Europe/Kiev", "UA"),  # renamed zone
        ("Iceland", None),  # links to Africa/Abidjan, which several countries share
        ("UTC", None),
        ("Etc/UTC", None),
        ("Etc/GMT+2", None),
        ("Not/A_Zone", None),
        ("", None),
        (None, None),
    ],
)
def test_country_for_zone(zone: str | None, expected: str | None) -> None:
    assert bd.country_for_zone(zone) == expected


# --- worked examples --------------------------------------------------------------------


def test_germany_worked_example() -> None:
    de = bd.business_calendar("DE")
    assert de.code == "DE"
    assert de.description == "Germany"
    # Wed 23 Dec: 24 Thu, (25 Fri, 26 Sat holiday), (27 Sun), 28, 29, 30, 31.
    assert de.add_business_days(date(2026, 12, 23), 5) == date(2026, 12, 31)
    assert de.add_business_days(date(2026, 12, 31), 10) == date(2027, 1, 15)
    assert de.holidays_between(date(2026, 12, 1), date(2027, 1, 31)) == [
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2027, 1, 1),
    ]


def test_start_day_need_not_be_a_business_day() -> None:
    de = bd.business_calendar("DE")
    # Christmas Day (Friday) and the weekend after it all count from the same place.
    for start in (date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 27)):
        assert de.add_business_days(start, 1) == date(2026, 12, 28)


def test_next_business_day() -> None:
    de = bd.business_calendar("DE")
    assert de.next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert de.next_business_day(date(2026, 12, 28)) == date(2026, 12, 28)
    assert de.next_business_day(date(2026, 12, 28), inclusive=False) == date(2026, 12, 29)
    assert de.next_business_day(date(2026, 12, 31), inclusive=False) == date(2027, 1, 4)


def test_zero_and_negative_counts_follow_workalendar() -> None:
    de = bd.business_calendar("DE")
    assert de.add_business_days(date(2026, 12, 26), 0) == date(2026, 12, 26)
    assert de.add_business_days(date(2026, 12, 28), -1) == date(2026, 12, 24)
    assert de.add_business_days(date(2027, 1, 4), -3) == date(2026, 12, 29)


def test_datetime_input_gives_date() -> None:
    de = bd.business_calendar("DE")
    result = de.add_business_days(datetime(2026, 12, 23, 15, 30), 5)
    assert result == date(2026, 12, 31)
    assert type(result) is date


def test_us_gets_juneteenth_from_holidays_package() -> None:
    juneteenth = date(2026, 6, 19)  # a Friday
    us = bd.business_calendar("US")
    assert us.description == "United States"
    assert not us.is_business_day(juneteenth)
    assert juneteenth in us.holidays_between(date(2026, 6, 1), date(2026, 6, 30))
    assert us.add_business_days(date(2026, 6, 18), 1) == date(2026, 6, 22)
    wk_only = bd.business_calendar("US", source="workalendar")
    assert wk_only.is_business_day(juneteenth)
    assert wk_only.add_business_days(date(2026, 6, 18), 1) == juneteenth
    hol_only = bd.business_calendar("US", source="holidays")
    assert not hol_only.is_business_day(juneteenth)


def test_truth_and_reconciliation_day_comes_from_holidays_package() -> None:
    sept30 = date(2026, 9, 30)  # a Wednesday
    # British Columbia made it a statutory holiday in 2023; workalendar never learnt.
    assert not bd.business_calendar("CA-BC").is_business_day(sept30)
    assert bd.business_calendar("CA-BC", source="workalendar").is_business_day(sept30)
    # Ontario does not observe it, so neither source has it there.
    assert bd.business_calendar("CA-ON").is_business_day(sept30)
    assert bd.business_calendar("CA-ON").description == "Canada (ON)"


def test_china_2025_from_holidays_package_with_one_warning() -> None:
    messages: list[str] = []
    cn = bd.business_calendar("CN", warn=messages.append)
    assert messages == []  # nothing is computed until asked
    # Spring Festival, and the Sunday before it that was made a working day.
    assert not cn.is_business_day(date(2025, 1, 29))
    assert cn.is_business_day(date(2025, 1, 26))
    assert not cn.is_business_day(date(2025, 10, 1))  # National Day
    assert cn.add_business_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    cn.add_business_days(date(2026, 12, 1), 30)  # more years workalendar cannot do
    assert cn.is_business_day(date(2027, 3, 3))
    assert len(messages) == 1
    assert "China in 2024-2026" in messages[0]
    # The same calendar again: the warning is not repeated.
    assert bd.business_calendar("cn", warn=messages.append) is cn
    assert len(messages) == 1


def test_china_strict_workalendar_fails_only_where_it_must() -> None:
    cn = bd.business_calendar("CN", source="workalendar")
    # workalendar knows 2018-2023; the end of 2023 works although 2024 is unknown.
    assert cn.add_business_days(date(2023, 6, 1), 5) == date(2023, 6, 8)
    with pytest.raises(ConfigError, match="2024"):
        cn.add_business_days(date(2023, 12, 20), 20)


def test_malaysia_2026_works() -> None:
    messages: list[str] = []
    my = bd.business_calendar("MY", warn=messages.append)
    assert not my.is_business_day(date(2026, 8, 31))  # Merdeka Day, a Monday
    assert my.add_business_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    assert len(messages) == 1 and "Malaysia" in messages[0]


# --- subdivisions and weekends ----------------------------------------------------------


def test_scotland_has_its_own_holidays() -> None:
    sct = bd.business_calendar("uk-sct")
    assert sct.code == "GB-SCT"
    assert sct.description == "United Kingdom (SCT)"
    assert not sct.is_business_day(date(2026, 11, 30))  # St Andrew's Day
    assert not sct.is_business_day(date(2026, 8, 3))  # Scottish summer bank holiday
    assert sct.is_business_day(date(2026, 8, 31))  # English one
    assert not bd.business_calendar("GB").is_business_day(date(2026, 8, 31))
    # workalendar's Scotland class is not in its registry but must be found.
    strict = bd.business_calendar("GB-SCT", source="workalendar")
    assert not strict.is_business_day(date(2026, 1, 2))


@pytest.mark.parametrize("code", ["GB-ENG", "GB-WLS", "GB-NIR", "FR-57", "FR-67", "FR-68"])
def test_subdivisions_workalendar_does_not_register(code: str) -> None:
    messages: list[str] = []
    cal = bd.business_calendar(code, source="workalendar", warn=messages.append)
    cal.add_business_days(date(2026, 1, 1), 100)
    both = bd.business_calendar(code, warn=messages.append)
    both.add_business_days(date(2026, 1, 1), 100)
    assert messages == []


def test_alsace_moselle_observes_good_friday() -> None:
    good_friday = date(2026, 4, 3)
    assert bd.business_calendar("FR").is_business_day(good_friday)
    for code in ("FR-57", "FR-67", "FR-68"):
        for source in ("both", "workalendar", "holidays"):
            cal = bd.business_calendar(code, source=source)  # type: ignore[arg-type]
            assert not cal.is_business_day(good_friday), (code, source)


def test_navarra_under_both_spellings() -> None:
    maundy_thursday = date(2026, 4, 2)  # a holiday in Navarra, not in all of Spain
    saint_francis_xavier = date(2026, 12, 3)  # only `holidays` has this one
    for code in ("ES-NC", "ES-NA"):
        for source in ("both", "workalendar", "holidays"):
            cal = bd.business_calendar(code, source=source)  # type: ignore[arg-type]
            assert not cal.is_business_day(maundy_thursday), (code, source)
            assert cal.is_business_day(saint_francis_xavier) == (source == "workalendar")
    assert bd.business_calendar("ES").is_business_day(maundy_thursday)


def test_subdivision_only_holidays_knows_uses_national_workalendar_class() -> None:
    messages: list[str] = []
    pr = bd.business_calendar("US-PR", warn=messages.append)
    assert len(messages) == 1 and "US-PR" in messages[0]
    assert not pr.is_business_day(date(2026, 1, 6))  # Epiphany, Puerto Rico only
    assert bd.business_calendar("US").is_business_day(date(2026, 1, 6))
    with pytest.raises(ConfigError, match="US-PR"):
        bd.business_calendar("US-PR", source="workalendar")


def test_weekends_follow_the_country() -> None:
    # Israel: Friday and Saturday off, Sunday a working day (workalendar's definition).
    il = bd.business_calendar("IL")
    assert [il.is_business_day(date(2026, 5, d)) for d in range(4, 11)] == [
        True, True, True, True, False, False, True,
    ]  # fmt: skip
    # The UAE (only in `holidays`) moved to Saturday-Sunday in 2022.
    ae = bd.business_calendar("AE", warn=lambda _: None)
    assert [ae.is_business_day(date(2026, 5, d)) for d in range(4, 11)] == [
        True, True, True, True, True, False, False,
    ]  # fmt: skip
    assert not ae.is_business_day(date(2020, 1, 3))  # a Friday, weekend back then
    # Saudi Arabia (only in `holidays`): Friday and Saturday.
    sa = bd.business_calendar("SA", warn=lambda _: None)
    assert not sa.is_business_day(date(2026, 5, 8))
    assert sa.is_business_day(date(2026, 5, 10))


# --- configuration errors and the Monday-to-Friday fallback -----------------------------


@pytest.mark.parametrize("code", ["XX", "xx", "QQ-AB"])
def test_unknown_country(code: str) -> None:
    with pytest.raises(ConfigError, match=rf"unknown country code '{code.upper()}'"):
        bd.business_calendar(code)


def test_unknown_subdivision() -> None:
    with pytest.raises(ConfigError, match="unknown country code 'US-ZZ'"):
        bd.business_calendar("US-ZZ")


def test_malformed_code_is_config_error() -> None:
    with pytest.raises(ConfigError, match="'Finland'"):
        bd.business_calendar("Finland")


def test_workalendar_source_needs_workalendar() -> None:
    with pytest.raises(ConfigError, match="workalendar has no calendar for 'AE'"):
        bd.business_calendar("AE", source="workalendar")


def test_bad_source() -> None:
    with pytest.raises(ConfigError, match="'gov'"):
        bd.business_calendar("FI", source="gov")  # type: ignore[arg-type]


def test_no_country_and_utc_counts_monday_to_friday_with_one_warning() -> None:
    messages: list[str] = []
    cal = bd.business_calendar(None, "UTC", warn=messages.append)
    assert messages == [
        "no country set and none can be inferred from time zone UTC; counting Monday to Friday only"
    ]
    assert cal.code == ""
    assert cal.description == "Monday to Friday"
    assert cal.is_business_day(date(2026, 12, 25))  # Friday, but no holidays at all
    assert not cal.is_business_day(date(2026, 12, 26))
    assert cal.add_business_days(date(2026, 12, 24), 2) == date(2026, 12, 28)
    assert cal.holidays_between(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert bd.business_calendar(None, "UTC", warn=messages.append) is cal
    assert bd.business_calendar("", "UTC", warn=messages.append) is cal
    assert len(messages) == 1


def test_no_country_and_no_zone_warns_too() -> None:
    messages: list[str] = []
    cal = bd.business_calendar(None, None, warn=messages.append)
    assert cal.code == ""
    assert len(messages) == 1 and "Monday to Friday" in messages[0]


def test_default_warning_goes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cal_followup.businessdays"):
        bd.business_calendar(None, "Etc/UTC")
    assert "time zone Etc/UTC" in caplog.text


def test_country_inferred_from_zone_and_cached() -> None:
    fi = bd.business_calendar(None, "Europe/Helsinki")
    assert fi.code == "FI" and fi.description == "Finland"
    assert bd.business_calendar("fi") is fi
    assert bd.business_calendar("FI", "America/New_York") is fi  # the country wins
    assert bd.business_calendar("FI", source="workalendar") is not fi
    assert not fi.is_business_day(date(2026, 12, 24))  # Christmas Eve is a holiday in Finland


def test_importing_does_not_import_the_holiday_libraries() -> None:
    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys, cal_followup.businessdays\n"
        "print(sorted(m for m in ('workalendar', 'holidays') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --- table extension --------------------------------------------------------------------


def test_far_dates_extend_the_table_both_ways() -> None:
    de = bd.business_calendar("DE")
    start = date(2026, 3, 2)
    assert de.add_business_days(start, 5) == date(2026, 3, 9)
    far = de.add_business_days(start, 2000)
    assert far.year >= 2033
    assert count_business_days(de, start, far) == 2000
    past = de.add_business_days(start, -1500)
    assert past.year <= 2020
    assert count_business_days(de, past, start) == 1500  # start is a business day
    old = date(1995, 6, 1)
    assert de.add_business_days(old, 3) == registry.get("DE")().add_working_days(old, 3)


# --- properties -------------------------------------------------------------------------

# Every code here builds in "both" mode; AE and SA exist only in `holidays`.
SUPPORTED = [
    "FI", "DE", "DE-BY", "US", "US-CA", "CA-ON", "CA-BC", "GB", "GB-SCT", "GB-NIR", "FR",
    "FR-57", "SE", "NO", "DK", "NL", "BE", "ES", "ES-CT", "IT", "PL", "JP", "AU", "AU-NSW",
    "IL", "AE", "SA", "CN", "MY", "SG", "HK", "KR", "BR", "MX", "CH-ZH", "IE", "NZ", "ZA",
]  # fmt: skip

dates_2024_2030 = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@PROPERTY
@given(code=st.sampled_from(SUPPORTED), start=dates_2024_2030, n=st.integers(1, 30))
def test_result_is_nth_business_day_after(code: str, start: date, n: int) -> None:
    cal = bd.business_calendar(code, warn=lambda _: None)
    result = cal.add_business_days(start, n)
    assert result > start
    assert cal.is_business_day(result)
    assert count_business_days(cal, start, result) == n
    assert cal.next_business_day(start, inclusive=False) == cal.add_business_days(start, 1)


def _oracle(code: str) -> tuple[object, object]:
    country, _, sub = code.partition("-")
    wk = registry.get(code)()
    hol = holidays.country_holidays(country, subdiv=sub or None, categories=("public",))
    return wk, hol


@PROPERTY
@given(code=st.sampled_from(["FI", "DE-BY", "US-CA", "GB", "JP"]), day=dates_2024_2030)
def test_both_is_workalendar_and_not_holidays(code: str, day: date) -> None:
    wk, hol = _oracle(code)
    expected = wk.is_working_day(day) and day not in hol  # type: ignore[attr-defined,operator]
    assert bd.business_calendar(code).is_business_day(day) == expected


# (code, first, last): the years each workalendar class can compute.
WORKALENDAR_RANGES = [
    ("FI", date(2000, 1, 1), date(2040, 12, 31)),
    ("DE", date(2000, 1, 1), date(2040, 12, 31)),
    ("DE-BY", date(2000, 1, 1), date(2040, 12, 31)),
    ("US", date(2000, 1, 1), date(2040, 12, 31)),
    ("US-CA", date(2000, 1, 1), date(2040, 12, 31)),
    ("GB", date(2000, 1, 1), date(2040, 12, 31)),
    ("CA-ON", date(2000, 1, 1), date(2040, 12, 31)),
    ("JP", date(2005, 1, 1), date(2040, 12, 31)),
    ("IL", date(2005, 1, 1), date(2040, 12, 31)),
    ("HK", date(2010, 1, 1), date(2040, 12, 31)),
    ("RU", date(2010, 1, 1), date(2030, 12, 31)),  # its own weekend working days
    ("TW", date(2015, 1, 1), date(2030, 12, 31)),  # likewise
    ("CN", date(2018, 3, 1), date(2023, 10, 31)),  # raises outside 2018-2023
    ("MY", date(2015, 3, 1), date(2024, 10, 31)),  # raises from 2025
]


@st.composite
def workalendar_cases(draw: st.DrawFn) -> tuple[str, date, int]:
    code, first, last = draw(st.sampled_from(WORKALENDAR_RANGES))
    return code, draw(st.dates(min_value=first, max_value=last)), draw(st.integers(-40, 40))


@PROPERTY
@given(case=workalendar_cases())
def test_workalendar_source_equals_add_working_days(case: tuple[str, date, int]) -> None:
    code, start, n = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = registry.get(code)().add_working_days(start, n)
    assert bd.business_calendar(code, source="workalendar").add_business_days(start, n) == expected


# --- The year table against the libraries' own day-by-day answers -------------------

_YEAR_CASES = ("FI", "US", "DE", "GB", "FR", "JP", "IL", "AE", "CN", "RU", "TW", "BR")


@settings(max_examples=25, deadline=None)
@given(
    country=st.sampled_from(_YEAR_CASES),
    year=st.integers(min_value=2015, max_value=2030),
    source=st.sampled_from(("both", "workalendar", "holidays")),
)
def test_a_year_of_business_days_is_what_the_libraries_say_day_by_day(
    country: str, year: int, source: str
) -> None:
    """Sources.year reads whole years at once; each day must still get the libraries' answer."""
    try:
        _, _, sources, _ = build_sources(country, None, source)
    except ConfigError:
        return  # a country one library lacks, with that library alone: reported elsewhere
    try:
        business, found, _failure = sources.year(year)
    except ConfigError:
        return  # workalendar alone cannot do this year (said to the user elsewhere)
    wk, hol = sources.workalendar, sources.holidays
    expected: list[int] = []
    holidays_found: set[date] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if wk is not None and _failure is None:
            holidays_found |= wk.holidays_set(year)
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            in_hol = hol is not None and day in hol
            if in_hol:
                holidays_found.add(day)
            if wk is not None and _failure is None:
                ok = not in_hol and wk.is_working_day(day)
            elif hol is not None:
                ok = hol.is_working_day(day)
            else:
                ok = day.weekday() < 5
            if ok:
                expected.append(ordinal)
    assert business == expected
    assert found == holidays_found
