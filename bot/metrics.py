"""What the bot counts, and /metrics in the Prometheus text format (prometheus_client).

Every process counts its own; a scrape shows the sum over all of them:

- `bot_redis_round_trips_total`: commands or pipelines sent to Redis, one per send (a pipeline
  or a transaction counts once, a blocking read once; a connection's handshake and health-check
  PING are sends too). Counted by the connections bot/redis_client.py opens.
- `bot_redis_errors_total{kind}`: failed exchanges with Redis (connect, send or read), by
  exception class (ConnectionError, TimeoutError, ...), a retried attempt included. A Redis
  error *reply* (ResponseError: BUSYGROUP, NOSCRIPT, WRONGTYPE, ...) is an answer, not counted.
- `bot_slack_api_seconds{method}` (histogram) and `bot_slack_api_errors_total{method,error}`:
  Web API calls as the caller sees them (the SDK's retries inside), by method; `error` is what
  Slack said (`ratelimited`, `channel_not_found`) or the exception's class for a call that
  got no answer. Timed by bot/slack/web.py's client.
- `bot_events_total{outcome}`: Slack events by what became of them: processed, duplicate,
  rate_limited, rejected (refused before Bolt: unsigned, stale, malformed). `event(outcome)`.
- `bot_turn_seconds` (histogram): one turn, `turn_seconds(s)` or `with turn_timer():`.
- `bot_handoff_transitions_total{state}`: handoffs entering a state (waiting, claimed, closed,
  cancelled), from the store's committed changes (`handoff_observer`).
- `bot_inbox_depth` (gauge, read from Redis at scrape time): entries in the durable inbox
  not done yet (waiting or being worked on), over every shard. A Redis failure at scrape time
  leaves it out of that scrape and counts a `bot_redis_errors_total`.

Under gunicorn every worker is its own process: prometheus_client's multiprocess mode keeps
each process's values in files under PROMETHEUS_MULTIPROC_DIR, and a scrape sums them
(`MultiProcessCollector`). `serve` calls `prepare_multiprocess_dir` before it forks (a fresh
temporary directory when the operator named none, stale files removed when they did) and
`process_exited` from gunicorn's child_exit hook. prometheus_client is imported on first use,
so what is counted before `serve` chose the directory (nothing, in `serve`) is not lost to a
per-process memory the scrape never reads; the terminal commands never import it.
"""

from __future__ import annotations

import functools
import glob
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
EVENT_OUTCOMES = ("processed", "duplicate", "rate_limited", "rejected")
HANDOFF_STATES = ("waiting", "claimed", "closed", "cancelled")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # the classic text format every scraper reads
MAX_LABEL_CHARS = 60  # an error or kind label: Slack's error words and class names are short

StartResponse = Callable[..., Any]
log = logging.getLogger(__name__)


