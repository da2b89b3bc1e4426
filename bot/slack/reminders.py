"""Re-announcing handoffs nobody has claimed (issue 5)."""

from __future__ import annotations

from bot.slack.context import SlackContext


def start_background(ctx: SlackContext) -> None:
    """Placeholder until reminders exist."""
