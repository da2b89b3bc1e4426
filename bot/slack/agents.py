"""Who is an agent: a home-workspace member of the agent channel (bot/slack/people.py).

Membership comes from the context's MembershipCache, so asking on every claim, close and relay
costs Slack at most one call a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.slack.context import SlackContext
from bot.slack.people import Kind


@dataclass
class Agent:
    id: str
    name: str
    icon: str | None


def agent_channel_members(ctx: SlackContext) -> frozenset[str]:
    return ctx.members.members(ctx.client, ctx.settings.agent_channel_id)


def verified_agent(ctx: SlackContext, user_id: str, claimed_team: str | None) -> Agent | None:
    """A member of the agent channel whose account belongs to the home workspace; else None.
    Slack Connect guests can sit in a shared agent channel, so membership alone is not enough,
    and a request that names another workspace is not an agent's whatever the profile says."""
    if claimed_team and claimed_team != ctx.home_team:
        return None
    try:
        person = ctx.who(user_id, claimed_team)
    except SlackApiError:
        return None
    if person.kind is not Kind.AGENT:
        return None
    return Agent(user_id, person.name or user_id, person.icon)
