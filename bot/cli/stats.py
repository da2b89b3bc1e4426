"""`python -m bot stats [--days N] [--csv]`: the agent desk's figures per day (bot/figures.py).

Days are local days in `BUSINESS_TIMEZONE` (default Asia/Tokyo), oldest first, today
included, then a total over the period. Needs REDIS_URL. Exit 0 on success, 2 when Redis or the
timezone can't be used (one line on stderr), argparse's 2 for a bad --days.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import sys
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis

from bot.app_context import StartupError
from bot.figures import DEFAULT_KEEP_DAYS, DEFAULT_TIMEZONE, DayFigures, Figures
from bot.store import StoreUnavailable, connect

MAX_DAYS = DEFAULT_KEEP_DAYS
CSV_COLUMNS = ["date", "started", "quotes", "handoffs", "claimed", "claim_median_s", "claim_p90_s", "closed",
               "cancelled", "satisfaction_count", "satisfaction_mean"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="the agent desk's figures per day (needs REDIS_URL)")
    p.add_argument("--days", type=_days, default=7, metavar="N",
                   help=f"how many days back, today included (1..{MAX_DAYS}, default 7)")
    p.add_argument("--csv", action="store_true", help="CSV on stdout: one row per day and a total row")
    p.set_defaults(func=run)


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, got {text!r}") from None
    if not 1 <= n <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_DAYS}, got {n}")
    return n


def _now() -> float:
    """The clock (tests replace it)."""
    return time.time()


def business_timezone() -> ZoneInfo:
    name = (os.environ.get("BUSINESS_TIMEZONE") or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise StartupError(f"BUSINESS_TIMEZONE is not a known IANA timezone (e.g. Asia/Tokyo), got {name!r}") from None


def run(args: argparse.Namespace) -> int:
    tz = business_timezone()
    try:
        store = connect()
    except StoreUnavailable as exc:
        raise StartupError(str(exc)) from None
    figures = Figures(store.redis, tz)
    today = datetime.datetime.fromtimestamp(_now(), tz).date()
    try:
        days = figures.last_days(args.days, today)
    except redis.RedisError as exc:
        raise StartupError(f"cannot read the figures from Redis: {type(exc).__name__}") from None
    total = Figures.total(days)
    if args.csv:
        write_csv(days, total, sys.stdout)
    else:
        print_table(days, total, tz)
    return 0


# -- CSV ------------------------------------------------------------------------------------


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_csv(days: list[DayFigures], total: DayFigures, out) -> None:
    reasons = sorted(total.handoffs)
    outcomes = sorted(total.closed)
    scores = sorted(total.satisfaction)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"handoffs:{r}" for r in reasons] + [f"closed:{o}" for o in outcomes]
                    + [f"satisfaction:{s}" for s in scores])
    for d in [*days, total]:
        writer.writerow([
            d.date.isoformat() if d.date else "total", d.started, d.quotes, d.handoffs_total, d.claimed,
            _num(d.claim_median, 1), _num(d.claim_p90, 1), d.closed_total, d.cancelled,
            d.satisfaction_count, _num(d.satisfaction_mean, 2),
            *(d.handoffs.get(r, 0) for r in reasons), *(d.closed.get(o, 0) for o in outcomes),
            *(d.satisfaction.get(s, 0) for s in scores),
        ])


# -- table ----------------------------------------------------------------------------------

TABLE_HEADER = ["date", "started", "quotes", "handoffs", "claimed", "claim median (min)", "claim p90 (min)",
                "closed", "cancelled", "satisfaction"]


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def _satisfaction(d: DayFigures) -> str:
    mean = d.satisfaction_mean
    return "-" if mean is None else f"{mean:.1f} (n={d.satisfaction_count})"


def _row(d: DayFigures) -> list[str]:
    return [d.date.isoformat() if d.date else "total", str(d.started), str(d.quotes), str(d.handoffs_total),
            str(d.claimed), _minutes(d.claim_median), _minutes(d.claim_p90), str(d.closed_total),
            str(d.cancelled), _satisfaction(d)]


def print_table(days: list[DayFigures], total: DayFigures, tz: ZoneInfo) -> None:
    first, last = days[0].date, days[-1].date
    print(f"Agent desk figures, {first} to {last} ({len(days)} day{'s' if len(days) != 1 else ''}, {tz.key})")
    rows = [TABLE_HEADER, *(_row(d) for d in days), _row(total)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE_HEADER))]

    def line(cells: list[str]) -> str:
        first_cell = cells[0].ljust(widths[0])
        return "  ".join([first_cell, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:]))]).rstrip()

    print(line(rows[0]))
    print("  ".join("-" * w for w in widths))
    for r in rows[1:-1]:
        print(line(r))
    print("  ".join("-" * w for w in widths))
    print(line(rows[-1]))
    for title, part in (("Handoffs by reason", total.handoffs), ("Closed by outcome", total.closed)):
        print()
        print(f"{title}:")
        if not part:
            print("  (none)")
            continue
        width = max(len(k) for k in part)
        for key, count in sorted(part.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {key:<{width}}  {count}")
