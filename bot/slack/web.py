"""The Slack Web API side: the client, posting with retry, private refusals, permalinks.

Every call here may fail on Slack's side; what a failure means for the caller (retry, log,
carry on without) is decided here once, not at every call site.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import metrics
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.keep_alive import KeepAlive
from bot.slack.settings import SlackSettings
from bot.turn import Outbound

log = logging.getLogger(__name__)

POST_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


class RateLimited(Exception):
    """Slack said 429 for a post the caller wants to come back to rather than wait on."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited for {seconds:.1f}s")
        self.seconds = seconds


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """Slack's 429 with Retry-After, honoured for the whole channel. Without a pacer the SDK
    waits and retries (the stock behaviour); with one, the channel's pace (bot/limits.py) is
    held that long, so no thread or process posts there meanwhile, and the error goes back to
    the caller at once, which defers the post (`post_with_retry(defer_rate_limits=True)`) or
    waits the Retry-After itself, instead of a worker thread sleeping inside the SDK while
    other channels' replies queue behind it."""

    pacer: Any = None

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        if self.pacer is None:
            return True
        channel = _channel_of(request)
        if channel:
            try:
                self.pacer.hold(channel, retry_after(response.headers))
            except Exception:  # Redis away: the caller still waits before its retry
                pass
        return False


def retry_after(headers: Any) -> float:
    """Seconds from a Retry-After header (1 when absent or unreadable)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    value = value[0] if isinstance(value, list) and value else value
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def _channel_of(request: Any) -> str | None:
    """The channel a Web API call names: JSON body (chat.postMessage) or form fields."""
    params = request.body_params or {}
    if not params and request.data:
        try:
            params = json.loads(request.data)
        except ValueError:
            from urllib.parse import parse_qs

            params = {k: v[0] for k, v in parse_qs(request.data.decode("utf-8", "replace")).items()}
    channel = params.get("channel") if isinstance(params, dict) else None
    return channel if isinstance(channel, str) else None


class TimedWebClient(KeepAlive, WebClient):
    """A WebClient whose every call is timed and its failure counted, by method, for /metrics
    (bot/metrics.py): the time includes the retry handlers' waits and retries, as the caller
    waits them; the error is what Slack said (`ratelimited`, `channel_not_found`) or, when no
    answer came, the exception's class. Its calls reuse each thread's connection to Slack
    (bot/slack/keep_alive.py)."""

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        started = time.perf_counter()
        error: str | None = None
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = _error_of(exc)
            raise
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            metrics.slack_call(api_method, time.perf_counter() - started, error)


def _error_of(exc: SlackApiError) -> str:
    """Slack's error word, or the HTTP status when the answer carried none."""
    data = getattr(exc.response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) and error else f"http_{getattr(exc.response, 'status_code', 'unknown')}"


def web_client(settings: SlackSettings) -> WebClient:
    client = TimedWebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    client.retry_handlers.extend([ConnectionErrorRetryHandler(max_retry_count=2), PacedRateLimitHandler(max_retry_count=3)])
    return client


def pace_rate_limits(client: WebClient, pacer: Any) -> None:
    """Let the client's 429 handler hold the channel's pace (once the pacer exists)."""
    for handler in client.retry_handlers:
        if isinstance(handler, PacedRateLimitHandler):
            handler.pacer = pacer


def post_with_retry(ctx: SlackContext, defer_rate_limits: bool = False, **params: Any) -> dict[str, Any] | None:
    """chat.postMessage, retried with backoff when Slack answers with an error (the SDK
    already retries connection errors). A 429 waits its Retry-After, or with
    `defer_rate_limits` raises RateLimited so the caller comes back later. None when every
    attempt failed."""
    for delay in (*POST_BACKOFF_SECONDS, None):
        try:
            return ctx.client.chat_postMessage(**params).data  # type: ignore[return-value]
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                wait = retry_after(exc.response.headers)
                if defer_rate_limits:
                    raise RateLimited(wait) from None
                log.warning("chat.postMessage rate limited; waiting %.1fs", wait)
                time.sleep(wait)
                continue
            log.warning("chat.postMessage failed (%s)%s", exc.response.get("error"), "; retrying" if delay else "")
            if delay is None:
                return None
            time.sleep(delay)
    return None


def post_reply(ctx: SlackContext, channel: str, thread_ts: str | None, out: Outbound, reply_id: str | None = None,
               **params: Any) -> dict[str, Any] | None:
    """One engine reply as a message: its text as the fallback, its layout as blocks (its
    buttons marked with `reply_id`, the outbox's id of the reply)."""
    return post_with_retry(ctx, channel=channel, thread_ts=thread_ts, text=blocks.fallback_text(out.text),
                           blocks=blocks.reply_blocks(out, reply_id), **params)


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
