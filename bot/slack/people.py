"""Who wrote or clicked: a prospect, the insurer's staff, or an agent.

- **prospect**: a member of another workspace (Slack Connect), or a guest of this one;
- **staff**: a full member of the home workspace;
- **agent**: staff who are members of the agent channel.

The workspace comes from the event when Slack says it (`user_team`), else from `users.info`
(its `team_id`); the profile gives the name people see (display name, else real name: never
the login handle). Each person is looked up once and kept for ten minutes (a failed look-up
for half a minute), and agent-channel membership comes from the shared MembershipCache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.membership import MembershipCache
from bot.slack.ttl_cache import TtlCache

log = logging.getLogger(__name__)

PEOPLE_CACHE_SECONDS = 600.0
FAILED_LOOKUP_SECONDS = 30.0
COMPANY_CACHE_SECONDS = 3600.0  # a workspace's name rarely changes


class Kind(StrEnum):
    PROSPECT = "prospect"
    STAFF = "staff"
    AGENT = "agent"


@dataclass(frozen=True)
class Person:
    id: str
    kind: Kind
    team: str | None  # their workspace, when known
    name: str | None = None  # what Slack shows (display name, else real name); None if unknown
    icon: str | None = None

    @property
    def is_staff(self) -> bool:
        """The insurer's own people (agents included)."""
        return self.kind is not Kind.PROSPECT


@dataclass(frozen=True)
class _Profile:
    team: str | None
    guest: bool
    name: str | None
    icon: str | None


@dataclass
class People:
    home_team: str
    agent_channel: str
    members: MembershipCache
    _profiles: TtlCache[str, _Profile | None] = field(init=False, repr=False)
    _companies: TtlCache[str, str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._profiles = TtlCache(PEOPLE_CACHE_SECONDS, max_size=20_000)
        self._companies = TtlCache(COMPANY_CACHE_SECONDS, max_size=5_000)

    def company(self, client: WebClient, team_id: str | None) -> str | None:
        """The name of a prospect's workspace (their company, for a Slack Connect prospect),
        from `team.info`; None for the home workspace (a guest of ours has no company we
        know) or when Slack won't say."""
        if not team_id or team_id == self.home_team:
            return None
        return self._companies.get(team_id, lambda: _team_name(client, team_id),
                                   ttl_for=lambda name: COMPANY_CACHE_SECONDS if name else FAILED_LOOKUP_SECONDS)

    def who(self, client: WebClient, user_id: str, team_hint: str | None = None) -> Person:
        """The person `user_id`; `team_hint` is the workspace the event or click names, used
        when Slack can't say (unreachable, user unknown). With neither, a prospect: the bot
        would rather answer a stranger than stay silent to one."""
        profile = self._profiles.get(user_id, lambda: _look_up(client, user_id),
                                     ttl_for=lambda p: PEOPLE_CACHE_SECONDS if p else FAILED_LOOKUP_SECONDS)
        team = profile.team if profile is not None and profile.team else team_hint
        name, icon = (profile.name, profile.icon) if profile else (None, None)
        if team != self.home_team or (profile is not None and profile.guest):
            return Person(user_id, Kind.PROSPECT, team, name, icon)
        kind = Kind.AGENT if profile is not None and self._in_agent_channel(client, user_id) else Kind.STAFF
        return Person(user_id, kind, team, name, icon)

    def _in_agent_channel(self, client: WebClient, user_id: str) -> bool:
        try:
            return user_id in self.members.members(client, self.agent_channel)
        except SlackApiError as exc:
            log.warning("listing the agent channel failed (%s)", exc.response.get("error"))
        except OSError as exc:  # Slack unreachable: nobody is taken for an agent meanwhile
            log.warning("listing the agent channel failed (%s)", type(exc).__name__)
        return False


def _look_up(client: WebClient, user_id: str) -> _Profile | None:
    try:
        info: dict[str, Any] = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning("users.info failed (%s)", exc.response.get("error"))
        return None
    except OSError as exc:  # Slack unreachable: the event's own hint decides meanwhile
        log.warning("users.info failed (%s)", type(exc).__name__)
        return None
    profile = info.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or info.get("real_name") or None
    guest = bool(info.get("is_restricted") or info.get("is_ultra_restricted") or info.get("is_stranger"))
    return _Profile(info.get("team_id"), guest, name, profile.get("image_72") or profile.get("image_48"))


def _team_name(client: WebClient, team_id: str) -> str | None:
    try:
        return (client.team_info(team=team_id).get("team") or {}).get("name") or None
    except SlackApiError as exc:
        log.warning("team.info failed (%s)", exc.response.get("error"))
    except OSError as exc:
        log.warning("team.info failed (%s)", type(exc).__name__)
    return None
