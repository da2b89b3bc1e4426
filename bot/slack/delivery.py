"""Send the engine's replies to Slack: into the prospect's thread, or to the agents."""

from __future__ import annotations

import logging

from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.turn import Outbound

log = logging.getLogger(__name__)


def deliver(ctx: SlackContext, key: str, channel: str, thread_ts: str | None, outs: list[Outbound]) -> None:
    """Post each reply; hand relayed prospect messages and new handoffs to the handoff side."""
    from bot.slack import handoffs  # handoff announcing builds on delivery, not the reverse

    for out in outs:
        if out.to_agent:
            handoffs.relay_to_agent(ctx, key, out)
            continue
        ctx.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.fallback_text(out.text),
            blocks=blocks.reply_blocks(out),
            unfurl_links=False,
            unfurl_media=False,
        )
        if out.handoff:
            handoffs.announce(ctx, key)
