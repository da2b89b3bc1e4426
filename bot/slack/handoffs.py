"""Handoff side of the Slack app (announce to the agent channel, relay). See issue 5."""

from __future__ import annotations

from bot.slack.context import SlackContext
from bot.turn import Outbound


def announce(ctx: SlackContext, key: str) -> None:
    """Placeholder until the agent channel card exists: nothing is announced yet."""


def relay_to_agent(ctx: SlackContext, key: str, out: Outbound) -> None:
    """Placeholder until relay exists."""
