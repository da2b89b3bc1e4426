"""A background sweep over open handoffs, in every bot process.

It posts any open handoff's card that never went out (the poster died, or Slack kept failing), and
re-announces a handoff nobody claimed within HANDOFF_REMIND_MINUTES, exactly once across
all processes (the reminder is claimed in Redis with SET NX before it is posted).
"""

from __future__ import annotations

import logging
import threading
import time

from bot.slack import handoffs
from bot.slack.cards import AGENT_LANG
from bot.slack.context import SlackContext
from bot.slack.web import permalink, post_with_retry

log = logging.getLogger(__name__)
REMINDER_CLAIM_TTL = 30 * 24 * 3600


def sweep(ctx: SlackContext, now: float | None = None) -> None:
    now = time.time() if now is None else now
    remind_after = ctx.settings.remind_minutes * 60
    for conv in ctx.store.open_handoffs():
        h = conv.handoff
        if h is None or not h.is_open:
            continue
        if not h.announced:  # waiting, or taken over in the prospect's thread: agents need the card
            handoffs.announce(ctx, conv.key)
            continue
        if not h.is_waiting:
            continue
        if h.reminded or now - h.created_at < remind_after:
            continue
        if not ctx.store.first_time(f"remind:{h.id}", REMINDER_CLAIM_TTL):
            continue
        minutes = int(remind_after // 60) or 1
        link = permalink(ctx, h.card_channel, h.card_ts) or ""
        text = ctx.say("reminder", AGENT_LANG, minutes=minutes, link=link)
        if post_with_retry(ctx, channel=ctx.settings.agent_channel_id, text=text) is not None:
            handoffs.desk(ctx).mark(conv.key, h.id, reminded=True)
            log.info("handoff reminder sent")
        else:
            ctx.store.forget(f"remind:{h.id}")  # not sent: the next sweep tries again


def interval_seconds(ctx: SlackContext) -> float:
    """Often enough to remind on time, never busier than five times a second."""
    return min(30.0, max(0.2, ctx.settings.remind_minutes * 60 / 4))


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
