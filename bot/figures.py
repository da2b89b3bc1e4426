"""Per-day figures of the agent desk, kept in Redis.

A day is the local calendar day in the business timezone (Asia/Tokyo unless told otherwise):
an event at 23:59 JST and one at 00:01 JST land on two days even though both are on the same
UTC day.

Each day has three keys sharing one hash tag, so one `record` touches a single hash slot and
works on Redis Cluster:

    stats:{2026-12-02}          hash: counter name -> count
    stats:{2026-12-02}:seen     set: "<name> <event id>" already counted that day
    stats:{2026-12-02}:claim    list: seconds to claim, one sample per counted "claimed"

`record` is one Lua script: the event is added to the seen set and, only if it was new there,
the counter goes up (and a claim sample is appended). A redelivered event, or the same event
recorded by two processes, is therefore counted once. An event id is deduplicated per counter
name: the same conversation key may be the event id of "started" and of "quotes". Pass the
event's own time as `at` (not the time it was redelivered), so a redelivery falls on the same day.

Every key written is given a TTL of `keep_days` days, renewed on each counted write.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

KEY_PREFIX = "stats"
DEFAULT_TIMEZONE = "Asia/Tokyo"
DEFAULT_KEEP_DAYS = 400

PLAIN = ("started", "quotes", "claimed", "cancelled")
WITH_PART = ("handoffs", "closed")
SATISFACTION = "satisfaction"
SCORES = (1, 2, 3, 4, 5)
COUNTERS = (
    "started", "quotes", "handoffs:<reason>", "claimed", "closed:<outcome>", "cancelled",
    "satisfaction:<1..5>",
)
_PART = re.compile(r"[^\s:]+")

# KEYS: hash, seen, claim. ARGV: seen member, counter field, ttl seconds, claim sample or "".
_RECORD = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return 0
end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
if ARGV[4] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[4])
end
for i = 1, 3 do
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return 1
"""


def day_key(date: datetime.date) -> str:
    return f"{KEY_PREFIX}:{{{date.isoformat()}}}"


def seen_key(date: datetime.date) -> str:
    return f"{day_key(date)}:seen"


def claim_key(date: datetime.date) -> str:
    return f"{day_key(date)}:claim"


def day_keys(date: datetime.date) -> tuple[str, str, str]:
    """The keys of one day, all in one hash slot: counters, seen event ids, claim samples."""
    return day_key(date), seen_key(date), claim_key(date)


def check_name(name: str) -> None:
    """Raise ValueError unless `name` is one of COUNTERS (a typo must not create a counter)."""
    if not isinstance(name, str):
        raise ValueError(f"counter name must be a string, got {name!r}")
    if name in PLAIN:
        return
    kind, sep, part = name.partition(":")
    if sep and kind in WITH_PART and _PART.fullmatch(part):
        return
    if sep and kind == SATISFACTION and part in {str(s) for s in SCORES}:
        return
    raise ValueError(
        f"unknown counter {name!r}: expected one of {', '.join(COUNTERS)} "
        "(a reason or outcome is a non-empty string without ':' or whitespace)")


def median(samples: Iterable[float]) -> float | None:
    """The usual median (mean of the two middle values for an even count); None if empty."""
    s = sorted(samples)
    n = len(s)
    if n == 0:
        return None
    mid = n // 2
    return float(s[mid]) if n % 2 else (s[mid - 1] + s[mid]) / 2


