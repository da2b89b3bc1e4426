"""The insurer's business hours: when a person can answer, and how much staffed time has passed.

Handoffs and reminders speak of time the way the desk lives it ("we open at 9:00 on Monday",
"remind after 10 business minutes"), so this module turns the BUSINESS_HOURS,
BUSINESS_TIMEZONE and CLOSED_DAYS settings into answers about Unix instants. It is pure: no
clock, no I/O, so every answer can be tested for a fixed instant.

Spans are per local day and computed with zoneinfo, so a DST change shortens or lengthens the
day instead of shifting the hours. Public holidays are Japanese whatever the time zone, because
the insurer is Japanese; they come from python-holidays (substitute and citizens' holidays
included), read one year at a time as a question first touches that year.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HORIZON_DAYS = 400  # more than a year: any yearly closure ends inside it, so "never" is a setting bug
_DAY_MINUTES = 24 * 60
_RULE = re.compile(r"\s*([A-Za-z][A-Za-z\s,-]*?)\s+(\S+?)\s*-\s*(\S+?)\s*(?:[;,]|$)")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"(?:(\d{4})-)?(\d{2})-(\d{2})")
_CLOSED_FORMS = "use MM-DD, MM-DD..MM-DD, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"

Span = tuple[int, int]  # minutes after local midnight, start < end <= 1440
MonthDay = tuple[int, int]


class HoursError(ValueError):
    """A setting that can't be read; str() names the setting and the bad part, e.g.
    "BUSINESS_HOURS: 'Mon-Fry 09:00-17:00': unknown day 'Fry' (use Mon, Tue, Wed, Thu, Fri,
    Sat, Sun)". A ValueError so start-up validation that already catches those reports it."""


def _error(setting: str, value: str, problem: str) -> HoursError:
    return HoursError(f"{setting}: {value.strip()!r}: {problem}")


@functools.lru_cache(maxsize=None)
def japanese_holidays(year: int) -> frozenset[dt.date]:
    """Japan's public holidays of one year, cached: built only for years a question touches."""
    return frozenset(holidays.country_holidays("JP", years=year))


