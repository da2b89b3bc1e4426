"""The Bolt app: settings in, listeners registered, one SlackContext shared by them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import counting, metrics
from bot.app_context import Runtime
from bot.figures import Figures
from bot.limits import ChannelPacer, UserRateLimit
from bot.slack import intake
from bot.slack.codec import split_key
from bot.slack.context import SlackContext
from bot.slack.listeners import register_listeners
from bot.slack.settings import SlackSettings
from bot.slack.web import pace_rate_limits, web_client

log = logging.getLogger(__name__)


def create_app(settings: SlackSettings, runtime: Runtime, socket_mode: bool = False, *,
               post_interval_seconds: float | None = None) -> tuple[App, SlackContext]:
    """The app and its context. Turns are idempotent and replies leave through the outbox;
    the durable inbox is switched on by the runner (`ctx.inbox`), which also reads it.
    `post_interval_seconds` paces posts per channel (0: unpaced, for tests that don't look;
    None: the settings' POST_INTERVAL_SECONDS)."""
    if post_interval_seconds is None:
        post_interval_seconds = settings.post_interval_seconds
    client = web_client(settings)
    me = client.auth_test()
    redis_client = runtime.store.redis
    ctx = SlackContext(
        settings=settings, engine=runtime.engine, store=runtime.store, content=runtime.content,
        client=client, home_team=me["team_id"], bot_user_id=me["user_id"],
        pacer=ChannelPacer(redis_client, post_interval_seconds) if post_interval_seconds > 0 else None,
        rate_limit=UserRateLimit(redis_client, settings.rate_limit_per_minute),
        hours=runtime.engine.hours, clock=runtime.engine.clock,
    )
    ctx.figures = Figures(redis_client, tz=runtime.engine.hours.tz)
    runtime.store.observers.append(counting.observer(ctx.figures, runtime.engine.hours))
    runtime.store.observers.append(metrics.handoff_observer())  # bot_handoff_transitions_total
    if ctx.pacer is not None:
        pace_rate_limits(client, ctx.pacer)
        pacer = ctx.pacer
        # A turn's commit takes its first reply's pace in the same round trip (bot/store.py).
        runtime.store.pace = lambda key: (split_key(key)[0], pacer.interval_ms, pacer.burst)
    app = App(
        client=client,
        logger=_quiet_bolt_logger(),
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,  # auth.test ran above; once is enough
        ignoring_self_events_enabled=True,
        raise_error_for_unhandled_request=False,
    )
    app.use(intake.into_inbox(ctx))  # a no-op unless ctx.inbox is set (serve sets it)
    register_listeners(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Type and where only: a body may carry a prospect's words.
        log.error("listener failed: %s (request type %s)", type(error).__name__, body.get("type"), exc_info=error)

    return app, ctx


def _quiet_bolt_logger() -> logging.Logger:
    """Bolt's own logs carry request bodies (an unhandled request, a rejected one, a listener's
    error with its payload): Bolt and every logger it derives get this one's level, which lets
    nothing below CRITICAL through. Listener failures are logged by `on_error`, by type only."""
    quiet = logging.getLogger("slack_bolt.quiet")
    quiet.setLevel(logging.CRITICAL)
    return quiet

