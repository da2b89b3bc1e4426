"""Channel membership as Slack last listed it, kept for a minute.

Every claim, close and relay asks whether someone is in the agent channel; one cache per
SlackContext (created with it) answers that without a conversations.members call each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.slack.ttl_cache import TtlCache

MEMBERS_CACHE_SECONDS = 60.0


@dataclass
class MembershipCache:
    """Members of each channel asked about, as listed at most `ttl_seconds` ago."""

    ttl_seconds: float = MEMBERS_CACHE_SECONDS
    _cache: TtlCache[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._cache = TtlCache(self.ttl_seconds, max_size=100)

    def members(self, client: WebClient, channel: str) -> frozenset[str]:
        return self._cache.get(channel, lambda: _list_members(client, channel))


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