def nearest_rank(samples: Iterable[float], percent: int) -> float | None:
    """The `percent`-th percentile by the nearest-rank method (the ceil(p/100 * N)-th smallest
    value); None if empty."""
    s = sorted(samples)
    if not s:
        return None
    rank = max(1, -(-percent * len(s) // 100))  # ceil in integers: no float rounding surprises
    return float(s[rank - 1])


@dataclass(frozen=True)
class DayFigures:
    """One day's figures (or a period's, with date None)."""

    date: datetime.date | None
    started: int = 0
    quotes: int = 0
    handoffs: dict[str, int] = field(default_factory=dict)  # by reason
    claimed: int = 0
    claim_seconds: tuple[float, ...] = ()  # samples
    closed: dict[str, int] = field(default_factory=dict)  # by outcome
    cancelled: int = 0
    satisfaction: dict[int, int] = field(default_factory=dict)  # score -> count

    @property
    def handoffs_total(self) -> int:
        return sum(self.handoffs.values())

    @property
    def closed_total(self) -> int:
        return sum(self.closed.values())

    @property
    def claim_median(self) -> float | None:
        return median(self.claim_seconds)

    @property
    def claim_p90(self) -> float | None:
        return nearest_rank(self.claim_seconds, 90)

    @property
    def satisfaction_count(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_mean(self) -> float | None:
        count = self.satisfaction_count
        if not count:
            return None
        return sum(score * n for score, n in self.satisfaction.items()) / count

    @property
    def handoff_rate(self) -> float | None:
        """Handoffs opened per conversation that got a quote; None without quotes."""
        return self.handoffs_total / self.quotes if self.quotes else None


class Figures:
    def __init__(self, redis_client: Any, tz: ZoneInfo = ZoneInfo(DEFAULT_TIMEZONE),
                 keep_days: int = DEFAULT_KEEP_DAYS) -> None:
        if not isinstance(keep_days, int) or keep_days < 1:
            raise ValueError(f"keep_days must be a whole number ≥ 1, got {keep_days!r}")
        self.redis = redis_client
        self.tz = tz
        self.keep_days = keep_days
        self._record = redis_client.register_script(_RECORD)

    @property
    def ttl_seconds(self) -> int:
        return self.keep_days * 24 * 3600

    def local_date(self, at: float) -> datetime.date:
        """The local day (in tz) of epoch seconds `at`."""
        return datetime.datetime.fromtimestamp(at, self.tz).date()

    def today(self) -> datetime.date:
        return self.local_date(time.time())

    def record(self, name: str, event_id: str, at: float, value: float | None = None) -> bool:
        """Count `name` once for `event_id` on the local day of `at` (epoch seconds): True if
        this call counted it, False if that event was already counted (a redelivery, another
        process). For "claimed", `value` is the seconds to claim (a sample for median/p90; None
        counts the claim without a sample); no other counter takes a value."""
        check_name(name)
        if not isinstance(event_id, str) or not event_id:
            raise ValueError(f"event_id must be a non-empty string, got {event_id!r}")
        if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
            raise ValueError(f"at must be epoch seconds, got {at!r}")
        sample = ""
        if value is not None:
            if name != "claimed":
                raise ValueError(f"only 'claimed' takes a value, not {name!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"seconds to claim must be a finite number ≥ 0, got {value!r}")
            sample = repr(float(value))
        keys = day_keys(self.local_date(at))
        counted = self._record(keys=list(keys), args=[f"{name} {event_id}", name, self.ttl_seconds, sample])
        return bool(int(counted))

    def day(self, date: datetime.date) -> DayFigures:
        return self._read([date])[0]

    def last_days(self, n: int, today: datetime.date | None = None) -> list[DayFigures]:
        """The last `n` days, oldest first, `today` included (default: local today in tz)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number of days ≥ 1, got {n!r}")
        end = today if today is not None else self.today()
        return self._read([end - datetime.timedelta(days=back) for back in range(n - 1, -1, -1)])

    @staticmethod
    def total(days: list[DayFigures]) -> DayFigures:
        """The sums over `days`; percentiles over all their samples together; date None."""
        handoffs: dict[str, int] = {}
        closed: dict[str, int] = {}
        satisfaction: dict[int, int] = {}
        for d in days:
            for into, part in ((handoffs, d.handoffs), (closed, d.closed), (satisfaction, d.satisfaction)):
                for k, v in part.items():
                    into[k] = into.get(k, 0) + v  # type: ignore[index]
        return DayFigures(
            date=None,
            started=sum(d.started for d in days),
            quotes=sum(d.quotes for d in days),
            handoffs=dict(sorted(handoffs.items())),
            claimed=sum(d.claimed for d in days),
            claim_seconds=tuple(s for d in days for s in d.claim_seconds),
            closed=dict(sorted(closed.items())),
            cancelled=sum(d.cancelled for d in days),
            satisfaction=dict(sorted(satisfaction.items())),
        )

    # -- reading -----------------------------------------------------------------------------

    def _read(self, dates: list[datetime.date]) -> list[DayFigures]:
        """One pipeline for all days (on a cluster, redis-py sends each node its share)."""
        with self.redis.pipeline(transaction=False) as pipe:
            for date in dates:
                pipe.hgetall(day_key(date))
                pipe.lrange(claim_key(date), 0, -1)
            replies = pipe.execute()
        return [_parse(date, replies[2 * i], replies[2 * i + 1]) for i, date in enumerate(dates)]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse(date: datetime.date, counters: dict[Any, Any], samples: list[Any]) -> DayFigures:
    plain = dict.fromkeys(PLAIN, 0)
    parts: dict[str, dict[str, int]] = {kind: {} for kind in WITH_PART}
    satisfaction: dict[int, int] = {}
    for raw_name, raw_count in counters.items():
        name, count = _text(raw_name), int(_text(raw_count))
        if name in plain:
            plain[name] = count
            continue
        kind, _, part = name.partition(":")
        if kind in parts:
            parts[kind][part] = count
        elif kind == SATISFACTION and part.isdigit():
            satisfaction[int(part)] = count
        # any other field was not written by this version: left out
    return DayFigures(
        date=date,
        started=plain["started"],
        quotes=plain["quotes"],
        handoffs=dict(sorted(parts["handoffs"].items())),
        claimed=plain["claimed"],
        claim_seconds=tuple(float(_text(s)) for s in samples),
        closed=dict(sorted(parts["closed"].items())),
        cancelled=plain["cancelled"],
        satisfaction=dict(sorted(satisfaction.items())),
    )
