"""Replies leave through the conversation's outbox: written with the turn, posted after it.

A turn commits its replies to `conv:{K}:outbox` in the same write as the conversation, and
`drain` posts them in order, one drainer per conversation at a time: the drain lease
(`bot/store.py` `Lease`), which the commit itself takes, with the outbox, so the replies leave
without another round trip to find them. Redis counts how many entries a lease handed out
(`conv:{K}:leased`); the posted message carries the reply's id in its metadata. After a crash
the next holder is told how many of its entries the dead one had, and looks for those ids in
the thread (`conversations.replies`, or `conversations.history` in a DM) before posting: a
reply already out is recognised, not posted twice. One more round trip (`Store.finish`) drops
what was posted, records the live buttons, gives the lease back and acknowledges the inbox
entry.

Posts into one channel are paced (bot/limits.py ChannelPacer): when the channel's slot is taken
`drain` stops and says how long to wait, and the caller comes back then (the inbox keeps its
entry pending meanwhile), so other channels' replies are not held up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from bot.logs import key_hash
from bot.slack import buttons, card_view
from bot.slack.cards import AGENT_LANG
from bot.slack.blocks import escape, fallback_text
from bot.slack.codec import split_key
from bot.slack.context import SlackContext
from bot.slack.posted import already_posted, metadata
from bot.slack.web import RateLimited, post_reply, post_with_retry
from bot.slack.buttons import Shown
from bot.outbox_lease import LEASE_MS, Lease, OutboxItem
from bot.turn import Outbound

log = logging.getLogger(__name__)

LOCKED_RETRY_SECONDS = 0.5


class Drained(NamedTuple):
    """How a drain ended: `wait` seconds before draining again (0: the outbox is empty), and
    whether the inbox entry it was given has been acknowledged with the drain's last write."""

    wait: float
    acknowledged: bool = False


def drain(ctx: SlackContext, key: str) -> float:
    """Post what the conversation's outbox holds, in order. Returns 0 when it is empty, or the
    seconds after which the caller should drain again (the channel's pace, another drainer)."""
    return drain_then(ctx, key).wait


def drain_then(ctx: SlackContext, key: str, ack: Callable[[Any], None] | None = None) -> Drained:
    """`drain`, and once every reply is out, `ack` (adding the inbox's acknowledgement to a
    pipeline) in the same round trip as the outbox's last write. It is left out when the
    replies open a handoff or change a card: that work comes after, and the entry stays
    pending until it is done, so a crash before it still announces the handoff."""
    lease = ctx.store.lease(key)
    if lease is None:
        return Drained(LOCKED_RETRY_SECONDS)
    acknowledged = False
    while lease is not None:
        wait, handled, shown, follow = _post_items(ctx, key, lease)
        acking = ack if (ack is not None and wait == 0 and not follow and not acknowledged) else None
        finished = ctx.store.finish(lease, handled, buttons.batch(shown), release=wait > 0, also=acking)
        acknowledged = acknowledged or acking is not None
        buttons.retire_replaced(ctx, key, shown, finished.buttons_before)
        for work in follow:
            work()
        if wait > 0:
            return Drained(wait, acknowledged)
        lease = finished.more
    return Drained(0.0, acknowledged)


def _post_items(ctx: SlackContext, key: str, lease: Lease) -> tuple[float, int, list[Shown], list[Callable[[], None]]]:
    """Post the lease's replies in order, until one must wait. Returns the wait, how many
    entries are handled (posted, recognised as posted, or dropped), the replies posted with
    their ts, and the work their posting calls for (announce a handoff, redraw a card)."""
    shown: list[Shown] = []
    follow: list[Callable[[], None]] = []
    home = split_key(key)[0]
    for index, item in enumerate(lease.items):
        out = Outbound.from_record(item.record)
        target = _target(ctx, key, out)
        if target is None:  # a relay before the card exists: the card shows it when posted
            continue
        if index == 0 and lease.pace_wait is not None and target[0] == home:
            wait = lease.pace_wait  # taken with the commit
        else:
            wait = ctx.pacer.wait_seconds(target[0]) if ctx.pacer is not None else 0.0
        if wait > 0:
            return wait, index, shown, follow
        if lease.attempted(index) and already_posted(ctx, target[0], target[1], item.id):
            log.info("outbox reply recognised as already posted", extra={"fields": {"key_hash": key_hash(key)}})
            continue
        if time.monotonic() - lease.taken_at > LEASE_MS / 2000 and not ctx.store.renew(lease):
            return LOCKED_RETRY_SECONDS, index, shown, follow  # lost it: the next holder looks first
        try:
            posted = _post(ctx, target, out, item)
        except RateLimited as limited:  # Slack said wait: the channel's pace is held that long
            return max(limited.seconds, 0.05), index, shown, follow
        if posted is None:
            log.error("outbox reply dropped: Slack refused every attempt",
                      extra={"fields": {"key_hash": key_hash(key), "kind": out.kind}})
            continue
        if not out.to_agent:
            shown.append(Shown(item.id, posted["ts"], out))
        if out.handoff and not out.to_agent:
            follow.append(lambda out=out: _announce(ctx, key, out))
        elif out.card_changed:
            follow.append(lambda: _redraw_card(ctx, key))
    return 0.0, len(lease.items), shown, follow


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
