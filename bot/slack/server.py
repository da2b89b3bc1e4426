"""HTTP mode (gunicorn, a production WSGI server) and Socket Mode runners."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from bot.app_context import StartupError, build_runtime
from bot.slack.preflight import check_app_token, check_slack
from bot.slack.settings import Mode, SettingsError, SlackSettings, load_settings

log = logging.getLogger(__name__)

INTAKE_TIMEOUT = 0.5
HEALTH_TIMEOUT = 0.2


def settings_or_exit(mode: Mode) -> SlackSettings:
    """Settings checked, then logging set up as they say (JSON lines, no message text)."""
    from bot import logs

    try:
        settings = load_settings(mode)
        logs.configure()
    except (SettingsError, logs.LogSettingsError) as exc:
        raise StartupError(f"bad settings: {exc}") from None
    return settings


def wsgi_app(settings: SlackSettings, runtime: Any = None) -> Any:
    """Bolt's WSGI handler at /slack/events behind the signature guard, the inbox workers, the
    handoff sweeper, and GET /healthz for the platform. `runtime` is the one `serve` built
    before forking (content, FAQ index, intent model: shared copy-on-write by every worker;
    redis-py notices the fork and opens the worker's own connections)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.slack.app import create_app
    from bot.slack.signed import signed_only

    from bot import logs

    logs.configure()  # in the worker too: gunicorn set up its own logging after the fork
    if runtime is None:
        runtime = build_runtime(require_redis=True, redis_url=settings.redis_url)
    app, ctx = create_app(settings, runtime)
    start_inbox(ctx, settings)
    from bot.slack import reminders

    reminders.start_background(ctx)
    bolt = signed_only(SlackRequestHandler(app, path="/slack/events"), settings.signing_secret)
    return routes(settings, bolt, HealthCheck(settings.redis_url))


def routes(settings: SlackSettings, bolt: Any, health: "HealthCheck") -> Any:
    """GET /healthz for the platform, GET /metrics for Prometheus (unless METRICS=0: 404;
    neither needs a signature, and neither reads or logs anything of the request), and
    everything else to `bolt`, the signature guard in front of Bolt."""
    from bot import metrics
    from bot.inbox import stream_key

    inbox_keys = [stream_key(shard) for shard in range(settings.inbox_shards)]
    metrics_page = metrics.endpoint(settings.metrics, health.client, inbox_keys)

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok, reason = health.check()
            status, body = ("200 OK", b"ok\n") if ok else ("503 Service Unavailable", f"{reason}\n".encode())
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/metrics":
            return metrics_page(environ, start_response)
        return bolt(environ, start_response)

    return application


def start_inbox(ctx: Any, settings: SlackSettings) -> Any:
    """Switch the durable inbox on for this process and start reading it."""
    from bot.inbox import READ_BLOCK_MS, Inbox
    from bot.inbox_workers import InboxWorkers
    from bot.redis_client import open_client
    from bot.slack.intake import handle_delivery

    shards = settings.inbox_shards
    reader = open_client(settings.redis_url, command_timeout=READ_BLOCK_MS / 1000 + 1.0)
    # Intake answers Slack while it waits: one try, half a second, then the polite notice and 503
    # (Slack delivers again); a busy machine must still answer well within Slack's 3 s.
    writer = open_client(settings.redis_url, command_timeout=INTAKE_TIMEOUT, retries=0)
    ctx.inbox = Inbox(ctx.store.redis, shards=shards, blocking_client=reader, intake_client=writer,
                      claim_idle_ms=int(settings.inbox_claim_idle_seconds * 1000))
    threads = settings.web_threads
    ctx.inbox_workers = InboxWorkers(ctx.inbox, lambda d: handle_delivery(ctx, d), threads=threads).start()
    return ctx.inbox_workers


class HealthCheck:
    """Redis answers (every primary, and the cluster says ok, in cluster mode) within
    HEALTH_TIMEOUT: one try with a short timeout, so /healthz answers within half a second."""

    def __init__(self, redis_url: str) -> None:
        from bot.redis_client import is_cluster, open_client

        self.cluster = is_cluster(redis_url)
        self.client = open_client(redis_url, command_timeout=HEALTH_TIMEOUT, retries=0)

    def check(self) -> tuple[bool, str]:
        try:
            if self.cluster:
                info = self.client.cluster_info()
                state = info.get("cluster_state") if isinstance(info, dict) else None
                if state != "ok":
                    return False, f"redis cluster state {state}"
            self.client.ping()
        except Exception as exc:  # any Redis failure means this process can't serve
            return False, f"redis unavailable ({type(exc).__name__})"
        return True, "ok"


def serve() -> int:
    """`python -m bot serve`: gunicorn with threaded workers on $PORT."""
    from bot import metrics

    settings = settings_or_exit("http")
    # Every process's metrics go to files in one directory, chosen before anything is counted
    # (the checks below count their Redis round trips and Web API calls) and before forking.
    created = None
    if settings.metrics or os.environ.get(metrics.MULTIPROC_ENV):
        created = metrics.prepare_multiprocess_dir()
    try:
        return _gunicorn(settings)
    finally:
        metrics.remove_multiprocess_dir(created)


def _gunicorn(settings: SlackSettings) -> int:
    from gunicorn.app.base import BaseApplication

    # Built once, before forking: it fails fast here, and each worker starts without training
    # the FAQ and intent models again (about 3 s each on 2 cores).
    runtime = build_runtime(require_redis=True, redis_url=settings.redis_url)
    check_slack(settings)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", settings.bind)
            self.cfg.set("workers", settings.web_concurrency)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", settings.web_threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)  # Slack request paths and timings only go to errorlog
            self.cfg.set("loglevel", settings.log_level)
            self.cfg.set("post_fork", _post_fork)
            self.cfg.set("post_worker_init", _worker_ready)
            self.cfg.set("child_exit", _child_exit)

        def load(self) -> Any:
            return wsgi_app(settings, runtime)

    Server().run()
    return 0


_forked_at: float | None = None  # in a worker: when it was forked (monotonic clock)


def _post_fork(server: Any, worker: Any) -> None:
    global _forked_at
    _forked_at = time.monotonic()


def _worker_ready(worker: Any) -> None:
    """gunicorn's post_worker_init: the app is loaded, the worker serves from now on. One log
    line with the time since its fork (benchmarks/e2e.py reads it)."""
    if _forked_at is not None:
        log.info("worker ready", extra={"fields": {"duration_ms": round((time.monotonic() - _forked_at) * 1000, 1),
                                                   "pid": os.getpid()}})


def _child_exit(server: Any, worker: Any) -> None:
    """In the master, once a worker is gone: its live metrics files go (its counts stay)."""
    from bot import metrics

    metrics.process_exited(worker.pid)


def socket() -> int:
    """`python -m bot socket`: Socket Mode, for a team without a public URL."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app

    settings = settings_or_exit("socket")
    runtime = build_runtime(require_redis=True, redis_url=settings.redis_url)
    check_slack(settings)
    check_app_token(settings)  # before saying it runs: Slack must accept the app token
    app, ctx = create_app(settings, runtime, socket_mode=True)
    start_inbox(ctx, settings)
    from bot.slack import reminders

    reminders.start_background(ctx)
    SocketModeHandler(app, settings.app_token).start()
    return 0
