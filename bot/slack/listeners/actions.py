"""Button clicks on the bot's messages: the same flow as typed text."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.slack import blocks, handoffs
from bot.slack.context import SlackContext
from bot.slack.delivery import deliver
from bot.turn import Inbound

CLICK_TTL_SECONDS = 7 * 24 * 3600


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
    before the flow moves, so a double click or a second person can't answer twice."""
    action = body["actions"][0]
    kind = action["action_id"].split(".")[1]
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    label = ((action.get("text") or {}).get("text")) or ((action.get("selected_option") or {}).get("text") or {}).get("text", "")
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    message = body.get("message") or {}
    message_ts = container.get("message_ts") or message.get("ts", "")
    if not ctx.store.first_time(f"click:{channel}:{message_ts}", CLICK_TTL_SECONDS):
        return
    user = body.get("user") or {}
    is_dm = channel.startswith("D")
    root = None if is_dm else (message.get("thread_ts") or container.get("thread_ts") or message_ts)
    key = ctx.conversation_key(channel, root)
    conv = ctx.store.load(key)
    lang = conv.lang if conv else "ja"
    receipt = ctx.say("clicked", lang, user=user.get("name") or user.get("username") or "", label=label)
    if message.get("blocks"):
        ctx.client.chat_update(
            channel=channel, ts=message_ts, text=blocks.fallback_text(message.get("text") or label),
            blocks=blocks.answered_blocks(message["blocks"], receipt),
        )
    outs = ctx.engine.handle(key, Inbound(text=label, action=kind, value=value, user=user.get("id")))
    deliver(ctx, key, channel, root, outs)
