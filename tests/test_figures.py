"""Per-day figures of the agent desk (bot/figures.py) and `python -m bot stats`, on the tests'
own Redis (and once on the 3-master cluster), with a fixed clock given through `at`."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import redis
from redis.crc import key_slot

import bot.cli.stats as stats_cli
from bot.cli import main
from bot.figures import DayFigures, Figures, day_keys
from bot.store import connect
from tests.test_cli import UNREACHABLE, run_bot

JST = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")
DAY = datetime.date(2026, 12, 2)
YESTERDAY = datetime.date(2026, 12, 1)


def jst(date: datetime.date, hour: int, minute: int = 0) -> float:
    return datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=JST).timestamp()


@pytest.fixture()
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture()
def figures(client: redis.Redis) -> Figures:
    return Figures(client)


# -- counting once -----------------------------------------------------------------------------


def test_the_same_event_id_counts_once(figures: Figures) -> None:
    at = jst(DAY, 10)
    assert figures.record("started", "T:C:1", at) is True
    assert figures.record("started", "T:C:1", at) is False  # a redelivery
    assert figures.record("started", "T:C:1", at + 30) is False
    assert figures.record("started", "T:C:2", at) is True
    # The id is counted once per counter: one conversation starts and gets a quote.
    assert figures.record("quotes", "T:C:1", at) is True
    assert figures.record("claimed", "h-1", at, 90) is True
    assert figures.record("claimed", "h-1", at, 95) is False  # not a second sample either
    day = figures.day(DAY)
    assert (day.started, day.quotes, day.claimed, day.claim_seconds) == (2, 1, 1, (90.0,))


def test_racing_threads_count_each_event_once(redis_url: str) -> None:
    threads_n, events = 8, 40
    at = jst(DAY, 15)
    barrier = threading.Barrier(threads_n)
    won: list[list[bool]] = [[] for _ in range(threads_n)]

    def work(n: int) -> None:
        figures = Figures(redis.Redis.from_url(redis_url))  # one client each: like two processes
        barrier.wait()
        for k in range(events):
            won[n].append(figures.record("claimed", f"h-{k}", at, float(k)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(len(w) == events for w in won)
    assert [sum(w[k] for w in won) for k in range(events)] == [1] * events
    day = Figures(redis.Redis.from_url(redis_url)).day(DAY)
    assert day.claimed == events
    assert sorted(day.claim_seconds) == [float(k) for k in range(events)]


# -- days in the business timezone -------------------------------------------------------------


def test_day_boundaries_are_local_days_not_utc_days(client: redis.Redis) -> None:
    late, early = jst(YESTERDAY, 23, 59), jst(DAY, 0, 1)
    # Both on 2026-12-01 in UTC (14:59 and 15:01) ...
    assert datetime.datetime.fromtimestamp(late, UTC).date() == datetime.datetime.fromtimestamp(early, UTC).date()
    figures = Figures(client)  # Asia/Tokyo by default
    assert figures.record("started", "late", late) and figures.record("started", "early", early)
    assert [d.started for d in figures.last_days(2, DAY)] == [1, 1]
    assert [d.date for d in figures.last_days(2, DAY)] == [YESTERDAY, DAY]
    # ... and the same events kept in UTC days share one day.
    client.flushdb()
    in_utc = Figures(client, UTC)
    in_utc.record("started", "late", late)
    in_utc.record("started", "early", early)
    assert in_utc.day(YESTERDAY).started == 2 and in_utc.day(DAY).started == 0


def test_last_days_are_oldest_first_with_today_included(figures: Figures) -> None:
    for back in range(5):
        date = DAY - datetime.timedelta(days=back)
        for k in range(back + 1):
            figures.record("quotes", f"{date}:{k}", jst(date, 12))
    days = figures.last_days(4, DAY)
    assert [d.date for d in days] == [DAY - datetime.timedelta(days=b) for b in (3, 2, 1, 0)]
    assert [d.quotes for d in days] == [4, 3, 2, 1]
    assert [d.date for d in figures.last_days(1, DAY)] == [DAY]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            figures.last_days(bad, DAY)  # type: ignore[arg-type]


# -- percentiles and totals --------------------------------------------------------------------


@pytest.mark.parametrize("samples, med, p90", [
    ((), None, None),
    ((42,), 42.0, 42.0),
    ((3, 1, 2), 2.0, 3.0),                   # rank ceil(2.7) = 3
    ((60, 180), 120.0, 180.0),               # even count: mean of the middle two
    (tuple(range(1, 11)), 5.5, 9.0),         # rank 9 of 10
    (tuple(range(1, 12)), 6.0, 10.0),        # rank ceil(9.9) = 10 of 11
    (tuple(range(20, 0, -1)), 10.5, 18.0),   # unsorted; rank 18 of 20
    ((5, 5, 5, 100), 5.0, 100.0),            # rank ceil(3.6) = 4
])
def test_median_and_p90(samples: tuple[float, ...], med: float | None, p90: float | None) -> None:
    day = DayFigures(date=DAY, claim_seconds=tuple(float(s) for s in samples))
    assert day.claim_median == med and day.claim_p90 == p90


def test_median_and_p90_from_recorded_claims(figures: Figures) -> None:
    for n, seconds in enumerate([30, 600, 90, 45, 120, 60, 300, 75, 3600, 150]):
        figures.record("claimed", f"h-{n}", jst(DAY, 9) + n, seconds)
    day = figures.day(DAY)
    assert day.claimed == 10
    # sorted: 30 45 60 75 90 | 120 150 300 600 3600
    assert day.claim_median == 105.0 and day.claim_p90 == 600.0


def test_totals_sum_the_days_and_take_percentiles_over_all_samples(figures: Figures) -> None:
    script(figures)
    days = figures.last_days(3, DAY)
    total = Figures.total(days)
    assert total == DayFigures(
        date=None, started=5, quotes=3, handoffs={"customer_request": 2, "urgent": 1}, claimed=3,
        claim_seconds=(300.0, 60.0, 180.0), closed={"answered": 2, "no_answer": 1}, cancelled=1,
        satisfaction={3: 1, 4: 1, 5: 1},
    )
    assert (total.handoffs_total, total.closed_total, total.satisfaction_count) == (3, 3, 3)
    assert total.claim_median == 180.0 and total.claim_p90 == 300.0  # not the mean of the days' medians
    assert total.satisfaction_mean == 4.0 and total.handoff_rate == 1.0
    today = days[-1]
    assert today.handoff_rate == 1.0 and today.satisfaction_mean == 4.0
    empty = days[0]
    assert empty == DayFigures(date=DAY - datetime.timedelta(days=2))
    assert (empty.claim_median, empty.claim_p90, empty.satisfaction_mean, empty.handoff_rate) == (None,) * 4
    assert Figures.total([]) == DayFigures(date=None)


def test_a_client_that_decodes_responses_reads_the_same(redis_url: str, figures: Figures) -> None:
    script(figures)
    decoded = Figures(redis.Redis.from_url(redis_url, decode_responses=True))
    assert decoded.last_days(3, DAY) == figures.last_days(3, DAY)
    assert decoded.record("started", "T:C:a", jst(DAY, 9)) is False


# -- names, values, keys -----------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "start", "Started", "started ", "quote", "handoff:x", "handoffs", "handoffs:", "handoffs:a b",
    "handoffs:a:b", "handoffs:\tx", "closed", "closed:", "satisfaction", "satisfaction:", "satisfaction:0",
    "satisfaction:6", "satisfaction:03", "satisfaction: 3", "satisfaction:good", "claimed:fast", "",
])
def test_unknown_counter_names_are_rejected_and_write_nothing(figures: Figures, client: redis.Redis, name: str) -> None:
    with pytest.raises(ValueError):
        figures.record(name, "e-1", jst(DAY, 9))
    assert client.keys("*") == []


@pytest.mark.parametrize("name, event_id, value", [
    ("started", "e", 5.0),          # only "claimed" takes a value
    ("satisfaction:4", "e", 4),     # the score is in the name
    ("claimed", "e", -1),
    ("claimed", "e", float("nan")),
    ("claimed", "e", float("inf")),
    ("claimed", "", 5),
])
def test_bad_values_and_ids_are_rejected(figures: Figures, client: redis.Redis, name, event_id, value) -> None:
    with pytest.raises(ValueError):
        figures.record(name, event_id, jst(DAY, 9), value)
    assert client.keys("*") == []


def test_every_known_counter_is_accepted(figures: Figures) -> None:
    at = jst(DAY, 9)
    names = ["started", "quotes", "handoffs:customer_request", "handoffs:日本語の理由", "claimed", "closed:answered",
             "cancelled", *(f"satisfaction:{n}" for n in range(1, 6))]
    assert all(figures.record(name, "e-1", at) for name in names)
    day = figures.day(DAY)
    assert day.handoffs == {"customer_request": 1, "日本語の理由": 1} and day.satisfaction == dict.fromkeys(range(1, 6), 1)
    assert (day.started, day.quotes, day.claimed, day.claim_seconds, day.closed, day.cancelled) == (
        1, 1, 1, (), {"answered": 1}, 1)


def test_keys_share_one_slot_and_every_key_expires(client: redis.Redis) -> None:
    figures = Figures(client, keep_days=3)
    figures.record("started", "e-1", jst(DAY, 9))
    figures.record("claimed", "h-1", jst(DAY, 9), 61.5)
    keys = day_keys(DAY)
    assert keys == ("stats:{2026-12-02}", "stats:{2026-12-02}:seen", "stats:{2026-12-02}:claim")
    assert len({key_slot(k.encode()) for k in keys}) == 1
    assert sorted(k.decode() for k in client.keys("*")) == sorted(keys)
    for key in keys:
        assert 3 * 86400 - 60 < client.ttl(key) <= 3 * 86400, key
    with pytest.raises(ValueError):
        Figures(client, keep_days=0)


def test_default_keep_is_400_days(figures: Figures, client: redis.Redis) -> None:
    figures.record("started", "e-1", jst(DAY, 9))
    assert {k.decode() for k in client.keys("*")} == set(day_keys(DAY)[:2])
    for key in day_keys(DAY)[:2]:
        assert 400 * 86400 - 60 < client.ttl(key) <= 400 * 86400


def test_record_works_on_the_redis_cluster(cluster) -> None:
    cluster.flush()
    figures = Figures(connect(cluster.url.replace("redis://", "redis+cluster://", 1)).redis)
    script(figures)
    assert figures.record("claimed", "hx-b", jst(DAY, 11), 60) is False
    total = Figures.total(figures.last_days(3, DAY))
    assert (total.started, total.quotes, total.handoffs_total, total.claimed, total.claim_p90) == (5, 3, 3, 3, 300.0)
    assert figures.day(YESTERDAY).claim_seconds == (300.0,)


# -- the command line --------------------------------------------------------------------------


def script(figures: Figures) -> None:
    """A scripted desk: 2026-12-01 and 2026-12-02 (JST), nothing on 2026-11-30."""
    y = lambda h, m=0: jst(YESTERDAY, h, m)  # noqa: E731
    t = lambda h, m=0: jst(DAY, h, m)  # noqa: E731
    events = [
        ("started", "T:C:y1", y(9)), ("started", "T:C:y2", y(10)), ("quotes", "T:C:y1", y(9, 5)),
        ("handoffs:customer_request", "hx-y1", y(9, 10)), ("claimed", "hx-y1", y(9, 15), 300),
        ("closed:answered", "hx-y1", y(9, 40)), ("satisfaction:4", "T:C:y1", y(9, 45)),
        ("started", "T:C:a", t(9)), ("started", "T:C:a", t(9)),  # redelivered
        ("started", "T:C:b", t(10)), ("started", "T:C:c", t(23, 59)),
        ("quotes", "T:C:a", t(9, 2)), ("quotes", "T:C:b", t(10, 3)),
        ("handoffs:urgent", "hx-a", t(9, 5)), ("handoffs:customer_request", "hx-b", t(10, 5)),
        ("claimed", "hx-a", t(9, 6), 60), ("claimed", "hx-b", t(10, 8), 180),
        ("closed:answered", "hx-a", t(9, 30)), ("closed:no_answer", "hx-b", t(11)),
        ("cancelled", "T:C:c", t(23, 59)), ("satisfaction:5", "T:C:a", t(9, 31)),
        ("satisfaction:3", "T:C:b", t(11, 1)),
    ]
    for name, event_id, at, *value in events:
        figures.record(name, event_id, at, *value)


@pytest.fixture()
def scripted(redis_url: str, figures: Figures, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripted desk, REDIS_URL at the tests' Redis and the CLI's clock at noon, 2026-12-02 JST."""
    script(figures)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("BUSINESS_TIMEZONE", raising=False)
    monkeypatch.delenv("REDIS_CLUSTER", raising=False)
    monkeypatch.setattr(stats_cli, "_now", lambda: jst(DAY, 12))