class _Metrics:
    """The metrics of this process, created on first use (not registered anywhere: a scrape
    reads them itself, or their files in multiprocess mode)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram
        from prometheus_client import values

        if os.environ.get(MULTIPROC_ENV) and values.ValueClass is values.MutexValue:
            values.ValueClass = values.get_value_class()  # imported before the directory was chosen
        self.multiprocess = values.ValueClass is not values.MutexValue
        self.round_trips = Counter("bot_redis_round_trips", "Commands or pipelines sent to Redis (one per send)",
                                   registry=None)
        self.redis_errors = Counter("bot_redis_errors", "Failed exchanges with Redis, by exception class",
                                    ["kind"], registry=None)
        self.slack_seconds = Histogram("bot_slack_api_seconds", "Slack Web API call latency, by method",
                                       ["method"], registry=None)
        self.slack_errors = Counter("bot_slack_api_errors", "Slack Web API calls that failed, by method and error",
                                    ["method", "error"], registry=None)
        self.events = Counter("bot_events", "Slack events by outcome", ["outcome"], registry=None)
        self.turn_seconds = Histogram("bot_turn_seconds", "One conversation turn", registry=None)
        self.handoffs = Counter("bot_handoff_transitions", "Handoffs entering a state", ["state"], registry=None)
        for outcome in EVENT_OUTCOMES:  # shown at 0 from the start
            self.events.labels(outcome)
        for state in HANDOFF_STATES:
            self.handoffs.labels(state)
        self.all = [self.round_trips, self.redis_errors, self.slack_seconds, self.slack_errors, self.events,
                    self.turn_seconds, self.handoffs]

    def collect(self) -> Iterator[Any]:
        for metric in self.all:
            yield from metric.collect()


_lock = threading.Lock()
_metrics: _Metrics | None = None
_created_by: dict[str, int] = {}  # directories prepare_multiprocess_dir made, and by which process


def _m() -> _Metrics:
    global _metrics
    if _metrics is None:
        with _lock:
            if _metrics is None:
                _metrics = _Metrics()
    return _metrics


# -- counting ---------------------------------------------------------------------------------

_warned = False


def _never_raises(count: Callable[..., None]) -> Callable[..., None]:
    """A count that fails (the metrics directory gone, a disk full) costs the figure, never the
    Redis command, the Web API call or the turn being counted; said once per process."""

    @functools.wraps(count)
    def counted(*args: Any, **kwargs: Any) -> None:
        global _warned
        try:
            count(*args, **kwargs)
        except Exception as exc:
            if not _warned:
                _warned = True
                log.warning("metrics not counted (%s)", type(exc).__name__)

    return counted


@_never_raises
def round_trip() -> None:
    """One command or pipeline sent to Redis."""
    _m().round_trips.inc()


@_never_raises
def redis_error(exc: BaseException) -> None:
    """One failed exchange with Redis, counted once however many layers see the exception
    (a failed health check inside a send, a scrape that catches what a connection counted)."""
    if getattr(exc, "_bot_counted", False):
        return
    try:
        exc._bot_counted = True  # type: ignore[attr-defined]
    except AttributeError:
        pass
    _m().redis_errors.labels(_label(type(exc).__name__)).inc()


@_never_raises
def slack_call(method: str, seconds: float, error: str | None = None) -> None:
    """One Web API call: how long it took and, if it failed, why."""
    m = _m()
    m.slack_seconds.labels(_label(method)).observe(seconds)
    if error is not None:
        m.slack_errors.labels(_label(method), _label(error)).inc()


def event(outcome: str) -> None:
    """One Slack event: "processed", "duplicate", "rate_limited" or "rejected"."""
    if outcome not in EVENT_OUTCOMES:
        raise ValueError(f"unknown event outcome {outcome!r} (one of {', '.join(EVENT_OUTCOMES)})")
    _count_event(outcome)


@_never_raises
def _count_event(outcome: str) -> None:
    _m().events.labels(outcome).inc()


@_never_raises
def turn_seconds(seconds: float) -> None:
    """One turn took `seconds`."""
    _m().turn_seconds.observe(seconds)


@contextmanager
def turn_timer() -> Iterator[None]:
    """Times the block as one turn (a block that raises is not a turn: not observed)."""
    started = time.perf_counter()
    yield
    turn_seconds(time.perf_counter() - started)


def handoff_observer() -> Callable[[Any, Any], None]:
    """A Store observer (before, after) counting each handoff that enters a state: a new
    handoff enters its first state, a changed one its new state."""

    def observe(before: Any, after: Any) -> None:
        h = after.handoff
        if h is None:
            return
        was = before.handoff if before is not None else None
        if was is None or was.id != h.id or was.status != h.status:
            _count_handoff(h.status)

    return observe


@_never_raises
def _count_handoff(state: str) -> None:
    _m().handoffs.labels(_label(state)).inc()


def _label(value: str) -> str:
    return (value or "unknown")[:MAX_LABEL_CHARS]


# -- the scrape -------------------------------------------------------------------------------


class InboxDepth:
    """A collector for `bot_inbox_depth`, read from Redis when scraped: XLEN of each of the
    inbox's streams (`keys`: bot/inbox.py deletes an entry once it is done), in one pipeline.
    On a Redis failure the gauge is left out and the error counted."""

    def __init__(self, client: Any, keys: list[str]) -> None:
        self.client, self.keys = client, list(keys)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        try:
            pipe = self.client.pipeline(transaction=False)
            for key in self.keys:
                pipe.xlen(key)
            depth = sum(int(n) for n in pipe.execute())
        except Exception as exc:  # any failure: no gauge this time, never a failed scrape
            redis_error(exc)
            return
        yield GaugeMetricFamily("bot_inbox_depth", "Entries in the durable inbox not done yet", value=depth)


def exposition(*collectors: Any) -> tuple[bytes, str]:
    """The Prometheus text page: `collectors` (read at this scrape), then every process's
    metrics (this one's, or all that wrote to PROMETHEUS_MULTIPROC_DIR); and its content type."""
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    for collector in collectors:  # first: what they count while collected (an error) is on this page
        registry.register(collector)
    mine = _m()
    if mine.multiprocess:
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)
    else:
        registry.register(mine)
    return generate_latest(registry), CONTENT_TYPE


