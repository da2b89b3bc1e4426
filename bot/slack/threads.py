"""Is this thread one the bot has spoken in? Asked when a reply arrives in a thread whose
conversation Redis no longer has (expired, evicted, lost in a failover): the prospect is still
talking to the bot there, and should be answered, not ignored.

Slack is the record: the thread's messages (`conversations.replies`) show whether the app
posted in it. The answer is cached for a while either way, so people chatting in other threads
cost one lookup per thread, not one per message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.ttl_cache import TtlCache

log = logging.getLogger(__name__)

THREAD_CACHE_SECONDS = 600.0
THREAD_CACHE_SIZE = 5000


@dataclass
class ThreadMemory:
    ttl_seconds: float = THREAD_CACHE_SECONDS
    _known: TtlCache[tuple[str, str], bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._known = TtlCache(self.ttl_seconds, max_size=THREAD_CACHE_SIZE)

    def bot_posted_in(self, client: WebClient, bot_user_id: str, channel: str, thread_ts: str) -> bool:
        return self._known.get((channel, thread_ts), lambda: _bot_posted_in(client, bot_user_id, channel, thread_ts))


def _bot_posted_in(client: WebClient, bot_user_id: str, channel: str, thread_ts: str) -> bool:
    try:
        page = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    except SlackApiError as exc:
        log.warning("reading a thread failed (%s)", exc.response.get("error"))
        return False
    return any(m.get("user") == bot_user_id or (m.get("bot_id") and m.get("metadata")) for m in page.get("messages") or [])
