"""Prospects' messages: channel threads, DMs, Slack Connect, and mentions of the app."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.slack import handoffs
from bot.slack.context import SlackContext
from bot.slack.delivery import deliver
from bot.slack.text import plain_text
from bot.turn import Inbound

log = logging.getLogger(__name__)

# Message subtypes that are a person writing. Everything else (edits, deletions, joins,
# channel topic changes, bot messages...) is not a turn of the conversation.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
SEEN_TTL_SECONDS = 24 * 3600


def register(app: App, ctx: SlackContext) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        handle_prospect_message(ctx, event)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        handle_prospect_message(ctx, event)


def is_person_message(ctx: SlackContext, event: dict[str, Any]) -> bool:
    return (
        event.get("subtype") in PERSON_SUBTYPES
        and not event.get("bot_id")
        and not event.get("hidden")
        and bool(event.get("user"))
        and event.get("user") != ctx.bot_user_id
    )


def handle_prospect_message(ctx: SlackContext, event: dict[str, Any]) -> None:
    """One prospect message, processed once.

    A message reaches the app up to twice (a `message` event and, when it mentions the app,
    an `app_mention`), and Slack redelivers when it doesn't hear back in time: the message's
    own identity (channel and ts) is claimed in Redis first, so only one delivery acts.
    """
    if not is_person_message(ctx, event):
        return
    channel, ts = event.get("channel", ""), event.get("ts", "")
    thread_ts = event.get("thread_ts")
    if channel == ctx.settings.agent_channel_id:
        if thread_ts and ctx.store.first_time(f"msg:{channel}:{ts}", SEEN_TTL_SECONDS):
            handoffs.relay_from_agent(ctx, event)
        return
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    root = None if is_dm else (thread_ts or ts)
    key = ctx.conversation_key(channel, root)
    raw = event.get("text") or ""
    mentioned = event.get("type") == "app_mention" or bool(ctx.bot_user_id and f"<@{ctx.bot_user_id}>" in raw)
    in_thread = not is_dm and thread_ts and thread_ts != ts
    if in_thread and not mentioned and ctx.store.load(key) is None:
        return  # a thread under someone else's message, where nobody called the bot
    text = plain_text(raw, ctx.bot_user_id)
    if not text:
        files = event.get("files") or []
        conv = ctx.store.load(key) if files else None
        if conv is None or conv.state != "with_person":
            return  # a file alone, or an empty message: nothing for the bot to answer
        text = ctx.say("file_shared", conv.lang, files=", ".join(_file_ref(f) for f in files))
    if not ctx.store.first_time(f"msg:{channel}:{ts}", SEEN_TTL_SECONDS):
        return
    outs = ctx.engine.handle(key, Inbound(text=text, user=event.get("user")))
    deliver(ctx, key, channel, root, outs)


def _file_ref(file: dict[str, Any]) -> str:
    """A shared file as the agent sees it relayed: its name and link (the file stays in Slack)."""
    name = file.get("name") or file.get("title") or "file"
    link = file.get("permalink")
    return f"{name} ({link})" if link else name
