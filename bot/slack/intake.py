"""Messages in: written to the durable inbox before Slack is told we have them.

Slack treats a 200 as "received" and never sends that event again, so the event is appended to
the inbox (bot/inbox.py, Redis Streams) first and acknowledged after. Every bot process reads the
inbox; an entry is acknowledged there only once its turn is committed and its replies are out,
so a process killed mid-turn leaves the entry to another.

When Redis can't take the event (down, stalled: the client gives up within about a second),
the prospect is told politely that the answer will come, once (only on Slack's first delivery,
which carries no `X-Slack-Retry-Num`), and Slack gets a 503 well within its 3 s, so it delivers
the event again later; that delivery is queued once Redis is back and answered then. The 503
waits only for the inbox write's one short try: deciding whether the message wants an answer
and posting the notice happen on a small pool of their own, so a busy machine or a slow Slack
never pushes the answer past Slack's 3 s (after which Slack would count a timeout and retry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import redis
from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.inbox import ACKNOWLEDGED, Acknowledged, Delivery
from bot.normalize import detect_language
from bot.slack.context import SlackContext
from bot.slack.floor import Verdict
from bot.slack.listeners import messages
from bot.slack.listeners.messages import handle_prospect_message, is_person_message, place_of
from bot.slack.outbox import drain_then
from bot.store_keys import key_of_state, state_key
from bot.slack.text import plain_text, scrub

log = logging.getLogger(__name__)

QUEUED_EVENTS = {"message", "app_mention"}
KIND_EVENT = "event"
# Outage notices leave from here, not from the request Slack is waiting on; two threads are
# plenty for a notice per prospect, and a flood during an outage queues instead of spawning.
_NOTICES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="outage-notice")
# The inbox write has its own short timeouts, but a stalled Redis can still hold a fresh
# connection far longer (seen: 3.3 s on a loaded machine, past Slack's 3 s). The write runs
# here and the request waits for it at most INTAKE_DEADLINE; a write that lands after that is
# harmless: Slack redelivers the 503'd event, and the turn is done once per message id.
INTAKE_DEADLINE = 1.0
_WRITES = ThreadPoolExecutor(max_workers=16, thread_name_prefix="inbox-write")
RANK = "rank"  # the person's rate rank, run with the intake (Prefetched.extras)


class IntakeTimeout(redis.RedisError):
    """The inbox write did not answer within INTAKE_DEADLINE."""


def _put(ctx: SlackContext, event: dict[str, Any]) -> None:
    """Queue the event and, in the same round trip, take it for this process's workers with
    what its turn will read first: the conversation's state and the person's rate rank (on
    one Redis; see Inbox.take). Every person's message is ranked, chatter included: a rank is
    given once per message id, before anyone knows whether the bot will answer it."""
    assert ctx.inbox is not None
    read, scripts = _prefetch(ctx, event)
    future = _WRITES.submit(ctx.inbox.take, routing_key(event), KIND_EVENT, {"event": event}, read, scripts)
    try:
        _, taken = future.result(timeout=INTAKE_DEADLINE)
    except FutureTimeout:
        # Slack is told 503 and will deliver again; should the write still land, what it took
        # is this process's now: hand it to the workers then (read afresh: what came with it
        # is old by then), rather than leave it pending until it is reclaimed.
        future.add_done_callback(lambda late: _hand_over_late(ctx, late))
        raise IntakeTimeout("inbox write took too long") from None
    _submit(ctx, taken)


def _hand_over_late(ctx: SlackContext, done: Any) -> None:
    if done.exception() is None:
        _, taken = done.result()
        _submit(ctx, taken.again() if taken is not None else None)


def _submit(ctx: SlackContext, taken: Delivery | None) -> None:
    if taken is not None and ctx.inbox_workers is not None:
        ctx.inbox_workers.submit(taken)  # not handed out? then it is reclaimed: nothing lost


def _prefetch(ctx: SlackContext, event: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """What a prospect's message's turn reads first, to read with its intake."""
    if not is_person_message(ctx, event) or event.get("channel") == ctx.settings.agent_channel_id:
        return [], {}
    channel, root = place_of(event)
    read = [state_key(ctx.conversation_key(channel, root))]
    scripts: dict[str, Any] = {}
    if ctx.rate_limit is not None:
        scripts[RANK] = ctx.rate_limit.rank_call(event.get("user") or "", f"{channel}:{event.get('ts', '')}")
    return read, scripts


def routing_key(event: dict[str, Any]) -> str:
    """The conversation an event belongs to, for ordering: one shard and one worker thread
    take all of a conversation's messages, in the order they came."""
    if event.get("subtype") in messages.CHANGE_SUBTYPES:  # with the message it changes
        inner = event.get("message") or event.get("previous_message") or {}
        event = {**inner, "channel": event.get("channel", ""), "channel_type": event.get("channel_type")}
    channel, root = place_of(event)
    return channel if root is None else f"{channel}:{root}"


