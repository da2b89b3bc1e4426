"""Agents' actions on a handoff: claim, release, assign, close, reopen, and taking it over by
writing in the prospect's thread.

Every action is checked by `agent_action` before it runs: only a verified agent (agents.py)
reaches the handler, anyone else is refused privately. What the prospect is told leaves
through the conversation's outbox, written with the action.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import NamedTuple, Protocol, TypeVar

from bot.handoffs import AgentResult, HandoffRefused
from bot.logs import key_hash
from bot.slack import buttons, cards
from bot.slack.agents import Agent, verified_agent
from bot.slack.card_view import announce, desk, refresh_card
from bot.slack.cards import AGENT_LANG
from bot.slack.codec import Click, CloseSubmission, parse_value
from bot.slack.context import SlackContext
from bot.slack.outbox import send
from bot.slack.people import Person
from bot.slack.web import refuse

log = logging.getLogger(__name__)


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
    """A card's click is answered in the agent channel (a click in App Home too: Home has no
    place for a private notice, and every agent is in that channel)."""
    return Place(click.channel if click.channel and not click.view_type else ctx.settings.agent_channel_id)


def told_nothing(ctx: SlackContext, request: FromSomeone) -> None:
    """A modal submission: only a verified agent could open the modal; anyone else gets silence."""
    return None


# -- agent actions -----------------------------------------------------------------------------


def _clicked(click: Click, place: Place) -> tuple[str, str] | None:
    return (place.channel, click.message_ts) if click.message_ts and not click.view_type else None


def _button(ctx: SlackContext, agent: Agent, click: Click, act: Callable[[str, str], AgentResult]) -> None:
    """A card (or Home) button whose value names the handoff: `act(key, handoff_id)`, settled."""
    key, handoff_id = parse_value(click.value)
    place = on_card(ctx, click)
    _settle(ctx, agent, place, lambda: act(key, handoff_id), _clicked(click, place))


@agent_action(on_card)
def claim(ctx: SlackContext, agent: Agent, click: Click) -> None:
    _button(ctx, agent, click, lambda key, hid: desk(ctx).claim(key, hid, agent.id, agent.name))


@agent_action(on_card)
def release(ctx: SlackContext, agent: Agent, click: Click) -> None:
    _button(ctx, agent, click, lambda key, hid: desk(ctx).release(key, hid, agent.id))


@agent_action(on_card)
def reopen(ctx: SlackContext, agent: Agent, click: Click) -> None:
    _button(ctx, agent, click, lambda key, hid: desk(ctx).reopen(key, hid, agent.id, agent.name))


@agent_action(on_card)
def assign(ctx: SlackContext, agent: Agent, click: Click) -> None:
    """The card's user picker: only an agent can be picked (anyone else is refused, nothing
    changes). The card is found by the message it is on (a users_select carries no value)."""
    place = on_card(ctx, click)
    card = ctx.store.card(place.channel, click.message_ts) if click.message_ts else None
    if card is None or not click.selected_user:
        return
    chosen = verified_agent(ctx, click.selected_user, None)
    if chosen is None:
        refuse(ctx, place.channel, agent.id, ctx.say("refuse_assign_not_agent", AGENT_LANG, user=f"<@{click.selected_user}>"))
        return
    _settle(ctx, agent, place, lambda: desk(ctx).assign(card.key, card.handoff_id, agent.id, chosen.id, chosen.name),
            _clicked(click, place))


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
    _settle(ctx, agent, place, lambda: desk(ctx).close(key, handoff_id, agent.id, submission.outcome, submission.note))


def _settle(ctx: SlackContext, agent: Agent, place: Place, act: Callable[[], AgentResult],
            clicked: tuple[str, str] | None = None) -> None:
    """Do a desk action and show what it did: the card redrawn and the prospect told (through
    the outbox, written with the action); or, if it was refused, the agent told why (a handoff
    that is gone needs no explaining)."""
    try:
        result = act()
    except HandoffRefused as refused:
        if refused.why != "gone":
            refuse(ctx, place.channel, agent.id, cards.refusal_text(ctx.content, refused))
        return
    refresh_card(ctx, result.conversation, clicked)
    if result.handoff.status != "waiting":
        buttons.retire(ctx, result.conversation.key)  # the notice's cancel button: a person has it
    send(ctx, result.conversation.key)


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
