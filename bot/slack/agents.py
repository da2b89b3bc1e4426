"""Who is an agent: a home-workspace member of the agent channel.

Membership comes from the context's MembershipCache (membership.py), so asking on every
claim, close and relay costs Slack at most one call a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.slack.context import SlackContext


@dataclass
class Agent:
    id: str
    name: str
    icon: str | None


def agent_channel_members(ctx: SlackContext) -> frozenset[str]:
    return ctx.members.members(ctx.client, ctx.settings.agent_channel_id)


def verified_agent(ctx: SlackContext, user_id: str, claimed_team: str | None) -> Agent | None:
    """A member of the agent channel whose account belongs to the home workspace; else None.
    Slack Connect guests can sit in a shared agent channel, so membership alone is not enough."""
    if claimed_team and claimed_team != ctx.home_team:
        return None
    try:
        if user_id not in agent_channel_members(ctx):
            return None
        info = ctx.client.users_info(user=user_id)["user"]
    except SlackApiError:
        return None
    if info.get("team_id") != ctx.home_team or info.get("is_restricted") or info.get("is_stranger"):
        return None
    profile = info.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or info.get("real_name") or info.get("name") or user_id
    return Agent(user_id, name, profile.get("image_72") or profile.get("image_48"))