CSV = """\
date,started,quotes,handoffs,claimed,claim_median_s,claim_p90_s,closed,cancelled,satisfaction_count,satisfaction_mean,\
handoffs:customer_request,handoffs:urgent,closed:answered,closed:no_answer,satisfaction:3,satisfaction:4,satisfaction:5
2026-11-30,0,0,0,0,,,0,0,0,,0,0,0,0,0,0,0
2026-12-01,2,1,1,1,300.0,300.0,1,0,1,4.00,1,0,1,0,0,1,0
2026-12-02,3,2,2,2,120.0,180.0,2,1,2,4.00,1,1,1,1,1,0,1
total,5,3,3,3,180.0,300.0,3,1,3,4.00,2,1,2,1,1,1,1
"""


def test_cli_csv_on_a_scripted_day(scripted, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--days", "3", "--csv"]) == 0
    out, err = capsys.readouterr()
    assert out == CSV and err == ""


def test_cli_table_on_a_scripted_day(scripted, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--days", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Agent desk figures, 2026-11-30 to 2026-12-02 (3 days, Asia/Tokyo)"
    header = lines[1].split()
    assert header[:5] == ["date", "started", "quotes", "handoffs", "claimed"] and header[-1] == "satisfaction"
    rows = {line.split()[0]: line.split() for line in lines[2:] if line[:1].isdigit() or line.startswith("total")}
    assert list(rows) == ["2026-11-30", "2026-12-01", "2026-12-02", "total"]  # oldest first, total last
    assert rows["2026-11-30"] == ["2026-11-30", "0", "0", "0", "0", "-", "-", "0", "0", "-"]
    assert rows["2026-12-01"] == ["2026-12-01", "2", "1", "1", "1", "5.0", "5.0", "1", "0", "4.0", "(n=1)"]
    assert rows["2026-12-02"] == ["2026-12-02", "3", "2", "2", "2", "2.0", "3.0", "2", "1", "4.0", "(n=2)"]
    assert rows["total"] == ["total", "5", "3", "3", "3", "3.0", "5.0", "3", "1", "4.0", "(n=3)"]
    below = out.split("\nHandoffs by reason:\n", 1)[1]
    assert below == ("  customer_request  2\n  urgent            1\n"
                     "\nClosed by outcome:\n  answered   2\n  no_answer  1\n")


def test_cli_days_default_to_seven_and_today_is_local_today(scripted, monkeypatch, capsys) -> None:
    assert main(["stats", "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == [str(DAY - datetime.timedelta(days=b)) for b in range(6, -1, -1)] + ["total"]
    # Noon 2026-12-02 in Tokyo is 19:00 on 2026-12-01 in Los Angeles: there today is 12-01. (Days
    # are the recorder's days; the reader's timezone only says which one is today.)
    monkeypatch.setenv("BUSINESS_TIMEZONE", "America/Los_Angeles")
    assert main(["stats", "--days", "2", "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split(",")[:2] for r in rows] == [["2026-11-30", "0"], ["2026-12-01", "2"], ["total", "2"]]


def test_cli_an_empty_period_says_so(redis_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(stats_cli, "_now", lambda: jst(DAY, 12))
    assert main(["stats", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-02" in out and out.count("(none)") == 2


@pytest.mark.parametrize("days", ["0", "401", "-1", "seven", "1.5", ""])
def test_cli_bad_days_is_an_argparse_error(days: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--days", days])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--days" in err and "Traceback" not in err


def test_cli_400_days_is_allowed(redis_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["stats", "--days", "400", "--csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + 400 + 1


def test_cli_a_bad_timezone_is_one_clear_line_and_exit_2(redis_url: str) -> None:
    proc = run_bot(["stats"], REDIS_URL=redis_url, BUSINESS_TIMEZONE="Asia/Tokio")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "BUSINESS_TIMEZONE" in proc.stderr and "Asia/Tokio" in proc.stderr and "Traceback" not in proc.stderr
    for bad in ("../etc/passwd", "/etc/localtime"):
        proc = run_bot(["stats", "--csv"], REDIS_URL=redis_url, BUSINESS_TIMEZONE=bad)
        assert proc.returncode == 2 and "BUSINESS_TIMEZONE" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("env", [{}, {"REDIS_URL": UNREACHABLE}, {"REDIS_URL": "redis://user:s3cret@127.0.0.1:1/0"}],
                         ids=["unset", "unreachable", "password"])
def test_cli_without_redis_exits_2_naming_redis_url(env: dict[str, str]) -> None:
    proc = run_bot(["stats"], **env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "REDIS_URL" in proc.stderr and "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_cli_end_to_end_in_a_subprocess(redis_url: str, client: redis.Redis) -> None:
    import time

    figures = Figures(client)
    now = time.time()
    figures.record("started", "T:C:now", now)
    figures.record("claimed", "hx-now", now, 240)
    proc = run_bot(["stats", "--days", "2", "--csv"], REDIS_URL=redis_url)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 4 and lines[0].startswith("date,started,quotes,handoffs,claimed,claim_median_s")
    assert lines[-1].startswith("total,1,0,0,1,240.0,240.0,")  # the 2-day window holds now across midnight
    proc = run_bot(["stats", "--days", "2"], REDIS_URL=redis_url)
    assert proc.returncode == 0 and "Asia/Tokyo" in proc.stdout and "total" in proc.stdout