def endpoint(enabled: bool, inbox_client: Any = None,
             inbox_keys: list[str] | None = None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app for /metrics: GET only, no signature, nothing read from or logged about
    the request. Switched off (METRICS=0): 404. `inbox_client` reads the depth of the inbox's
    streams (`inbox_keys`) at each scrape."""
    depth = InboxDepth(inbox_client, inbox_keys) if inbox_client is not None and inbox_keys else None

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not enabled:
            return _answer(start_response, "404 Not Found")
        if environ.get("REQUEST_METHOD") != "GET":
            return _answer(start_response, "405 Method Not Allowed", headers=[("Allow", "GET")])
        try:
            body, content_type = exposition(*([depth] if depth else []))
        except Exception as exc:  # a broken metrics file: say so by type, serve the rest of the app
            log.error("metrics scrape failed (%s)", type(exc).__name__)
            return _answer(start_response, "500 Internal Server Error")
        return _answer(start_response, "200 OK", body, content_type)

    return app


def _answer(start_response: StartResponse, status: str, body: bytes = b"", content_type: str = "text/plain",
            headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *(headers or [])])
    return [body]


# -- processes (gunicorn) ---------------------------------------------------------------------


def prepare_multiprocess_dir(env: dict[str, str] | None = None) -> str | None:
    """Before forking: the directory every process's values go to. The operator's
    PROMETHEUS_MULTIPROC_DIR (created if missing, files of an earlier run removed: their
    counts are not this run's), or else a fresh temporary one, set in the environment the
    workers inherit. Returns the directory it created (the caller removes it at exit), or None."""
    global _metrics
    real = env is None
    env = os.environ if env is None else env
    created = None
    path = (env.get(MULTIPROC_ENV) or "").strip()
    if path:
        os.makedirs(path, exist_ok=True)
        for stale in glob.glob(os.path.join(path, "*.db")):
            os.remove(stale)
    else:
        path = created = tempfile.mkdtemp(prefix="bot-metrics-")
        _created_by[path] = os.getpid()
    env[MULTIPROC_ENV] = path
    if real:
        with _lock:
            _metrics = None  # anything counted so far was in memory; from now on, in the directory
    return created


def remove_multiprocess_dir(path: str | None) -> None:
    """At exit: the directory `prepare_multiprocess_dir` created (None: nothing to do), by the
    process that created it only (a gunicorn worker leaves through the master's stack)."""
    if path and _created_by.get(path) == os.getpid():
        shutil.rmtree(path, ignore_errors=True)
        _created_by.pop(path, None)


def process_exited(pid: int) -> None:
    """gunicorn's child_exit: a worker is gone (its live gauges' files go with it; its counts stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