def scrubbed(value: Any) -> Any:
    """The event with every string made storable (lone surrogates replaced)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(k): scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrubbed(v) for v in value]
    return value


def into_inbox(ctx: SlackContext) -> Callable[..., BoltResponse | None]:
    """Bolt middleware (after Bolt's own signature check): message events go to the inbox and
    are acknowledged; everything else goes on to the listeners."""

    def middleware(body: dict[str, Any], req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event = body.get("event") if body.get("type") == "event_callback" else None
        if ctx.inbox is None or not isinstance(event, dict) or event.get("type") not in QUEUED_EVENTS:
            return next()
        event = scrubbed(event)
        if not is_person_message(ctx, event) and not messages.is_agent_change(ctx, event):
            return BoltResponse(status=200, body="")  # the bot's own posts, edits, joins...
        try:
            _put(ctx, event)
        except redis.RedisError as exc:
            first = not (req.headers.get("x-slack-retry-num") or [None])[0]
            log.warning("inbox unavailable (%s); asking Slack to redeliver", type(exc).__name__)
            if first:
                _NOTICES.submit(_notice_if_expected, ctx, event)
            return BoltResponse(status=503, body="")
        return BoltResponse(status=200, body="")

    return middleware


def handle_delivery(ctx: SlackContext, delivery: Delivery) -> float | Acknowledged | None:
    """One inbox entry: its turn, then its replies. Returns seconds to come back after when the
    outbox could not be emptied yet (the entry stays pending meanwhile), or ACKNOWLEDGED when
    the entry was acknowledged with the outbox's last write."""
    if delivery.kind != KIND_EVENT:
        log.error("inbox entry of unknown kind %r skipped", delivery.kind)
        return None
    event = delivery.payload.get("event") or {}
    pre = delivery.prefetched
    try:
        if pre is not None:
            for skey, raw in pre.values.items():
                ctx.store.trust(key_of_state(skey), raw)
        key = handle_prospect_message(ctx, event, rank=pre.extras.get(RANK) if pre else None)
    except redis.RedisError:
        if delivery.attempts == 1 and delivery.retries == 0 and _expects_answer(ctx, event):
            tell_unavailable(ctx, event)
        raise
    finally:
        ctx.store.forget_trusted()
    if key is None:
        return None
    assert ctx.inbox is not None
    inbox = ctx.inbox
    ack = None if inbox.clustered else (lambda pipe: inbox.ack_into(pipe, delivery))
    drained = drain_then(ctx, key, ack)
    if drained.acknowledged:
        return ACKNOWLEDGED
    return drained.wait or None


def _expects_answer(ctx: SlackContext, event: dict[str, Any]) -> bool:
    """Would the bot normally answer this message? Asked while Redis is away, so the floor is
    decided without the conversation (as for a thread the bot has lost): a DM, a mention, an
    ANSWER_ALL channel, a prospect's top-level message that reads as something the bot serves,
    or a prospect's reply in a thread the bot has posted in. Chatter stays unanswered even then."""
    channel, root = place_of(event)
    text = plain_text(event.get("text") or "", ctx.bot_user_id)
    if channel == ctx.settings.agent_channel_id or not text:
        return False
    return messages.floor_without_redis(ctx, event, text) is not Verdict.IGNORE


def _notice_if_expected(ctx: SlackContext, event: dict[str, Any]) -> None:
    """Off the request path: the notice for a message that would have been answered."""
    try:
        if _expects_answer(ctx, event):
            tell_unavailable(ctx, event)
    except Exception:  # a notice is a courtesy; Slack's redelivery still gets the real answer
        log.exception("outage notice failed")


def tell_unavailable(ctx: SlackContext, event: dict[str, Any]) -> None:
    """The polite "please give us a moment", in the prospect's language, without Redis."""
    channel, thread = place_of(event)
    lang = detect_language(plain_text(event.get("text") or "", ctx.bot_user_id))
    try:  # one attempt: Slack is waiting for our answer to its request
        ctx.client.chat_postMessage(channel=channel, thread_ts=thread, text=ctx.say("store_unavailable", lang))
    except SlackApiError as exc:
        log.warning("telling the prospect about the outage failed (%s)", exc.response.get("error"))
