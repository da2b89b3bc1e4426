"""Handoff cards on the agent channel: posted once, redrawn on every change.

Order is what keeps a prospect from being dropped: the engine has already committed the
handoff to Redis when `announce` runs; the card is posted with retries, and a waiting
handoff whose card never went out is posted again by the sweeper (reminders.py). Every
change to the queue also redraws the App Home of agents looking at it (home.py).
"""

from __future__ import annotations


import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.flows.model import Conversation
from bot.handoffs import HandoffDesk
from bot.logs import key_hash
from bot.slack import cards, home
from bot.slack.card_facts import card_facts
from bot.slack.cards import CardFacts
from bot.slack.context import SlackContext
from bot.slack.web import permalink, post_with_retry

log = logging.getLogger(__name__)

ANNOUNCE_LOCK_SECONDS = 30
ALERT_TTL_SECONDS = 90 * 24 * 3600


def desk(ctx: SlackContext) -> HandoffDesk:
    return HandoffDesk(ctx.store, ctx.content, ctx.clock, outbox=True)


def _card(ctx: SlackContext, conv: Conversation) -> tuple[str, list[dict[str, Any]], CardFacts]:
    assert conv.handoff is not None
    facts = card_facts(ctx, conv)
    transcript = ctx.store.transcript(conv.key, last=60)
    blocks = cards.card_blocks(ctx.content, conv, conv.handoff, transcript, facts)
    return cards.notification(ctx.content, conv.handoff, facts), blocks, facts


def announce(ctx: SlackContext, key: str) -> bool:
    """Post the card for the conversation's handoff unless it is already out. One process
    posts at a time (a short Redis lock); failures are retried with backoff, and whatever
    is still unposted is picked up by the sweeper. An urgent card mentions the on-call
    agents (ONCALL_MENTION) at once. Returns True once the card is out."""
    conv = ctx.store.load(key)
    if conv is None or conv.handoff is None or conv.handoff.announced or not conv.handoff.is_open:
        return True
    with ctx.store.try_lock(f"announce:{conv.handoff.id}", timeout_seconds=ANNOUNCE_LOCK_SECONDS) as locked:
        if not locked:
            return False
        conv = ctx.store.load(key)  # re-read under the lock: another process may have posted
        if conv is None or conv.handoff is None or conv.handoff.announced:
            return True
        handoff = conv.handoff
        text, blocks, _ = _card(ctx, conv)
        mention = ctx.settings.oncall_mention if handoff.urgent else ""
        if mention:
            text = f"{mention} {text}"
        posted = post_with_retry(ctx, channel=ctx.settings.agent_channel_id, text=text, blocks=blocks)
        if posted is None:
            return False
        ts = posted["ts"]
        ctx.store.put_card(ctx.settings.agent_channel_id, ts, key, handoff.id)
        desk(ctx).mark(key, handoff.id, announced=True, card_channel=ctx.settings.agent_channel_id, card_ts=ts,
                       alerted=handoff.urgent)
        log.info("handoff announced", extra={"fields": {"key_hash": key_hash(key), "handoff": handoff.id,
                                                          "urgent": handoff.urgent, "reason": handoff.reason}})
    home.queue_changed(ctx)
    return True


def refresh_card(ctx: SlackContext, conv: Conversation, clicked: tuple[str, str] | None = None) -> None:
    """Redraw the handoff's card. `clicked` is where an agent clicked it: an agent can click a
    card the moment it appears, before the announcing process has recorded where it posted it.
    A handoff that has just become urgent alerts the on-call agents once."""
    h = conv.handoff
    if h is None:
        return
    channel, ts = (h.card_channel, h.card_ts) if h.card_ts and h.card_channel else (clicked or (None, None))
    if not channel or not ts:
        return
    text, blocks, facts = _card(ctx, conv)
    try:
        ctx.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("card update failed (%s)", exc.response.get("error"))
    if h.urgent and h.is_waiting and not h.alerted and ctx.store.first_time(f"alert:{h.id}", ALERT_TTL_SECONDS):
        link = permalink(ctx, channel, ts)
        alert = cards.reminder_text(ctx.content, h, facts, link, ctx.settings.oncall_mention)
        if post_with_retry(ctx, channel=channel, text=alert) is not None:
            desk(ctx).mark(conv.key, h.id, alerted=True)
    home.queue_changed(ctx)


