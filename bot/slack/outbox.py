"""Replies leave through the conversation's outbox: written with the turn, posted after it.

A turn commits its replies to `conv:{K}:outbox` in the same write as the conversation, and
`drain` posts them in order, one drainer per conversation at a time (a Redis lock). Before a
reply is posted its outbox entry is marked as tried; the posted message carries the reply's id
in its metadata. After a crash the next drainer finds the tried entry at the head and looks for
that id in the thread (`conversations.replies`, or `conversations.history` in a DM) before
posting it: a reply already out is recognised, not posted twice.

Posts into one channel are paced (bot/limits.py ChannelPacer): when the channel's slot is taken
`drain` stops and says how long to wait, and the caller comes back then (the inbox keeps its
entry pending meanwhile), so other channels' replies are not held up.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.logs import key_hash
from bot.slack import buttons, card_view
from bot.slack.cards import AGENT_LANG
from bot.slack.blocks import escape, fallback_text
from bot.slack.codec import split_key
from bot.slack.context import SlackContext
from bot.slack.posted import already_posted, metadata
from bot.slack.web import RateLimited, post_reply, post_with_retry
from bot.store import OutboxItem
from bot.turn import Outbound

log = logging.getLogger(__name__)

LOCKED_RETRY_SECONDS = 0.5


def drain(ctx: SlackContext, key: str) -> float:
    """Post what the conversation's outbox holds, in order. Returns 0 when it is empty, or the
    seconds after which the caller should drain again (the channel's pace, another drainer)."""
    with ctx.store.drain_lock(key) as renew:
        if renew is None:
            return LOCKED_RETRY_SECONDS
        while (item := ctx.store.outbox_head(key)) is not None:
            renew()
            out = Outbound.from_record(item.record)
            target = _target(ctx, key, out)
            if target is None:  # a relay before the card exists: the card shows it when posted
                ctx.store.outbox_done(key)
                continue
            wait = ctx.pacer.wait_seconds(target[0]) if ctx.pacer is not None else 0.0
            if wait > 0:
                return wait
            if item.attempted and already_posted(ctx, target[0], target[1], item.id):
                log.info("outbox reply recognised as already posted", extra={"fields": {"key_hash": key_hash(key)}})
                ctx.store.outbox_done(key)
                continue
            ctx.store.outbox_attempting(key, item)
            try:
                posted = _post(ctx, target, out, item)
            except RateLimited as limited:  # Slack said wait: the channel's pace is held that long
                return max(limited.seconds, 0.05)
            ctx.store.outbox_done(key)
            if posted is None:
                log.error("outbox reply dropped: Slack refused every attempt",
                          extra={"fields": {"key_hash": key_hash(key), "kind": out.kind}})
                continue
            if not out.to_agent:
                buttons.shown(ctx, key, item.id, posted["ts"], out)
            if out.handoff and not out.to_agent:
                _announce(ctx, key, out)
            elif out.card_changed:
                _redraw_card(ctx, key)
    return 0.0


def send(ctx: SlackContext, key: str) -> None:
    """Drain now and, if the drain was deferred, again when it may go on (for callers outside
    the inbox: clicks and slash commands, which Slack does not redeliver)."""
    delay = drain(ctx, key)
    if delay > 0:
        timer = threading.Timer(delay, send, args=(ctx, key))
        timer.daemon = True
        timer.start()


def _target(ctx: SlackContext, key: str, out: Outbound) -> tuple[str, str | None] | None:
    if not out.to_agent:
        return split_key(key)
    conv = ctx.store.load(key)
    h = conv.handoff if conv else None
    if h is None or not h.card_ts or not h.card_channel:
        return None
    return h.card_channel, h.card_ts


def _post(ctx: SlackContext, target: tuple[str, str | None], out: Outbound, item: OutboxItem) -> dict[str, Any] | None:
    channel, thread_ts = target
    if out.to_agent:
        # Shown literally: a prospect (or an external guest) must not ping @channel or dress up
        # a link in the agent channel.
        text = ctx.say("relay_from_prospect_urgent" if out.urgent else "relay_from_prospect", AGENT_LANG, text=escape(out.text))
        return post_with_retry(ctx, defer_rate_limits=True, channel=channel, thread_ts=thread_ts,
                               text=fallback_text(text), unfurl_links=False, unfurl_media=False, metadata=metadata(item.id))
    return post_reply(ctx, channel, thread_ts, out, item.id, defer_rate_limits=True, unfurl_links=False,
                      unfurl_media=False, metadata=metadata(item.id))


def _announce(ctx: SlackContext, key: str, out: Outbound) -> None:
    """The prospect has been told a person is coming; now the agents are told (the handoff was
    committed with the turn, before either)."""
    if card_view.announce(ctx, key) and out.urgent:
        _redraw_card(ctx, key)  # already on the agent channel: show it as urgent


def _redraw_card(ctx: SlackContext, key: str) -> None:
    """The turn changed what the card shows (urgent now, cancelled by the prospect)."""
    conv = ctx.store.load(key)
    if conv is not None:
        card_view.refresh_card(ctx, conv)
