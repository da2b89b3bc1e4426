"""The Slack Web API side: the client, posting with retry, private refusals, permalinks.

Every call here may fail on Slack's side; what a failure means for the caller (retry, log,
carry on without) is decided here once, not at every call site.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.settings import SlackSettings
from bot.turn import Outbound

log = logging.getLogger(__name__)

POST_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


def web_client(settings: SlackSettings) -> WebClient:
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    client.retry_handlers.extend([ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3)])
    return client


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


def post_reply(ctx: SlackContext, channel: str, thread_ts: str | None, out: Outbound, **params: Any) -> dict[str, Any] | None:
    """One engine reply as a message: its text as the fallback, its layout as blocks."""
    return post_with_retry(ctx, channel=channel, thread_ts=thread_ts, text=blocks.fallback_text(out.text),
                           blocks=blocks.reply_blocks(out), **params)


def refuse(ctx: SlackContext, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
    """A refusal only the person who tried sees (ephemeral); failing to send it is logged."""
    try:
        ctx.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except SlackApiError as exc:
        log.warning("ephemeral refusal failed (%s)", exc.response.get("error"))


def permalink(ctx: SlackContext, channel: str | None, ts: str | None) -> str | None:
    """A link to the message at (channel, ts); None when there is none or Slack won't say."""
    if not channel or not ts:
        return None
    try:
        return ctx.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None
