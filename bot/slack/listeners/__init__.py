"""Listeners grouped by what they listen to, each module exposing `register(app, ctx)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import SlackContext
from bot.slack.listeners import actions, commands, events, messages, views


def register_listeners(app: App, ctx: SlackContext) -> None:
    events.register(app, ctx)
    messages.register(app, ctx)
    actions.register(app, ctx)
    commands.register(app, ctx)
    views.register(app, ctx)
