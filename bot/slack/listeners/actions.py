"""Button clicks on the bot's messages: the same flow as typed text."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.slack import blocks, handoffs
from bot.slack.context import SlackContext
from bot.slack.delivery import deliver
from bot.turn import Inbound

CLICK_TTL_SECONDS = 7 * 24 * 3600
log = logging.getLogger(__name__)


def register(app: App, ctx: SlackContext) -> None:
    @app.action(re.compile(r"^bot\."))
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handle_click(ctx, body)

    @app.action("handoff.claim")
    def on_claim(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.claim(ctx, body)

    @app.action("handoff.close")
    def on_close(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.open_close_dialog(ctx, body)


def handle_click(ctx: SlackContext, body: dict[str, Any]) -> None:
    """Only the first click on a message counts: its buttons are replaced by a receipt
    before the flow moves, so a double click can't answer twice; in a channel, only the
    prospect who started the conversation can click. If the turn fails, the click is given
    back so the prospect can try again."""
    action = body["actions"][0]
    kind = action["action_id"].split(".")[1]
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    label = ((action.get("text") or {}).get("text")) or ((action.get("selected_option") or {}).get("text") or {}).get("text", "")
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    message = body.get("message") or {}
    message_ts = container.get("message_ts") or message.get("ts", "")
    user = body.get("user") or {}
    is_dm = channel.startswith("D")
    root = None if is_dm else (message.get("thread_ts") or container.get("thread_ts") or message_ts)
    key = ctx.conversation_key(channel, root)
    conv = ctx.store.load(key)
    lang = conv.lang if conv else "ja"
    prospect = conv.meta.get("user") if conv else None
    if prospect and user.get("id") != prospect:
        # In a shared channel anyone can see the buttons; only the prospect answers them.
        handoffs.refuse(ctx, channel, user.get("id", ""), ctx.say("refuse_not_your_conversation", lang), root)
        return
    click = f"click:{channel}:{message_ts}"
    if not ctx.store.first_time(click, CLICK_TTL_SECONDS):
        return
    receipt = ctx.say("clicked", lang, user=user.get("name") or user.get("username") or "", label=label)
    retired = False
    try:
        if message.get("blocks"):
            try:
                ctx.client.chat_update(
                    channel=channel, ts=message_ts, text=blocks.fallback_text(message.get("text") or label),
                    blocks=blocks.answered_blocks(message["blocks"], receipt),
                )
                retired = True
            except SlackApiError as exc:  # the click still counts; only the receipt is missing
                log.warning("retiring clicked buttons failed (%s)", exc.response.get("error"))
        outs = ctx.engine.handle(key, Inbound(text=label, action=kind, value=value, user=user.get("id")))
    except Exception:
        # Nothing happened: give the click back (and the buttons) so the prospect can retry.
        ctx.store.forget(click)
        if retired:
            try:
                ctx.client.chat_update(channel=channel, ts=message_ts, text=blocks.fallback_text(message.get("text") or label),
                                       blocks=message["blocks"])
            except SlackApiError:
                pass
        raise
    deliver(ctx, key, channel, root, outs)
