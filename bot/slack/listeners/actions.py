"""Button clicks on the bot's messages: the same flow as typed text."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.slack import blocks, handoffs
from bot.slack.codec import PROSPECT_PREFIX, AgentAction, Click, parse_click
from bot.slack.context import SlackContext
from bot.slack.outbox import send
from bot.slack.web import refuse
from bot.turn import Inbound

CLICK_TTL_SECONDS = 7 * 24 * 3600
log = logging.getLogger(__name__)


def register(app: App, ctx: SlackContext) -> None:
    @app.action(re.compile(rf"^{re.escape(PROSPECT_PREFIX)}"))
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handle_click(ctx, body)

    @app.action(AgentAction.CLAIM.value)
    def on_claim(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.claim(ctx, parse_click(body))

    @app.action(AgentAction.CLOSE.value)
    def on_close(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.open_close_dialog(ctx, parse_click(body))


def handle_click(ctx: SlackContext, body: dict[str, Any]) -> None:
    """Only the first click on a message counts: its buttons are replaced by a receipt
    before the flow moves, so a double click can't answer twice; in a channel, only the
    prospect who started the conversation can click. If the turn fails, the click is given
    back so the prospect can try again."""
    click = parse_click(body)
    key = ctx.conversation_key(click.channel, click.root)
    conv = ctx.store.load(key)
    if conv is None:
        # A button on a message that belongs to no conversation (forged, or its state is gone):
        # nothing changes; the clicker is told privately.
        refuse(ctx, click.channel, click.user_id, ctx.say("click_expired", "ja"), click.root)
        return
    lang = conv.lang
    prospect = conv.meta.get("user")
    if prospect and click.user_id != prospect:
        # In a shared channel anyone can see the buttons; only the prospect answers them.
        refuse(ctx, click.channel, click.user_id, ctx.say("refuse_not_your_conversation", lang), click.root)
        return
    once = f"click:{click.channel}:{click.message_ts}"
    if not ctx.store.first_time(once, CLICK_TTL_SECONDS):
        return
    receipt = ctx.say("clicked", lang, user=click.user_name, label=click.label)
    retired = False
    try:
        retired = _retire_buttons(ctx, click, receipt)
        # An action this app did not make goes to the engine by its name as sent: the engine
        # answers a click it does not know as not understood (it never reads the label as text).
        inbound = Inbound(text=click.label, action=click.action or click.name, value=click.value, user=click.user_id,
                          id=f"click:{click.channel}:{click.message_ts}")
        ctx.engine.handle(key, inbound, outbox=True)
    except Exception:
        # Nothing happened: give the click back (and the buttons) so the prospect can retry.
        ctx.store.forget(once)
        if retired:
            _restore_buttons(ctx, click)
        raise
    send(ctx, key)


def _retire_buttons(ctx: SlackContext, click: Click, receipt: str) -> bool:
    """Replace the clicked message's buttons by the receipt; True if Slack took it."""
    if not click.message_blocks:
        return False
    try:
        ctx.client.chat_update(channel=click.channel, ts=click.message_ts, text=_fallback(click),
                               blocks=blocks.answered_blocks(click.message_blocks, receipt))
        return True
    except SlackApiError as exc:  # the click still counts; only the receipt is missing
        log.warning("retiring clicked buttons failed (%s)", exc.response.get("error"))
        return False


def _restore_buttons(ctx: SlackContext, click: Click) -> None:
    try:
        ctx.client.chat_update(channel=click.channel, ts=click.message_ts, text=_fallback(click), blocks=click.message_blocks)
    except SlackApiError:
        pass


def _fallback(click: Click) -> str:
    return blocks.fallback_text(click.message_text or click.label)
