"""Modal submissions: an owner closing a handoff with its outcome."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack import handoffs
from bot.slack.codec import CLOSE_VIEW, parse_close
from bot.slack.context import SlackContext


def register(app: App, ctx: SlackContext) -> None:
    @app.view(CLOSE_VIEW)
    def on_close_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        handoffs.close(ctx, parse_close(body, view))
