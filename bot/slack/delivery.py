"""Send the engine's replies to Slack: into the prospect's thread, or to the agents.

The dependency runs one way: delivery hands relays and new handoffs to the agent desk
(handoffs.py), which never calls back into delivery.
"""

from __future__ import annotations

from bot.slack import handoffs
from bot.slack.context import SlackContext
from bot.slack.web import post_reply
from bot.turn import Outbound


def deliver(ctx: SlackContext, key: str, channel: str, thread_ts: str | None, outs: list[Outbound]) -> None:
    """Post each reply; hand relayed prospect messages and new handoffs to the handoff side."""
    for out in outs:
        if out.to_agent:
            handoffs.relay_to_agent(ctx, key, out)
            continue
        post_reply(ctx, channel, thread_ts, out, unfurl_links=False, unfurl_media=False)
        if out.handoff:
            if handoffs.announce(ctx, key) and out.urgent:
                conv = ctx.store.load(key)  # already on the agent channel: show it as urgent
                if conv is not None:
                    handoffs.refresh_card(ctx, conv)
