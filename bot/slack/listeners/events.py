"""Events other than messages: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack import home
from bot.slack.context import SlackContext


def register(app: App, ctx: SlackContext) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        home.opened(ctx, event["user"])