@dataclass(frozen=True)
class BusinessHours:
    """Weekly open spans in a time zone, minus closed days. `week is None` means always open:
    the bot then never says "we're closed", so closed days and holidays don't apply."""

    week: tuple[tuple[Span, ...], ...] | None  # index 0 is Monday, spans sorted and merged
    tz: ZoneInfo
    closed_month_days: tuple[tuple[MonthDay, MonthDay], ...] = ()  # every year; may wrap
    closed_dates: tuple[tuple[dt.date, dt.date], ...] = ()  # inclusive
    public_holidays: bool = True

    def __post_init__(self) -> None:
        if self.week is not None and not any(self.week):
            raise HoursError("BUSINESS_HOURS: no open days (use e.g. 'Mon-Fri 09:00-17:00')")

    @classmethod
    def parse(cls, hours: str = "Mon-Fri 09:00-17:00", timezone: str = "Asia/Tokyo",
              closed_days: str = "12-29..01-03", *, public_holidays: bool = True) -> BusinessHours:
        """Read the three settings; every one is checked even for `always`, so a typo surfaces
        at start-up rather than the first time someone asks."""
        tz = _parse_timezone(timezone)
        month_days, dates = _parse_closed_days(closed_days)
        if hours.strip().lower() in ("always", "24/7"):
            return cls(None, tz)
        return cls(_parse_week(hours), tz, month_days, dates, public_holidays)

    @classmethod
    def always(cls, timezone: str = "Asia/Tokyo") -> BusinessHours:
        """Open all the time; the zone still matters for `local`."""
        return cls(None, _parse_timezone(timezone))

    @property
    def is_always(self) -> bool:
        return self.week is None

    def local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, self.tz)

    def is_closed_day(self, day: dt.date) -> bool:
        """A public holiday or a CLOSED_DAYS day: the desk has no hours at all on it."""
        if self.week is None:
            return False
        if self.public_holidays and day in japanese_holidays(day.year):
            return True
        md = (day.month, day.day)
        return any(_in_month_days(md, lo, hi) for lo, hi in self.closed_month_days) or any(
            lo <= day <= hi for lo, hi in self.closed_dates)

    def is_open(self, at: float) -> bool:
        return self.week is None or self.closes_at(at) is not None

    def closes_at(self, at: float) -> float | None:
        """End of the span holding `at`; None when closed, or always open (nothing ends)."""
        if self.week is None:
            return None
        return next((end for start, end in self._day_spans(self._day_of(at))
                     if start <= at < end), None)

    def next_open(self, at: float) -> float:
        """`at` itself when open, else the start of the next span. Raises HoursError when
        nothing opens within HORIZON_DAYS, rather than searching forever."""
        if self.week is None:
            return at
        for start, end in self._spans_from(self._day_of(at)):
            if end > at:
                return max(start, at)
        raise HoursError(f"BUSINESS_HOURS/CLOSED_DAYS: never open in the {HORIZON_DAYS} days "
                         f"after {self.local(at):%Y-%m-%d} (every open day is a closed day)")

    def business_seconds(self, start: float, end: float) -> float:
        """Open time between two instants, walking local days so months cost only days."""
        if end <= start:
            return 0.0
        if self.week is None:
            return end - start
        first, last = self._day_of(start), self._day_of(end)
        return sum(max(0.0, min(e, end) - max(s, start))
                   for i in range((last - first).days + 1)
                   for s, e in self._day_spans(first + dt.timedelta(days=i)))

    def add_business_seconds(self, start: float, seconds: float) -> float:
        """The earliest instant by which `seconds` of open time have passed after `start`
        (zero gives `start`); a reminder set on Friday evening fires on Monday morning."""
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        if self.week is None or seconds == 0:
            return start + seconds
        at, left = start, float(seconds)
        while True:
            at = self.next_open(at)
            end = self.closes_at(at)
            assert end is not None  # next_open returned an open instant
            if left <= end - at:
                return at + left
            left -= end - at
            at = end

    def _day_of(self, at: float) -> dt.date:
        """The local date holding `at`. Floored to the second, because fromtimestamp rounds to
        the microsecond and would put 23:59:59.9999996 on the next day, outside its span."""
        return dt.datetime.fromtimestamp(math.floor(at), self.tz).date()

    def _spans_from(self, day: dt.date) -> Iterator[tuple[float, float]]:
        for i in range(HORIZON_DAYS):
            yield from self._day_spans(day + dt.timedelta(days=i))

    def _day_spans(self, day: dt.date) -> list[tuple[float, float]]:
        """One local day's spans as epoch seconds; a DST gap can empty a span, which is dropped."""
        if self.week is None or self.is_closed_day(day):
            return []
        spans = [(self._instant(day, s), self._instant(day, e)) for s, e in self.week[day.weekday()]]
        return [(s, e) for s, e in spans if s < e]

    def _instant(self, day: dt.date, minute: int) -> float:
        if minute == _DAY_MINUTES:
            day, minute = day + dt.timedelta(days=1), 0
        hh, mm = divmod(minute, 60)
        return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=self.tz).timestamp()


def _in_month_days(md: MonthDay, lo: MonthDay, hi: MonthDay) -> bool:
    return lo <= md <= hi if lo <= hi else md >= lo or md <= hi


def _parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; "", "../x" ValueError
        raise _error("BUSINESS_TIMEZONE", name,
                     "unknown time zone (use an IANA name such as 'Asia/Tokyo')") from None


def _parse_week(text: str) -> tuple[tuple[Span, ...], ...]:
    """`<days> HH:MM-HH:MM` rules joined by ';' or ','; matched whole, because a day list
    has commas of its own."""
    if not text.strip():
        raise _error("BUSINESS_HOURS", text, "empty (use e.g. 'Mon-Fri 09:00-17:00' or 'always')")
    week: list[list[Span]] = [[] for _ in DAYS]
    pos = 0
    while pos < len(text) and text[pos:].strip():
        m = _RULE.match(text, pos)
        if m is None:
            raise _error("BUSINESS_HOURS", text, f"can't read {text[pos:].strip()!r} "
                         "(expected '<days> HH:MM-HH:MM', e.g. 'Mon-Fri 09:00-17:00')")
        start, end = _minutes(text, m[2], end=False), _minutes(text, m[3], end=True)
        if start >= end:
            raise _error("BUSINESS_HOURS", text, f"{m[2]}-{m[3]}: start must be before end "
                         "(no overnight spans; split at midnight, e.g. 'Fri 22:00-24:00; Sat 00:00-02:00')")
        for day in _days(text, m[1]):
            week[day].append((start, end))
        pos = m.end()
    return tuple(_merge(spans) for spans in week)


