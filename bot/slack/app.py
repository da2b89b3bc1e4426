"""The Bolt app: settings in, listeners registered, one SlackContext shared by them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.app_context import Runtime
from bot.slack.context import SlackContext
from bot.slack.listeners import register_listeners
from bot.slack.settings import SlackSettings
from bot.slack.web import web_client

log = logging.getLogger(__name__)
EVENT_ID_TTL_SECONDS = 3600


def create_app(settings: SlackSettings, runtime: Runtime, socket_mode: bool = False) -> tuple[App, SlackContext]:
    client = web_client(settings)
    me = client.auth_test()
    ctx = SlackContext(
        settings=settings, engine=runtime.engine, store=runtime.store, content=runtime.content,
        client=client, home_team=me["team_id"], bot_user_id=me["user_id"],
    )
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,  # auth.test ran above; once is enough
        ignoring_self_events_enabled=True,
        raise_error_for_unhandled_request=False,
    )
    app.use(_once_per_event_id(ctx))
    register_listeners(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Type and where only: a body may carry a prospect's words.
        log.error("listener failed: %s (request type %s)", type(error).__name__, body.get("type"), exc_info=error)

    return app, ctx


def _once_per_event_id(ctx: SlackContext) -> Callable[..., Any]:
    """Slack redelivers an event it did not see acknowledged within 3 s, possibly to
    another process. The first delivery claims the event id in Redis; others are acked and
    dropped. (Messages are also claimed by channel and ts, in the message listener.)"""

    def middleware(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not ctx.store.first_time(f"event:{event_id}", EVENT_ID_TTL_SECONDS):
            log.info("duplicate event dropped (retry %s)", "yes")
            return BoltResponse(status=200, body="")
        return next()

    return middleware
