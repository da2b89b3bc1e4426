"""The agent channel: handoff cards, claims, relay both ways, close, reminders.

Order is what keeps a prospect from being dropped: the engine has already committed the
handoff to Redis when `announce` runs; the card is posted with retries, and a waiting
handoff whose card never went out is posted again by the sweeper (reminders.py).

Every agent action is checked by `agent_action` before it runs: only a verified agent
(agents.py) reaches the handler, anyone else is refused privately.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

from slack_sdk.errors import SlackApiError

from bot.flows.model import Conversation
from bot.logs import key_hash
from bot.handoffs import AgentResult, HandoffDesk, HandoffRefused
from bot.slack import buttons, cards
from bot.slack.agents import Agent, verified_agent
from bot.slack.people import Person
from bot.slack.cards import AGENT_LANG
from bot.slack.codec import Click, CloseSubmission, parse_value, split_key
from bot.slack.context import SlackContext
from bot.slack.posted import already_posted, metadata
from bot.slack.text import agent_text, plain_text
from bot.slack.web import permalink, post_reply, post_with_retry, refuse
from bot.store import CardRef
from bot.turn import Outbound

log = logging.getLogger(__name__)

ANNOUNCE_LOCK_SECONDS = 30


def desk(ctx: SlackContext) -> HandoffDesk:
    return HandoffDesk(ctx.store, ctx.content)


# -- the agent check ---------------------------------------------------------------------------


class Place(NamedTuple):
    """Where a refusal is shown (privately, to the one who tried)."""

    channel: str
    thread_ts: str | None = None


class FromSomeone(Protocol):
    user_id: str
    user_team: str | None


R = TypeVar("R", bound=FromSomeone)


def agent_action(where: Callable[[SlackContext, R], Place | None]) -> Callable[
        [Callable[[SlackContext, Agent, R], None]], Callable[[SlackContext, R], None]]:
    """Run the handler only for a verified agent, with that Agent; tell anyone else, at
    `where(ctx, request)`, that agents only may do this (None: tell them nothing)."""

    def decorate(handler: Callable[[SlackContext, Agent, R], None]) -> Callable[[SlackContext, R], None]:
        @functools.wraps(handler)
        def run(ctx: SlackContext, request: R) -> None:
            agent = verified_agent(ctx, request.user_id, request.user_team)
            if agent is not None:
                handler(ctx, agent, request)
                return
            place = where(ctx, request)
            if place is not None:
                refuse(ctx, place.channel, request.user_id, ctx.say("refuse_not_agent", AGENT_LANG), place.thread_ts)

        return run

    return decorate


def on_card(ctx: SlackContext, click: Click) -> Place:
    return Place(click.channel or ctx.settings.agent_channel_id)


def told_nothing(ctx: SlackContext, request: FromSomeone) -> None:
    """A modal submission: only a verified agent could open the modal; anyone else gets silence."""
    return None


# -- announcing ------------------------------------------------------------------------------


def announce(ctx: SlackContext, key: str) -> bool:
    """Post the card for the conversation's handoff unless it is already out. One process
    posts at a time (a short Redis lock); failures are retried with backoff, and whatever
    is still unposted is picked up by the sweeper. Returns True once the card is out."""
    conv = ctx.store.load(key)
    if conv is None or conv.handoff is None or conv.handoff.announced or not conv.handoff.is_open:
        return True
    with ctx.store.try_lock(f"announce:{conv.handoff.id}", timeout_seconds=ANNOUNCE_LOCK_SECONDS) as locked:
        if not locked:
            return False
        conv = ctx.store.load(key)  # re-read under the lock: another process may have posted
        if conv is None or conv.handoff is None or conv.handoff.announced:
            return True
        handoff = conv.handoff
        card = _card_blocks(ctx, conv)
        text = cards.card_fallback(ctx.content, handoff)
        posted = post_with_retry(ctx, channel=ctx.settings.agent_channel_id, text=text, blocks=card)
        if posted is None:
            return False
        ts = posted["ts"]
        ctx.store.put_card(ctx.settings.agent_channel_id, ts, key, handoff.id)
        desk(ctx).mark(key, handoff.id, announced=True, card_channel=ctx.settings.agent_channel_id, card_ts=ts)
        log.info("handoff announced", extra={"fields": {"key_hash": key_hash(key), "handoff": handoff.id,
                                                          "urgent": handoff.urgent, "reason": handoff.reason}})
        return True


def _card_blocks(ctx: SlackContext, conv: Conversation) -> list[dict[str, Any]]:
    assert conv.handoff is not None
    recent = ctx.store.transcript(conv.key, last=cards.RECENT_LINES)
    return cards.card_blocks(ctx.content, conv, conv.handoff, recent, functools.partial(permalink, ctx))


def refresh_card(ctx: SlackContext, conv: Conversation, clicked: tuple[str, str] | None = None) -> None:
    """Redraw the handoff's card. `clicked` is where an agent clicked it: an agent can click a
    card the moment it appears, before the announcing process has recorded where it posted it."""
    h = conv.handoff
    if h is None:
        return
    channel, ts = (h.card_channel, h.card_ts) if h.card_ts and h.card_channel else (clicked or (None, None))
    if not channel or not ts:
        return
    try:
        ctx.client.chat_update(channel=channel, ts=ts, text=cards.card_fallback(ctx.content, h), blocks=_card_blocks(ctx, conv))
    except SlackApiError as exc:
        log.warning("card update failed (%s)", exc.response.get("error"))


# -- agent actions -----------------------------------------------------------------------------


@agent_action(on_card)
def claim(ctx: SlackContext, agent: Agent, click: Click) -> None:
    key, handoff_id = parse_value(click.value)
    place = on_card(ctx, click)
    clicked = (place.channel, click.message_ts) if click.message_ts else None
    _settle(ctx, agent, place, lambda: desk(ctx).claim(key, handoff_id, agent.id, agent.name), clicked)


@agent_action(on_card)
def open_close_dialog(ctx: SlackContext, agent: Agent, click: Click) -> None:
    """The owner's close button: the modal that asks for the outcome (anyone else is refused)."""
    key, handoff_id = parse_value(click.value)
    conv = ctx.store.load(key)
    h = conv.handoff if conv else None
    if h is None or h.id != handoff_id or h.status != "claimed" or h.agent_id != agent.id:
        why = "closed" if h is not None and h.status == "closed" else "not_owner"
        refused = HandoffRefused(why, h.agent_name if h else None)
        refuse(ctx, on_card(ctx, click).channel, agent.id, cards.refusal_text(ctx.content, refused))
        return
    ctx.client.views_open(trigger_id=click.trigger_id, view=cards.close_dialog(ctx.content, click.value))


