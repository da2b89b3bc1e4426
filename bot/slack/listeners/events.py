"""Events other than messages: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.context import SlackContext


def register(app: App, ctx: SlackContext) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=home(ctx))


def home(ctx: SlackContext) -> dict[str, Any]:
    """Japanese first, English below: the tab is the same for every user."""
    say = ctx.say
    view = blocks.home_view(say("home_title", "ja"), say("home_body", "ja"), [say("home_steps", "ja")])
    english = blocks.home_view(say("home_title", "en"), say("home_body", "en"), [say("home_steps", "en")])
    view["blocks"] += [{"type": "divider"}] + english["blocks"]
    return view
