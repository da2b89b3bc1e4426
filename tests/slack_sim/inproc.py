"""The Slack app in the test process: Bolt's own `App.dispatch`, no HTTP server, no subprocess.

    runtime = build_runtime(require_redis=True, redis_url=...)   # once per session (conftest)
    with FakeSlackAPI(...) as fake:
        bot = InProcessApp(runtime, fake, redis_url)        # load_settings + create_app, as `serve` does
        resp, event_id, ts = bot.slack.message("C1", "U1", "売上5億の製造業です")
        [reply] = fake.wait_for("chat.postMessage")

Requests are built and signed by the same :class:`SlackDriver` the subprocess tests use; only
:meth:`BoltDriver.send` differs: it hands the signed body and headers to
``app.dispatch(BoltRequest(...))`` (as bolt-python's tests/scenario_tests do), so signature
checking and every middleware still run.

Bolt acks first and runs listeners on its listener executor (``process_before_response`` is
off), as it does in production. The harness wraps that executor and, by default, each request
returns only once every listener it started has returned (:meth:`BoltHarness.settle`), so what
the fake recorded afterwards is final: a test waits for what it expects with
``fake.wait_for`` and asserts silence with ``fake.assert_no_call`` (a bounded wait). A listener
that fails (the app logs an error) fails the test at that request.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor, Future
from typing import Any, Callable, Optional

from slack_bolt.request import BoltRequest

from .driver import Response, SlackDriver
from .fake_api import FakeSlackAPI

SIGNING_SECRET = "testsigningsecret0123"
BOT_TOKEN = "xoxb-test-token"
AGENT_CHANNEL = "CAGENTS01"
# Who is in the agent channel, for every in-process fake. The app caches the channel's members
# for a while; one list for all tests keeps that cache from carrying one test's agents into another.
AGENT_MEMBERS = ["UAGENT1", "UAGENT2", "UAGENT3", "UEXTAGENT", "U_BOT"]


class TrackingExecutor(Executor):
    """Bolt's listener executor, wrapped so a test can wait until all work it started is done."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self._pending: set[Future] = set()
        self._cond = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future = self.inner.submit(fn, *args, **kwargs)
        with self._cond:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._cond:
            self._pending.discard(future)
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._pending, timeout):
                raise AssertionError(f"{len(self._pending)} listener(s) still running after {timeout}s")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