@agent_action(told_nothing)
def close(ctx: SlackContext, agent: Agent, submission: CloseSubmission) -> None:
    key, handoff_id = parse_value(submission.value)
    place = Place(ctx.settings.agent_channel_id)
    _settle(ctx, agent, place, lambda: desk(ctx).close(key, handoff_id, agent.id, submission.outcome))


def _settle(ctx: SlackContext, agent: Agent, place: Place, act: Callable[[], AgentResult],
            clicked: tuple[str, str] | None = None) -> None:
    """Do a desk action and show what it did: the card redrawn and the prospect told; or, if it
    was refused, the agent told why (a handoff that is gone needs no explaining)."""
    try:
        result = act()
    except HandoffRefused as refused:
        if refused.why != "gone":
            refuse(ctx, place.channel, agent.id, cards.refusal_text(ctx.content, refused))
        return
    refresh_card(ctx, result.conversation, clicked)
    if result.handoff.status != "waiting":
        buttons.retire(ctx, result.conversation.key)  # the notice's cancel button: a person has it
    _tell_prospect(ctx, result.conversation.key, result.to_prospect)


def agent_took_over(ctx: SlackContext, key: str, author: Person, text: str, message_id: str) -> None:
    """An agent wrote in the prospect's thread: the conversation is theirs (claimed on the card,
    or recorded as a handoff they already have), and the bot is silent there until it is closed."""
    name = author.name or author.id
    try:
        result = desk(ctx).take_over(key, author.id, name, text, message_id)
    except HandoffRefused:
        return
    if result is None:
        return
    log.info("agent took the conversation over in its thread", extra={"fields": {"key_hash": key_hash(key),
                                                                                    "handoff": result.handoff.id}})
    buttons.retire(ctx, key)
    if result.handoff.announced:
        refresh_card(ctx, result.conversation)
    else:
        announce(ctx, key)


def _tell_prospect(ctx: SlackContext, key: str, out: Outbound | None) -> None:
    if out is None:
        return
    channel, root = split_key(key)
    post_reply(ctx, channel, root, out)


# -- relay -------------------------------------------------------------------------------------


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
    """An agent's reply in a card's thread: to the prospect, as the agent, if they own it.
    `again`: this message was taken before (a crash may have come before or after its relay):
    it is relayed only if the prospect's thread does not already show it."""
    channel, thread_ts = event.get("channel", ""), event.get("thread_ts", "")
    card = ctx.store.card(channel, thread_ts)
    if card is None:
        return  # agents talking among themselves
    _relay_reply(ctx, CardReply(channel, thread_ts, event.get("user", ""), event.get("user_team"), event.get("text") or "",
                                card, event.get("ts", ""), again))


def in_card_thread(ctx: SlackContext, reply: CardReply) -> Place:
    return Place(reply.channel, reply.thread_ts)


@agent_action(in_card_thread)
def _relay_reply(ctx: SlackContext, agent: Agent, reply: CardReply) -> None:
    if not plain_text(reply.text, ctx.bot_user_id):
        return
    text = agent_text(reply.text, ctx.bot_user_id)
    key = reply.card.key
    prospect_channel, root = split_key(key)
    relay_id = f"agent:{reply.channel}:{reply.ts}"
    if reply.again and already_posted(ctx, prospect_channel, root, relay_id):
        return
    try:
        desk(ctx).agent_said(key, reply.card.handoff_id, agent.id, text)
    except HandoffRefused as refused:
        conv = ctx.store.load(key)
        waiting = conv is not None and conv.handoff is not None and conv.handoff.status == "waiting"
        message = ctx.say("refuse_claim_first", AGENT_LANG) if waiting else cards.refusal_text(ctx.content, refused)
        refuse(ctx, reply.channel, reply.user_id, message, reply.thread_ts)
        return
    post_with_retry(ctx, channel=prospect_channel, thread_ts=root, text=text, username=agent.name,
                    icon_url=agent.icon, unfurl_links=False, metadata=metadata(relay_id))
