"""Limits shared by every bot process, kept in Redis: how often one person may write, and how
often the bot may post into one channel.

- `UserRateLimit`: at most `per_minute` messages a minute from one person (a fixed one-minute
  window per user). The first message over the limit is told so once, politely; the rest of
  that minute are ignored.
- `ChannelPacer`: Slack allows about one message a second into one channel, "with short bursts
  allowed". The pacer is a token bucket over Redis (GCRA: one key per channel holding the time
  its bucket is next empty): up to `burst` posts at once, then one per `interval`. While the
  channel is paced, the caller is told how long to wait and defers that post (it does not
  sleep, so other channels are not held up). A `Retry-After` from Slack holds the channel that
  long for every process.

Each is a single-key operation (cluster-safe).
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Any

from bot.lua import Lua

# A message's place among the person's messages this minute: the first time it is seen it gets
# the next number; seen again, the same number.
RANK_TTL = 120
RANK_LUA = _RANK = """
local rank = redis.call('HGET', KEYS[1], ARGV[1])
if rank then return tonumber(rank) end
rank = redis.call('HLEN', KEYS[1]) + 1
redis.call('HSET', KEYS[1], ARGV[1], rank)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return rank
"""

# The channel's bucket (GCRA): KEYS[1] holds when (ms, Redis's clock) the bucket is next
# empty. A post may go when that lies no more than (burst - 1) intervals ahead; it pushes the
# time on by one interval. Returns 0 (go) or the milliseconds to wait. Shared with the store's
# commit script, which takes the first reply's slot in the same round trip (see bot/store.py).
PACE_LUA = """
local function pace(key, interval, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local ahead = tat - now - interval * (burst - 1)
  if ahead > 0 then return ahead end
  redis.call('SET', key, tat + interval, 'PX', tat + interval - now)
  return 0
end
"""
_TAKE_SLOT = PACE_LUA + "return pace(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))"

# Slack said wait: the bucket is full for `ms` from now.
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1]) + tonumber(ARGV[2]) * (tonumber(ARGV[3]) - 1)
redis.call('SET', KEYS[1], until_, 'PX', until_ - now)
return 0
"""
DEFAULT_BURST = 3
_RANK_SCRIPT = Lua(RANK_LUA)


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
        return self.judge(int(self._rank(keys=[self.window_key(user, now)], args=[message_id, RANK_TTL])))

    @staticmethod
    def window_key(user: str, now: float | None = None) -> str:
        """The person's count for this minute (the intake ranks a message in the same round
        trip as it queues it: bot/inbox.py)."""
        return f"rate:{{{user}}}:{int((time.time() if now is None else now) // 60)}"

    def rank_call(self, user: str, message_id: str) -> tuple[Any, list[str], list[Any]]:
        """The ranking as (script, keys, args), to run in another command's round trip."""
        return _RANK_SCRIPT, [self.window_key(user)], [message_id, RANK_TTL]

    def judge(self, rank: int) -> Admission:
        """What a message ranked `rank` this minute may have."""
        if rank <= self.per_minute:
            return Admission.ALLOWED
        return Admission.NOTIFY if rank == self.per_minute + 1 else Admission.IGNORED


class ChannelPacer:
    def __init__(self, client: Any, interval: float = 1.0, burst: int = DEFAULT_BURST) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.client, self.interval, self.burst = client, interval, burst
        self._take = client.register_script(_TAKE_SLOT)
        self._hold = client.register_script(_HOLD)

    @property
    def interval_ms(self) -> int:
        return max(1, int(self.interval * 1000))

    def wait_seconds(self, channel: str) -> float:
        """0 when the caller may post now (it has taken a token); else how long until it may
        (the caller should defer, not sleep)."""
        ms = int(self._take(keys=[slot_key(channel)], args=[self.interval_ms, self.burst]))
        return ms / 1000 if ms > 0 else 0.0

    def hold(self, channel: str, seconds: float) -> None:
        """Slack said Retry-After: nobody posts to the channel for that long."""
        self._hold(keys=[slot_key(channel)], args=[max(1, int(seconds * 1000)), self.interval_ms, self.burst])


def slot_key(channel: str) -> str:
    return f"pace:{{{channel}}}"