class _ErrorLog(logging.Handler):
    """Collects ERROR records (a listener that raised is logged, not raised, by Bolt)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class BoltDriver(SlackDriver):
    """A :class:`SlackDriver` whose requests go to ``BoltHarness.dispatch`` instead of HTTP."""

    def __init__(self, target: "BoltHarness", signing_secret: str = SIGNING_SECRET, **kw: Any) -> None:
        super().__init__("bolt://in-process/slack/events", signing_secret, **kw)
        self.target = target

    def send(self, body: bytes, headers: dict[str, str]) -> Response:
        return self.target.dispatch(body, headers)

    def pointed_at(self, target: "BoltHarness") -> "BoltDriver":  # type: ignore[override]
        clone = super().pointed_at(self.app_url)
        assert isinstance(clone, BoltDriver)
        clone.target = target
        return clone

    def get(self, path: str) -> Response:
        raise NotImplementedError("GET (/healthz) is served by the WSGI process: see tests/test_slack_process.py")


class BoltHarness:
    """Drives any Bolt `App` in-process: signed requests in, ``app.dispatch`` out, and each
    request settled (its listeners returned) before the driver call returns."""

    def __init__(self, app: Any, fake: Optional[FakeSlackAPI] = None, *, settle: bool = True,
                 signing_secret: str = SIGNING_SECRET) -> None:
        self.app = app
        self.auto_settle = settle
        runner = app.listener_runner
        self.executor = TrackingExecutor(runner.listener_executor)
        runner.listener_executor = self.executor
        self.errors = _ErrorLog()
        self._seen_errors = 0
        logging.getLogger().addHandler(self.errors)
        kw: dict[str, Any] = {"fake_api": fake, "bot_user_id": fake.bot_user_id} if fake else {}
        self.slack = BoltDriver(self, signing_secret, **kw)

    def dispatch(self, body: bytes, headers: dict[str, str]) -> Response:
        resp = self.app.dispatch(BoltRequest(body=body.decode("utf-8"), headers=headers))
        if self.auto_settle:
            self.settle()
        return Response(resp.status, resp.body, resp.first_headers())

    def settle(self, timeout: float = 30.0) -> None:
        """Return once every listener started so far has returned; fail on a logged error."""
        self.executor.wait_idle(timeout)
        self.check_errors()

    def check_errors(self) -> None:
        new = self.errors.records[self._seen_errors:]
        self._seen_errors = len(self.errors.records)
        if new:
            shown = "\n".join(f"{r.name}: {r.getMessage()}\n{logging.Formatter().formatException(r.exc_info) if r.exc_info else ''}"
                              for r in new)
            raise AssertionError(f"the app logged {len(new)} error(s):\n{shown}")

    def close(self) -> None:
        try:
            self.executor.wait_idle(30.0)
            self.check_errors()
        finally:
            logging.getLogger().removeHandler(self.errors)


class InProcessApp(BoltHarness):
    """One bot "process": `load_settings` + `create_app` over a shared runtime, driven in-process.

    Two instances over the same runtime share Redis as two processes do (each has its own
    App, WebClient and listener threads)."""

    def __init__(self, runtime: Any, fake: FakeSlackAPI, redis_url: str, *, settle: bool = True,
                 durable: bool = False, post_interval_seconds: float = 0, clock: Optional[Callable[[], float]] = None,
                 **env: str) -> None:
        import time

        from bot.app_context import Runtime
        from bot.conversation import Engine
        from bot.hours import from_env
        from bot.slack.app import create_app
        from bot.slack.settings import load_settings
        from bot.store import Store

        self.fake = fake
        env = {"BUSINESS_HOURS": "always", **env}  # a test of business hours names them, and a clock
        settings = load_settings("http", env={
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
            "REDIS_URL": redis_url, "AGENT_CHANNEL_ID": AGENT_CHANNEL, **env,
        })
        # This "process"'s own store and engine (its clock, its business hours) over the shared
        # Redis, content, FAQ index and intent model, as `serve` builds them.
        store = Store(runtime.store.redis, runtime.store.ttl)
        engine = Engine(store, runtime.content, runtime.engine.faq, runtime.engine.intents,
                        hours=from_env(env), clock=clock or time.time)
        app, self.ctx = create_app(settings, Runtime(runtime.content, store, engine, False),
                                   post_interval_seconds=post_interval_seconds)
        self.workers = None
        if durable:  # as served: events through the inbox, read by its worker threads
            from bot.inbox import Inbox
            from bot.inbox_workers import InboxWorkers
            from bot.slack.intake import handle_delivery

            import redis

            reader = redis.Redis.from_url(redis_url, socket_timeout=5)  # outlasts XREADGROUP's block
            self.ctx.inbox = Inbox(runtime.store.redis, shards=2, claim_idle_ms=60_000, blocking_client=reader)
            self.workers = InboxWorkers(self.ctx.inbox, lambda d: handle_delivery(self.ctx, d), threads=2).start()
            self.ctx.inbox_workers = self.workers
        super().__init__(app, fake, settle=settle)

    def settle(self, timeout: float = 30.0) -> None:
        """Also wait until the inbox is empty (every queued turn done and its replies out)."""
        import time

        super().settle(timeout)
        if self.ctx.inbox is not None and self.workers is not None:
            import redis

            deadline = time.monotonic() + timeout
            try:
                while self.ctx.inbox.depth() and time.monotonic() < deadline:
                    time.sleep(0.01)
            except redis.RedisError:  # a test pointed the inbox at a Redis that isn't there
                pass
            self.check_errors()

    def close(self) -> None:
        if self.workers is not None:
            self.workers.stop()
        super().close()

    def sweep(self, now: Optional[float] = None) -> None:
        """One pass of the handoff sweeper (a served process runs it in the background)."""
        from bot.slack import reminders

        reminders.sweep(self.ctx, now=now)
        self.check_errors()
