"""Send the engine's replies to Slack: into the prospect's thread, or to the agents."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.turn import Outbound

log = logging.getLogger(__name__)

POST_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


def post_with_retry(ctx: SlackContext, **params: Any) -> dict[str, Any] | None:
    """chat.postMessage, retried with backoff when Slack answers with an error (the SDK
    already retries connection errors and rate limits). None when every attempt failed."""
    for delay in (*POST_BACKOFF_SECONDS, None):
        try:
            return ctx.client.chat_postMessage(**params).data  # type: ignore[return-value]
        except SlackApiError as exc:
            log.warning("chat.postMessage failed (%s)%s", exc.response.get("error"), "; retrying" if delay else "")
            if delay is None:
                return None
            time.sleep(delay)
    return None


def deliver(ctx: SlackContext, key: str, channel: str, thread_ts: str | None, outs: list[Outbound]) -> None:
    """Post each reply; hand relayed prospect messages and new handoffs to the handoff side."""
    from bot.slack import handoffs  # handoff announcing builds on delivery, not the reverse

    for out in outs:
        if out.to_agent:
            handoffs.relay_to_agent(ctx, key, out)
            continue
        post_with_retry(
            ctx,
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.fallback_text(out.text),
            blocks=blocks.reply_blocks(out),
            unfurl_links=False,
            unfurl_media=False,
        )
        if out.handoff:
            if handoffs.announce(ctx, key) and out.urgent:
                conv = ctx.store.load(key)  # already on the agent channel: show it as urgent
                if conv is not None:
                    handoffs.refresh_card(ctx, conv)
