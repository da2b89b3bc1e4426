"""`/cyber-quote`: start a quote in a DM, or answer an FAQ question privately."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.slack.context import SlackContext
from bot.slack.outbox import send
from bot.normalize import detect_language
from bot.turn import Action, Inbound

log = logging.getLogger(__name__)


def register(app: App, ctx: SlackContext) -> None:
    @app.command("/cyber-quote")
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        lang = detect_language(text) if text else "ja"
        if text:
            ack(response_type="ephemeral", text=faq_reply(ctx, text, lang))
            return
        try:
            channel = ctx.client.conversations_open(users=command["user_id"])["channel"]["id"]
        except SlackApiError as exc:  # e.g. a Slack Connect guest the app can't DM
            log.warning("conversations.open failed (%s)", exc.response.get("error"))
            ack(response_type="ephemeral", text=ctx.say("slash_dm_failed", lang))
            return
        ack(response_type="ephemeral", text=ctx.say("slash_started", lang))
        start_dm(ctx, channel, lang)


def faq_reply(ctx: SlackContext, question: str, lang: str) -> str:
    hit = ctx.engine.faq.match(question)
    if hit is None:
        return ctx.say("out_of_scope", lang)
    return ctx.engine.faq.answer(hit.id, lang)


def start_dm(ctx: SlackContext, channel: str, lang: str) -> None:
    key = ctx.conversation_key(channel, None)
    ctx.engine.handle(key, Inbound(action=Action.START, value=lang), outbox=True)
    send(ctx, key)