def _days(text: str, days: str) -> list[int]:
    result: list[int] = []
    for item in days.split(","):
        ends = [_day(text, name.strip()) for name in item.split("-")]
        if len(ends) > 2:
            raise _error("BUSINESS_HOURS", text, f"bad day range {item.strip()!r} (use e.g. Mon-Fri)")
        first, last = ends[0], ends[-1]
        result.extend((first + i) % 7 for i in range((last - first) % 7 + 1))  # Fri-Mon wraps
    return result


def _day(text: str, name: str) -> int:
    for i, day in enumerate(DAYS):
        if name.lower() == day.lower():
            return i
    raise _error("BUSINESS_HOURS", text, f"unknown day {name!r} (use {', '.join(DAYS)})")


def _minutes(text: str, token: str, *, end: bool) -> int:
    m = _TIME.fullmatch(token)
    hh, mm = (int(m[1]), int(m[2])) if m else (99, 99)
    if mm < 60 and (hh < 24 or (end and hh == 24 and mm == 0)):
        return hh * 60 + mm
    allowed = "00:00-24:00" if end else "00:00-23:59"
    raise _error("BUSINESS_HOURS", text, f"bad time {token!r} (use HH:MM, {allowed})")


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Overlapping rules (`Mon-Fri 09:00-17:00; Mon 16:00-18:00`) make one span, not two."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_closed_days(text: str) -> tuple[tuple[tuple[MonthDay, MonthDay], ...],
                                           tuple[tuple[dt.date, dt.date], ...]]:
    month_days: list[tuple[MonthDay, MonthDay]] = []
    dates: list[tuple[dt.date, dt.date]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        ends = [_closed_end(text, item, part.strip()) for part in item.split("..")]
        if len(ends) > 2:
            raise _error("CLOSED_DAYS", text, f"bad item {item!r} ({_CLOSED_FORMS})")
        lo, hi = ends[0], ends[-1]
        if isinstance(lo, tuple) and isinstance(hi, tuple):
            month_days.append((lo, hi))  # lo > hi wraps the year end
        elif isinstance(lo, dt.date) and isinstance(hi, dt.date) and lo <= hi:
            dates.append((lo, hi))
        else:
            problem = "ends before it starts" if type(lo) is type(hi) else "mixes MM-DD and YYYY-MM-DD"
            raise _error("CLOSED_DAYS", text, f"range {item!r} {problem}")
    return tuple(month_days), tuple(dates)


def _closed_end(text: str, item: str, part: str) -> MonthDay | dt.date:
    m = _DATE.fullmatch(part)
    try:
        if m is None:
            raise ValueError
        day = dt.date(int(m[1] or 2000), int(m[2]), int(m[3]))  # 2000 is a leap year: 02-29 ok
    except ValueError:
        raise _error("CLOSED_DAYS", text, f"bad item {item!r} ({_CLOSED_FORMS})") from None
    return day if m[1] else (day.month, day.day)


DEFAULT_HOURS = "Mon-Fri 09:00-17:00"
DEFAULT_TIMEZONE = "Asia/Tokyo"
DEFAULT_CLOSED_DAYS = "12-29..01-03"  # 年末年始


def from_env(env: Mapping[str, str]) -> BusinessHours:
    """BUSINESS_HOURS, BUSINESS_TIMEZONE and CLOSED_DAYS as the served app and the terminal chat
    read them (unset or blank: the defaults, weekdays 9 to 5 in Tokyo, closed over the New Year)."""
    def get(name: str, default: str) -> str:
        value = (env.get(name) or "").strip()
        return value or default

    closed = env.get("CLOSED_DAYS")
    return BusinessHours.parse(get("BUSINESS_HOURS", DEFAULT_HOURS), get("BUSINESS_TIMEZONE", DEFAULT_TIMEZONE),
                               DEFAULT_CLOSED_DAYS if closed is None else closed.strip())
