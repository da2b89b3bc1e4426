"""What a card says about the prospect that only Slack knows: their name and company."""

from __future__ import annotations

import functools

from slack_sdk.errors import SlackApiError

from bot.flows.model import Conversation
from bot.slack.cards import CardFacts
from bot.slack.context import SlackContext
from bot.slack.web import permalink


def card_facts(ctx: SlackContext, conv: Conversation) -> CardFacts:
    """Who the prospect is (display name, and their company for a Slack Connect prospect)."""
    user, team = conv.meta.get("user"), conv.meta.get("team")
    name = None
    if user:
        try:
            person = ctx.who(user, team)
            name, team = person.name, person.team or team
        except SlackApiError:
            pass
    return CardFacts(name, ctx.company(team), ctx.clock(), ctx.hours, functools.partial(permalink, ctx))
