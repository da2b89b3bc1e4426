"""Limits shared by every bot process, kept in Redis: how often one person may write, and how
often the bot may post into one channel.

- `UserRateLimit`: at most `per_minute` messages a minute from one person (a fixed one-minute
  window per user). The first message over the limit is told so once, politely; the rest of
  that minute are ignored.
- `ChannelPacer`: Slack allows about one message a second into one channel. Before a post the
  pacer takes the channel's slot for `interval` seconds; while another post holds it, the caller
  is told how long to wait, and defers that post (it does not sleep, so other channels are not
  held up). A `Retry-After` from Slack holds the channel's slot that long.

Each is a single-key operation (cluster-safe).
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Any

# A message's place among the person's messages this minute: the first time it is seen it gets
# the next number; seen again, the same number.
_RANK = """
local rank = redis.call('HGET', KEYS[1], ARGV[1])
if rank then return tonumber(rank) end
rank = redis.call('HLEN', KEYS[1]) + 1
redis.call('HSET', KEYS[1], ARGV[1], rank)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return rank
"""

# Take the slot if it is free; else say how many milliseconds it stays taken.
_TAKE_SLOT = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then return ttl end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 0
"""


class Admission(Enum):
    ALLOWED = "allowed"
    NOTIFY = "notify"    # the first message over the limit: tell the person once
    IGNORED = "ignored"  # over the limit and already told


class UserRateLimit:
    def __init__(self, client: Any, per_minute: int = 20) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.client, self.per_minute = client, per_minute
        self._rank = client.register_script(_RANK)

    def admit(self, user: str, message_id: str, now: float | None = None) -> Admission:
        """Counts each message once (by `message_id`), however often it is processed: a
        redelivered or re-run message is judged as it was the first time."""
        window = int((time.time() if now is None else now) // 60)
        key = f"rate:{{{user}}}:{window}"
        rank = int(self._rank(keys=[key], args=[message_id, 120]))
        if rank <= self.per_minute:
            return Admission.ALLOWED
        return Admission.NOTIFY if rank == self.per_minute + 1 else Admission.IGNORED


class ChannelPacer:
    def __init__(self, client: Any, interval: float = 1.0) -> None:
        self.client, self.interval = client, interval
        self._take = client.register_script(_TAKE_SLOT)

    def wait_seconds(self, channel: str) -> float:
        """0 when the caller now holds the channel's slot and may post; else how long until
        it is free (the caller should defer, not sleep)."""
        ttl = int(self._take(keys=[_slot(channel)], args=[max(1, int(self.interval * 1000))]))
        return ttl / 1000 if ttl > 0 else 0.0

    def hold(self, channel: str, seconds: float) -> None:
        """Slack said Retry-After: nobody posts to the channel for that long."""
        self.client.set(_slot(channel), "1", px=max(1, int(seconds * 1000)))


def _slot(channel: str) -> str:
    return f"pace:{{{channel}}}"
