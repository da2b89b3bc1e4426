"""A background sweep over open handoffs, in every bot process.

It posts any open handoff's card that never went out (the poster died, or Slack kept failing),
keeps waiting cards' "待機中 N分" current, and escalates until someone answers:

- a normal handoff unclaimed HANDOFF_REMIND_MINUTES (business time) after it started waiting
  is re-announced, then again after twice that, four times that... up to
  HANDOFF_REMIND_MAX_MINUTES between reminders;
- an urgent one has mentioned ONCALL_MENTION at once (announce) and is re-announced, with
  the mention, every URGENT_REMIND_MINUTES (wall time: incidents don't keep office hours).

Each reminder is claimed in Redis (SET NX, named by handoff, wait and number) before it is
posted, so it happens once across processes; each names the customer and how long they have
waited, and links to the card. The claim is a lease (REMINDER_LEASE_SECONDS) until the post is
out, then kept for good: a process that dies between its claim and its post leaves a claim that
runs out, and the next sweep reminds. A reminder is an alarm, so the trade goes the other way
from silence: a process that dies after its post but before it marks the claim may let a second
reminder go out after the lease.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from bot.flows.model import HandoffRecord
from bot.slack import card_view, cards
from bot.slack.card_facts import card_facts
from bot.slack.context import SlackContext
from bot.slack.outbox import send
from bot.slack.web import permalink, post_with_retry
from bot.when import waited_minutes

log = logging.getLogger(__name__)
REMINDER_CLAIM_TTL = 30 * 24 * 3600
REMINDER_LEASE_SECONDS = 300
"""Longer than a post with all its retries and a rate limit's wait, so a live poster's claim
does not run out under it; short enough that a dead one's reminder is only minutes late."""


def due_at(ctx: SlackContext, h: HandoffRecord) -> float:
    """When the next reminder of this wait is due."""
    if h.next_remind_at is not None:
        return h.next_remind_at
    since = h.waiting_since or h.created_at
    return _after(ctx, h, since, 0)


def _after(ctx: SlackContext, h: HandoffRecord, since: float, sent: int) -> float:
    """`since` plus the interval before reminder number `sent + 1`."""
    s = ctx.settings
    if h.urgent:
        return since + s.urgent_remind_minutes * 60
    minutes = min(s.remind_minutes * (2 ** sent), max(s.remind_max_minutes, s.remind_minutes))
    return ctx.hours.add_business_seconds(since, minutes * 60)


def sweep(ctx: SlackContext, now: float | None = None) -> None:
    now = ctx.clock() if now is None else now
    for conv in ctx.store.open_handoffs():
        h = conv.handoff
        if h is None or not h.is_open:
            continue
        if not h.announced:  # waiting, or taken over in the prospect's thread: agents need the card
            card_view.announce(ctx, conv.key)
            continue
        if not h.is_waiting:
            continue
        if now >= due_at(ctx, h):
            _remind(ctx, conv, h, now)
        elif _tick(ctx, h, now):
            card_view.refresh_card(ctx, conv)


def _remind(ctx: SlackContext, conv, h: HandoffRecord, now: float) -> None:
    number = h.reminders + 1
    claim = f"remind:{h.id}:{int(h.waiting_since or h.created_at)}:{number}"
    token = ctx.store.lease_once(claim, REMINDER_LEASE_SECONDS)
    if token is None:
        return
    facts = dataclasses.replace(card_facts(ctx, conv), now=now)  # the sweep's clock, not the wall's
    link = permalink(ctx, h.card_channel, h.card_ts)
    mention = ctx.settings.oncall_mention if h.urgent else ""
    text = cards.reminder_text(ctx.content, h, facts, link, mention)
    if post_with_retry(ctx, channel=ctx.settings.agent_channel_id, text=text, unfurl_links=False) is None:
        ctx.store.forget(claim, token)  # not sent: the next sweep tries again
        return
    try:
        if not ctx.store.keep(claim, token, REMINDER_CLAIM_TTL):  # out: no other process sends this one
            log.warning("handoff reminder outlived its claim", extra={"fields": {"handoff": h.id, "number": number}})
    except Exception as exc:  # still mark it sent below, if Redis lets us
        log.warning("keeping a reminder's claim failed: %s", type(exc).__name__)
    marked = card_view.desk(ctx).reminded(conv.key, h.id, number, _after(ctx, h, now, number))
    log.info("handoff reminder sent", extra={"fields": {"handoff": h.id, "number": number, "urgent": h.urgent}})
    if marked is not None:
        send(ctx, conv.key)  # the prospect's "we've reminded the agents", after the first
        fresh = ctx.store.load(conv.key)
        if fresh is not None:
            card_view.refresh_card(ctx, fresh)


def _tick(ctx: SlackContext, h: HandoffRecord, now: float) -> bool:
    """Should a waiting card's "待機中 N分" be redrawn now? Every minute for the first ten,
    every five up to an hour, every fifteen after; once across processes."""
    minutes = waited_minutes(ctx.hours, h.waiting_since or h.created_at, now, h.urgent)
    step = 1 if minutes < 10 else 5 if minutes < 60 else 15
    if minutes < 1 or minutes % step:
        return False
    return ctx.store.first_time(f"tick:{h.id}:{int(h.waiting_since or h.created_at)}:{minutes}", 3600)


def interval_seconds(ctx: SlackContext) -> float:
    """Often enough to remind on time, never busier than five times a second."""
    shortest = min(ctx.settings.remind_minutes, ctx.settings.urgent_remind_minutes)
    return min(30.0, max(0.2, shortest * 60 / 4))


def start_background(ctx: SlackContext) -> threading.Thread:
    def loop() -> None:
        while True:
            time.sleep(interval_seconds(ctx))
            try:
                sweep(ctx)
            except Exception as exc:  # keep sweeping; Redis or Slack may come back
                log.warning("handoff sweep failed: %s", type(exc).__name__)

    thread = threading.Thread(target=loop, name="handoff-sweeper", daemon=True)
    thread.start()
    return thread
