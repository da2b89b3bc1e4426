"""Business hours: the instants a handoff or reminder depends on, for fixed dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.hours import BusinessHours, HoursError

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
DEFAULT = BusinessHours.parse()
MINUTE = 60.0
HOUR = 3600.0


def at(*args: int, tz: ZoneInfo = TOKYO) -> float:
    return dt.datetime(*args, tzinfo=tz).timestamp()


# --- the default desk: Mon-Fri 09:00-17:00 Tokyo, closed 12-29..01-03 and public holidays


def test_defaults_read_the_documented_settings():
    assert DEFAULT == BusinessHours.parse("Mon-Fri 09:00-17:00", "Asia/Tokyo", "12-29..01-03")
    assert DEFAULT.tz == TOKYO and not DEFAULT.is_always


def test_open_on_a_wednesday_morning():
    assert DEFAULT.is_open(at(2026, 12, 2, 10))
    assert DEFAULT.next_open(at(2026, 12, 2, 10)) == at(2026, 12, 2, 10)
    assert DEFAULT.closes_at(at(2026, 12, 2, 10)) == at(2026, 12, 2, 17)


def test_spans_are_half_open():
    assert DEFAULT.is_open(at(2026, 12, 2, 9))
    assert not DEFAULT.is_open(at(2026, 12, 2, 17))
    assert not DEFAULT.is_open(at(2026, 12, 2, 8, 59, 59))


def test_evening_opens_next_morning():
    assert not DEFAULT.is_open(at(2026, 12, 2, 18))
    assert DEFAULT.closes_at(at(2026, 12, 2, 18)) is None
    assert DEFAULT.next_open(at(2026, 12, 2, 18)) == at(2026, 12, 3, 9)


def test_saturday_opens_monday():
    assert DEFAULT.next_open(at(2026, 12, 5, 11)) == at(2026, 12, 7, 9)


def test_year_end_closure_opens_on_january_4():
    assert DEFAULT.next_open(at(2026, 12, 28, 18)) == at(2027, 1, 4, 9)
    for day in (dt.date(2026, 12, 29), dt.date(2026, 12, 31), dt.date(2027, 1, 3)):
        assert DEFAULT.is_closed_day(day)
    assert not DEFAULT.is_closed_day(dt.date(2026, 12, 28))
    assert not DEFAULT.is_closed_day(dt.date(2027, 1, 4))


def test_labour_thanksgiving_monday_is_closed():
    assert DEFAULT.is_closed_day(dt.date(2026, 11, 23))
    assert not DEFAULT.is_open(at(2026, 11, 23, 10))
    assert DEFAULT.next_open(at(2026, 11, 23, 10)) == at(2026, 11, 24, 9)


def test_substitute_and_citizens_holidays_as_the_package_reports_them():
    jp = holidays.country_holidays("JP", years=2026)
    assert jp.get(dt.date(2026, 5, 6)) == "Substitute Holiday"  # 振替休日 for Sun 5/3
    assert jp.get(dt.date(2026, 9, 21)) == "Respect for the Aged Day"  # 敬老の日
    assert jp.get(dt.date(2026, 9, 22)) == "National Holiday"  # 国民の休日, between two holidays
    for day in (dt.date(2026, 5, 6), dt.date(2026, 9, 21), dt.date(2026, 9, 22)):
        assert DEFAULT.is_closed_day(day)
    # Silver week: Mon 9/21 to Wed 9/23 (秋分の日) are all closed.
    assert DEFAULT.next_open(at(2026, 9, 18, 17)) == at(2026, 9, 24, 9)


def test_public_holidays_can_be_turned_off():
    hours = BusinessHours.parse(closed_days="", public_holidays=False)
    assert hours.is_open(at(2026, 11, 23, 10))
    assert not hours.is_closed_day(dt.date(2026, 11, 23))


def test_business_seconds_over_a_weekend():
    assert DEFAULT.business_seconds(at(2026, 12, 4, 16, 50), at(2026, 12, 7, 9, 10)) == 20 * MINUTE


def test_business_seconds_edge_cases():
    wed = at(2026, 12, 2, 10)
    assert DEFAULT.business_seconds(wed, wed) == 0
    assert DEFAULT.business_seconds(wed + HOUR, wed) == 0
    # Two ordinary weeks, the second with no holiday: 10 days of 8 hours.
    assert DEFAULT.business_seconds(at(2026, 11, 30), at(2026, 12, 14)) == 10 * 8 * HOUR


def test_business_seconds_over_a_year_is_quick_and_counts_working_days():
    start, end = at(2026, 1, 1), at(2027, 1, 1)
    days = sum(1 for i in range(365) if _working(dt.date(2026, 1, 1) + dt.timedelta(days=i)))
    assert DEFAULT.business_seconds(start, end) == days * 8 * HOUR


def _working(day: dt.date) -> bool:
    return day.weekday() < 5 and not DEFAULT.is_closed_day(day)


def test_add_business_seconds_carries_over_the_weekend():
    assert DEFAULT.add_business_seconds(at(2026, 12, 4, 16, 55), 10 * MINUTE) == at(2026, 12, 7, 9, 5)


def test_add_business_seconds_inside_a_span_and_at_its_end():
    assert DEFAULT.add_business_seconds(at(2026, 12, 2, 10), 30 * MINUTE) == at(2026, 12, 2, 10, 30)
    assert DEFAULT.add_business_seconds(at(2026, 12, 2, 16), HOUR) == at(2026, 12, 2, 17)
    assert DEFAULT.add_business_seconds(at(2026, 12, 2, 18), MINUTE) == at(2026, 12, 3, 9, 1)


def test_add_business_seconds_zero_and_negative():
    evening = at(2026, 12, 2, 18)
    assert DEFAULT.add_business_seconds(evening, 0) == evening
    with pytest.raises(ValueError):
        DEFAULT.add_business_seconds(evening, -1)


def test_local_is_aware_in_the_zone():
    local = DEFAULT.local(at(2026, 12, 2, 10))
    assert local == dt.datetime(2026, 12, 2, 10, tzinfo=TOKYO)
    assert local.utcoffset() == dt.timedelta(hours=9)


# --- always


@pytest.mark.parametrize("text", ["always", "ALWAYS", " Always ", "24/7"])
def test_always_is_open_at_three_on_a_sunday(text):
    hours = BusinessHours.parse(text)
    sunday_3am = at(2026, 12, 6, 3)
    assert hours.is_always and hours == BusinessHours.always()
    assert hours.is_open(sunday_3am)
    assert hours.next_open(sunday_3am) == sunday_3am
    assert hours.closes_at(sunday_3am) is None
    assert hours.business_seconds(sunday_3am, sunday_3am + 90) == 90
    assert hours.add_business_seconds(sunday_3am, 90) == sunday_3am + 90
    assert hours.is_open(at(2027, 1, 1, 3))  # closed days don't apply: no hours to close
    assert not hours.is_closed_day(dt.date(2027, 1, 1))


def test_always_still_checks_the_other_settings():
    with pytest.raises(HoursError, match="BUSINESS_TIMEZONE"):
        BusinessHours.parse("always", "Mars/Olympus")
    with pytest.raises(HoursError, match="CLOSED_DAYS"):
        BusinessHours.parse("always", closed_days="13-01")


# --- rule syntax


def _week(text: str) -> dict[str, list[tuple[int, int]]]:
    hours = BusinessHours.parse(text, closed_days="", public_holidays=False)
    assert hours.week is not None
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return {name: list(spans) for name, spans in zip(names, hours.week) if spans}


def test_day_lists_and_several_rules():
    nine_to_five, ten_to_four, sat = [(540, 1020)], [(600, 960)], [(540, 720)]
    assert _week("Mon,Wed,Fri 10:00-16:00") == {"Mon": ten_to_four, "Wed": ten_to_four, "Fri": ten_to_four}
    expected = {d: nine_to_five for d in ("Mon", "Tue", "Wed", "Thu", "Fri")} | {"Sat": sat}
    assert _week("Mon-Fri 09:00-17:00; Sat 09:00-12:00") == expected
    assert _week("Mon-Fri 09:00-17:00, Sat 09:00-12:00") == expected
    assert _week("  mon - FRI  9:00 - 17:00 ;sat 9:00-12:00 ; ") == expected
    assert _week("Mon, Wed 10:00-16:00,Fri 10:00-16:00") == _week("Mon,Wed,Fri 10:00-16:00")


def test_whole_week_wrapping_ranges_and_midnight():
    assert len(_week("Mon-Sun 08:30-20:00")) == 7
    assert set(_week("Fri-Mon 10:00-16:00")) == {"Fri", "Sat", "Sun", "Mon"}
    assert _week("Sun 00:00-24:00") == {"Sun": [(0, 1440)]}


def test_overlapping_rules_merge():
    assert _week("Mon 09:00-12:00; Mon 11:00-17:00; Mon 18:00-19:00") == {"Mon": [(540, 1020), (1080, 1140)]}


def test_an_instant_a_hair_before_midnight_belongs_to_its_own_day():
    hours = BusinessHours.parse("Wed 09:00-24:00", closed_days="")
    midnight = at(2026, 12, 3)
    almost = midnight - 2e-7  # fromtimestamp would round this up to Thursday 00:00:00
    assert almost < midnight and hours.is_open(almost)
    assert hours.closes_at(almost) == midnight
    assert hours.next_open(almost) == almost
    assert not hours.is_open(midnight)


def test_lunch_break_makes_two_spans():
    hours = BusinessHours.parse("Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00")
    assert not hours.is_open(at(2026, 12, 2, 12, 30))
    assert hours.next_open(at(2026, 12, 2, 12, 30)) == at(2026, 12, 2, 13)
    assert hours.closes_at(at(2026, 12, 2, 10)) == at(2026, 12, 2, 12)
    assert hours.business_seconds(at(2026, 12, 2), at(2026, 12, 3)) == 7 * HOUR
    assert hours.add_business_seconds(at(2026, 12, 2, 11, 50), 20 * MINUTE) == at(2026, 12, 2, 13, 10)


@pytest.mark.parametrize(("text", "message"), [
    ("Mon-Fry 09:00-17:00",
     "BUSINESS_HOURS: 'Mon-Fry 09:00-17:00': unknown day 'Fry' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
    ("", "BUSINESS_HOURS: '': empty"),
    ("   ", "BUSINESS_HOURS: '': empty"),
    ("Mon-Fri 9am-5pm", "BUSINESS_HOURS: 'Mon-Fri 9am-5pm': bad time '9am' (use HH:MM, 00:00-23:59)"),
    ("Mon-Fri 09:00-25:00", "bad time '25:00' (use HH:MM, 00:00-24:00)"),
    ("Mon-Fri 09:60-17:00", "bad time '09:60'"),
    ("Mon-Fri 24:00-24:00", "bad time '24:00' (use HH:MM, 00:00-23:59)"),
    ("Mon-Fri 22:00-06:00", "22:00-06:00: start must be before end (no overnight spans"),
    ("Mon 09:00-09:00", "start must be before end"),
    ("Mon-Fri", "can't read 'Mon-Fri' (expected '<days> HH:MM-HH:MM'"),
    ("09:00-17:00", "can't read '09:00-17:00'"),
    ("Mon 09:00-12:00 Tue 13:00-17:00", "can't read 'Mon 09:00-12:00 Tue 13:00-17:00'"),
    ("Mon-Fri 09:00-17:00; nonsense", "can't read 'nonsense'"),
    ("Mon-Wed-Fri 09:00-17:00", "bad day range 'Mon-Wed-Fri'"),
    ("Mon,,Fri 09:00-17:00", "unknown day ''"),
    ("Monday 09:00-17:00", "unknown day 'Monday'"),
])
def test_bad_hours_say_what_is_wrong(text, message):
    with pytest.raises(HoursError) as caught:
        BusinessHours.parse(text)
    assert message in str(caught.value)
    assert str(caught.value).startswith("BUSINESS_HOURS: ")


def test_hours_error_is_a_value_error():
    assert issubclass(HoursError, ValueError)


def test_a_rule_set_with_no_days_is_rejected():
    with pytest.raises(HoursError, match="no open days"):
        BusinessHours(week=((),) * 7, tz=TOKYO)


# --- time zone


@pytest.mark.parametrize("name", ["Asia/Tokio", "", "Tokyo", "../etc/passwd", "/etc/localtime"])
def test_unknown_time_zone(name):
    with pytest.raises(HoursError, match=r"^BUSINESS_TIMEZONE: .*unknown time zone"):
        BusinessHours.parse(timezone=name)


def test_unknown_time_zone_message():
    with pytest.raises(HoursError) as caught:
        BusinessHours.parse(timezone="Asia/Tokio")
    assert str(caught.value) == ("BUSINESS_TIMEZONE: 'Asia/Tokio': unknown time zone "
                                 "(use an IANA name such as 'Asia/Tokyo')")


# --- closed days


def test_closed_day_forms():
    hours = BusinessHours.parse(closed_days="05-01, 08-13..08-16, 2026-10-02, 2027-02-01..2027-02-03",
                                public_holidays=False)
    closed = [dt.date(2026, 5, 1), dt.date(2027, 5, 1), dt.date(2026, 8, 13), dt.date(2026, 8, 16),
              dt.date(2026, 10, 2), dt.date(2027, 2, 1), dt.date(2027, 2, 3)]
    open_ = [dt.date(2026, 5, 2), dt.date(2026, 8, 12), dt.date(2026, 8, 17), dt.date(2027, 10, 2),
             dt.date(2027, 2, 4), dt.date(2026, 12, 30)]
    assert all(hours.is_closed_day(d) for d in closed)
    assert not any(hours.is_closed_day(d) for d in open_)


def test_empty_closed_days_and_leap_day():
    assert BusinessHours.parse(closed_days="", public_holidays=False).closed_month_days == ()
    assert BusinessHours.parse(closed_days=" , ").closed_dates == ()
    hours = BusinessHours.parse(closed_days="02-29", public_holidays=False)
    assert hours.is_closed_day(dt.date(2028, 2, 29)) and not hours.is_closed_day(dt.date(2027, 3, 1))


@pytest.mark.parametrize(("text", "message"), [
    ("13-01", "CLOSED_DAYS: '13-01': bad item '13-01' (use MM-DD, MM-DD..MM-DD, YYYY-MM-DD or "
              "YYYY-MM-DD..YYYY-MM-DD)"),
    ("12-29..01-03, 02-30", "bad item '02-30'"),
    ("Dec 25", "bad item 'Dec 25'"),
    ("12/25", "bad item '12/25'"),
    ("2026-13-01", "bad item '2026-13-01'"),
    ("12-29..", "bad item '12-29..'"),
    ("12-29..12-30..12-31", "bad item '12-29..12-30..12-31'"),
    ("2026-12-29..01-03", "range '2026-12-29..01-03' mixes MM-DD and YYYY-MM-DD"),
    ("2027-01-03..2026-12-29", "range '2027-01-03..2026-12-29' ends before it starts"),
])
def test_bad_closed_days_name_the_item(text, message):
    with pytest.raises(HoursError) as caught:
        BusinessHours.parse(closed_days=text)
    assert str(caught.value).startswith("CLOSED_DAYS: ")
    assert message in str(caught.value)


def test_never_open_raises_instead_of_searching_forever():
    hours = BusinessHours.parse(closed_days="01-01..12-31")
    with pytest.raises(HoursError, match="never open"):
        hours.next_open(at(2026, 12, 2, 10))
    with pytest.raises(HoursError, match="never open"):
        hours.add_business_seconds(at(2026, 12, 2, 10), MINUTE)
    assert hours.business_seconds(at(2026, 1, 1), at(2027, 1, 1)) == 0


# --- DST and other zones


def test_new_york_hours_follow_local_time_across_dst():
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "America/New_York", "", public_holidays=False)
    before, after = at(2026, 3, 6, 9, tz=NEW_YORK), at(2026, 3, 9, 9, tz=NEW_YORK)
    assert hours.next_open(at(2026, 3, 6, 18, tz=NEW_YORK)) == after
    assert dt.datetime.fromtimestamp(before, dt.UTC).hour == 14  # EST
    assert dt.datetime.fromtimestamp(after, dt.UTC).hour == 13  # EDT
    assert hours.business_seconds(before, after + 8 * HOUR) == 16 * HOUR
    assert hours.add_business_seconds(at(2026, 3, 6, 16, 55, tz=NEW_YORK), 10 * MINUTE) == at(
        2026, 3, 9, 9, 5, tz=NEW_YORK)


def test_dst_days_are_short_and_long():
    hours = BusinessHours.parse("Sun 00:00-24:00", "America/New_York", "", public_holidays=False)
    spring, fall = dt.date(2026, 3, 8), dt.date(2026, 11, 1)
    for day, length in ((spring, 23), (fall, 25)):
        start = at(day.year, day.month, day.day, tz=NEW_YORK)
        assert hours.business_seconds(start - HOUR, start + 30 * HOUR) == length * HOUR
        assert hours.closes_at(start + HOUR) == start + length * HOUR


def test_a_span_inside_the_dst_gap_is_empty_and_skipped():
    hours = BusinessHours.parse("Sun 02:00-03:00", "America/New_York", "", public_holidays=False)
    assert hours.business_seconds(at(2026, 3, 7, tz=NEW_YORK), at(2026, 3, 9, tz=NEW_YORK)) == 0
    assert hours.next_open(at(2026, 3, 8, tz=NEW_YORK)) == at(2026, 3, 15, 2, tz=NEW_YORK)


def test_holidays_are_japanese_whatever_the_zone():
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "America/New_York", "")
    assert not hours.is_open(at(2026, 11, 3, 10, tz=NEW_YORK))  # 文化の日, Tuesday
    assert hours.is_open(at(2026, 11, 26, 10, tz=NEW_YORK))  # US Thanksgiving is a working day


# --- properties

SCHEDULES = [
    DEFAULT,
    BusinessHours.parse("Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:30; Sat 10:00-12:00", "America/New_York"),
    BusinessHours.parse("Mon-Sun 00:00-24:00", "America/New_York", "07-04", public_holidays=False),
    BusinessHours.parse("Fri-Mon 01:30-02:30", "Europe/London", "2026-10-23..2026-11-02"),
]
instants = st.floats(min_value=at(2025, 12, 1), max_value=at(2028, 12, 31), allow_nan=False)
schedules = st.sampled_from(SCHEDULES)


@settings(deadline=None)
@given(schedules, instants, st.floats(min_value=0, max_value=60 * 24 * HOUR))
def test_adding_then_measuring_gives_back_the_seconds(hours, start, seconds):
    end = hours.add_business_seconds(start, seconds)
    assert end >= start
    assert hours.business_seconds(start, end) == pytest.approx(seconds, abs=1e-3)


@settings(deadline=None)
@given(schedules, instants, instants, instants)
def test_business_seconds_is_additive_over_a_split(hours, a, b, c):
    a, b, c = sorted((a, b, c))
    whole = hours.business_seconds(a, c)
    assert whole == pytest.approx(hours.business_seconds(a, b) + hours.business_seconds(b, c), abs=1e-3)
    assert 0 <= whole <= c - a + 1e-3


@settings(deadline=None)
@given(schedules, instants)
def test_next_open_is_open_and_is_now_when_open(hours, moment):
    nxt = hours.next_open(moment)
    assert nxt >= moment and hours.is_open(nxt)
    if hours.is_open(moment):
        assert nxt == moment
        end = hours.closes_at(moment)
        assert end is not None and end > moment
        assert hours.business_seconds(moment, end) == pytest.approx(end - moment, abs=1e-3)
    else:
        assert hours.business_seconds(moment, nxt) == pytest.approx(0, abs=1e-3)
