"""Channel membership as Slack last listed it, kept for a minute.

Every claim, close and relay asks whether someone is in the agent channel; one cache per
SlackContext (created with it) answers that without a conversations.members call each time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from slack_sdk import WebClient

MEMBERS_CACHE_SECONDS = 60.0


@dataclass
class MembershipCache:
    """Members of each channel asked about, as listed at most `ttl_seconds` ago."""

    ttl_seconds: float = MEMBERS_CACHE_SECONDS
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict, init=False, repr=False)

    def members(self, client: WebClient, channel: str) -> frozenset[str]:
        cached = self._members.get(channel)
        if cached and time.monotonic() - cached[0] < self.ttl_seconds:
            return cached[1]
        members = _list_members(client, channel)
        self._members[channel] = (time.monotonic(), members)
        return members


def _list_members(client: WebClient, channel: str) -> frozenset[str]:
    members: set[str] = set()
    cursor = None
    while True:
        page = client.conversations_members(channel=channel, cursor=cursor, limit=200)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return frozenset(members)
