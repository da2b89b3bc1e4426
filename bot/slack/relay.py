"""Card threads: only the owner speaks to the prospect from there.

The owner's messages are relayed as the owner (and marked ✅ once out), except those starting
with `//` or `メモ:`, which stay inside; everyone else's are internal notes, and each person is
told so once per handoff. Editing or deleting a relayed message edits or deletes the copy the
prospect sees.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.flows.model import Conversation, HandoffRecord
from bot.handoffs import HandoffRefused
from bot.slack.card_view import desk
from bot.slack.cards import AGENT_LANG
from bot.slack.codec import split_key
from bot.slack.context import SlackContext
from bot.slack.people import Kind
from bot.slack.posted import already_posted, metadata
from bot.slack.text import agent_text, plain_text
from bot.slack.web import post_with_retry, refuse
from bot.store import CardRef, Turn
from bot.transcript import entry

log = logging.getLogger(__name__)

HINT_TTL_SECONDS = 90 * 24 * 3600
RELAYED_REACTION = "white_check_mark"
# An owner's message that starts like this stays in the agent channel (an internal note).
NOTE_PREFIX = re.compile(r"^\s*(//|メモ\s*[:：]|memo\s*:|note\s*:)", re.IGNORECASE)


def is_note(text: str) -> bool:
    return bool(NOTE_PREFIX.match(text))


@dataclass(frozen=True)
class CardReply:
    """A message in a card's thread, and the handoff that card shows."""

    channel: str
    thread_ts: str
    user_id: str
    user_team: str | None
    text: str
    card: CardRef
    ts: str = ""
    again: bool = False


def relay_from_agent(ctx: SlackContext, event: dict[str, Any], again: bool = False) -> None:
    """A message in a card's thread: to the prospect, as the agent, if the owner wrote it and
    it is not a note. `again`: this message was taken before (a crash may have come before or
    after its relay): it is relayed only if the prospect's thread does not already show it."""
    channel, thread_ts = event.get("channel", ""), event.get("thread_ts", "")
    card = ctx.store.card(channel, thread_ts)
    if card is None:
        return  # agents talking among themselves
    _relay_reply(ctx, CardReply(channel, thread_ts, event.get("user", ""), event.get("user_team"), event.get("text") or "",
                                card, event.get("ts", ""), again))


def _relay_reply(ctx: SlackContext, reply: CardReply) -> None:
    if not plain_text(reply.text, ctx.bot_user_id):
        return
    try:
        writer = ctx.who(reply.user_id, reply.user_team)
    except SlackApiError:
        return
    if writer.kind is not Kind.AGENT or (reply.user_team and reply.user_team != ctx.home_team):
        return  # a guest in a shared agent channel: never relayed, never answered
    key = reply.card.key
    conv = ctx.store.load(key)
    h = conv.handoff if conv else None
    if conv is None or h is None or h.id != reply.card.handoff_id:
        return
    owner = h.status == "claimed" and h.agent_id == writer.id
    if not owner:
        _hint_once(ctx, reply, h)
        return
    if is_note(reply.text):
        return
    text = agent_text(reply.text, ctx.bot_user_id)
    prospect_channel, root = split_key(key)
    relay_id = f"agent:{reply.channel}:{reply.ts}"
    if reply.again and already_posted(ctx, prospect_channel, root, relay_id):
        return
    try:
        desk(ctx).agent_said(key, reply.card.handoff_id, writer.id, text)
    except HandoffRefused:
        return
    posted = post_with_retry(ctx, channel=prospect_channel, thread_ts=root, text=text, username=writer.name or writer.id,
                             icon_url=writer.icon, unfurl_links=False, metadata=metadata(relay_id))
    if posted is None:  # Slack answered every try with an error: the owner must know it did not go
        # (no answer at all raises instead, and the inbox delivers this message again later)
        refuse(ctx, reply.channel, writer.id, ctx.say("relay_failed", AGENT_LANG), reply.thread_ts)
        return
    ctx.store.put_relay(reply.channel, reply.ts, prospect_channel, posted["ts"], key)
    try:
        ctx.client.reactions_add(channel=reply.channel, timestamp=reply.ts, name=RELAYED_REACTION)
    except SlackApiError as exc:
        log.warning("marking a relayed message failed (%s)", exc.response.get("error"))


def _hint_once(ctx: SlackContext, reply: CardReply, h: HandoffRecord) -> None:
    """Someone other than the owner wrote in the card's thread: an internal note. They are
    told so once per handoff (privately), with what to do if they meant the prospect."""
    if not ctx.store.first_time(f"note_hint:{h.id}:{reply.user_id}", HINT_TTL_SECONDS):
        return
    if h.status == "waiting":
        text = ctx.say("note_hint_unclaimed", AGENT_LANG)
    elif h.status == "claimed":
        text = ctx.say("note_hint_owner", AGENT_LANG, agent=h.agent_name or "—")
    else:
        text = ctx.say("note_hint_ended", AGENT_LANG)
    refuse(ctx, reply.channel, reply.user_id, text, reply.thread_ts)


def mirror_change(ctx: SlackContext, event: dict[str, Any]) -> None:
    """An edit or a deletion in the agent channel: a relayed message's copy follows it (an
    edit that turns it into a note removes the copy, as a deletion does)."""
    subtype = event.get("subtype")
    channel = event.get("channel", "")
    if subtype == "message_changed":
        message = event.get("message") or {}
        ts, text, user = message.get("ts", ""), message.get("text") or "", message.get("user", "")
    else:
        ts, text, user = event.get("deleted_ts", ""), "", (event.get("previous_message") or {}).get("user", "")
    relay = ctx.store.relay(channel, ts)
    if relay is None:
        return
    if subtype == "message_changed" and not is_note(text) and plain_text(text, ctx.bot_user_id):
        new_text = agent_text(text, ctx.bot_user_id)
        try:
            ctx.client.chat_update(channel=relay.channel, ts=relay.ts, text=new_text)
        except SlackApiError as exc:
            log.warning("mirroring an edit failed (%s)", exc.response.get("error"))
            return
        _record(ctx, relay.key, user, new_text, "edited")
        return
    try:
        ctx.client.chat_delete(channel=relay.channel, ts=relay.ts)
    except SlackApiError as exc:
        if exc.response.get("error") != "message_not_found":
            log.warning("mirroring a deletion failed (%s)", exc.response.get("error"))
            return
    ctx.store.forget_relay(channel, ts)
    _record(ctx, relay.key, user, "", "deleted")


def _record(ctx: SlackContext, key: str, user: str, text: str, what: str) -> None:
    def step(current: Conversation | None) -> tuple[Turn | None, None]:
        if current is None:
            return None, None
        return Turn(current, [entry("agent" if text else "system", text or "agent message deleted", agent=user, change=what)]), None

    ctx.store.transact(key, step)
