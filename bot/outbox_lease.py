"""The outbox's entries and its drain lease: who may post a conversation's replies, and what
an earlier holder may already have posted.

One drainer per conversation at a time, across processes: the lease (`conv:{K}:drain`, a token
with a short expiry) comes with the whole outbox, and Redis counts how many entries it handed
out (`conv:{K}:leased`). A holder that dies leaves that count behind, so the next holder knows
which entries may already be in Slack and looks for them before posting. The store's commit
script takes the lease in the turn's own round trip (bot/store.py); `finish` drops what was
posted, records the live buttons and gives the lease back in one more.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.lua import Lua
from bot.lua import execute as lua_execute
from bot.store_keys import buttons_key, drain_key, leased_key, outbox_key

LEASE_MS = 5000

# The drain lease: KEYS lock, outbox, leased. Taken only if free; hands out the whole outbox and
# says how many of its first entries an earlier holder was handed (it may have posted them).
LEASE_LUA = """
local function lease(lock, outbox, leased, token, ms, ttl)
  if not redis.call('SET', lock, token, 'NX', 'PX', ms) then return {0} end
  local items = redis.call('LRANGE', outbox, 0, -1)
  local before = tonumber(redis.call('GET', leased) or '0')
  if #items > 0 then redis.call('SET', leased, #items, 'EX', ttl) else redis.call('DEL', leased) end
  return {1, before, unpack(items)}
end
"""

_TAKE_LEASE = LEASE_LUA + "return lease(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])"

_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# After posting: KEYS outbox, lock, leased, buttons. ARGV: token, entries handled (dropped from
# the head), ttl, lease ms, buttons ("set" + value, "del", or ""), what the lease says is left
# handed out when it is given back, "release" to give it back even if more is waiting.
# Returns {buttons before, 0} (given back) or {buttons before, 1, outbox...} (kept: more came).
_FINISH = """
local n = tonumber(ARGV[2])
if n > 0 then redis.call('LTRIM', KEYS[1], n, -1) end
local old = false
if ARGV[5] == 'set' then old = redis.call('SET', KEYS[4], ARGV[6], 'EX', ARGV[3], 'GET')
elseif ARGV[5] == 'del' then old = redis.call('GETDEL', KEYS[4]) end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {old, 0} end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
if #items == 0 or ARGV[8] == 'release' then
  redis.call('DEL', KEYS[2])
  local left = tonumber(ARGV[7])
  if #items == 0 or left <= 0 then redis.call('DEL', KEYS[3]) else redis.call('SET', KEYS[3], left, 'EX', ARGV[3]) end
  return {old, 0}
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], #items, 'EX', ARGV[3])
return {old, 1, unpack(items)}
"""

_TAKE_LEASE_SCRIPT, _RENEW_SCRIPT, _FINISH_SCRIPT = Lua(_TAKE_LEASE), Lua(_RENEW), Lua(_FINISH)


@dataclass(frozen=True)
class OutboxItem:
    """One reply waiting to leave: its id (carried by the posted message, so a post that
    happened before a crash is recognised), the reply as plain data, and whether a post of it
    may already have been tried."""

    id: str
    record: dict[str, Any]
    attempted: bool = False

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "out": self.record, "attempted": self.attempted}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> "OutboxItem":
        data = json.loads(raw)
        return cls(data["id"], data["out"], bool(data.get("attempted")))


@dataclass
class Lease:
    """The right to post a conversation's outbox, across processes (`conv:{K}:drain`), with the
    entries it covers. `before` of them were handed to an earlier holder that did not give the
    lease back (it died, or lost it): those may already be in Slack, and are looked for first.
    `pace_wait` is the first reply's channel pace, taken with the lease (None: not taken)."""

    key: str
    token: str
    items: list[OutboxItem]
    before: int = 0
    pace_wait: float | None = None
    taken_at: float = field(default_factory=time.monotonic)

    def attempted(self, index: int) -> bool:
        return index < self.before or self.items[index].attempted


class Finished(NamedTuple):
    """What `finish` found: the live buttons it replaced, and the lease again if more replies
    came while these were posted (None: given back)."""

    buttons_before: dict[str, Any] | None
    more: Lease | None


class OutboxLeases:
    """The Store's drain-lease operations (a mixin: it uses the store's client, ttl and the
    thread's memo, where a commit leaves the lease it took)."""

    redis: Any
    ttl: int
    _local: threading.local

    def _memo(self) -> threading.local:
        raise NotImplementedError

    def _lease_of(self, key: str, reply: list[Any]) -> Lease | None:
        """The lease a commit took ({1, wait, before, items..., token}); None: another has it."""
        if len(reply) < 3:
            return None
        token = _text(reply[-1])
        wait_ms, before, items = int(reply[1]), int(reply[2]), reply[3:-1]
        return Lease(key, token, [OutboxItem.from_json(x) for x in items], before,
                     pace_wait=None if wait_ms < 0 else wait_ms / 1000)

    def lease(self, conversation_key: str) -> Lease | None:
        """The right to post the conversation's outbox, with what it holds: the one this
        thread's commit just took, or a fresh one. None while another drainer holds it (the
        caller comes back later rather than tie up a thread)."""
        memo = self._memo()
        held, memo.lease = memo.lease, None
        if held is not None and held[0] == conversation_key:
            taken = held[1]
            if taken is None:
                return None
            if time.monotonic() - taken.taken_at < LEASE_MS / 2000 or self.renew(taken):
                return taken  # (a slow turn: still ours; `finish` finds any entries added since)
        token = uuid.uuid4().hex
        reply = _TAKE_LEASE_SCRIPT.run(self.redis, [drain_key(conversation_key), outbox_key(conversation_key),
                                                    leased_key(conversation_key)], [token, LEASE_MS, self.ttl])
        if int(reply[0]) == 0:
            return None
        return Lease(conversation_key, token, [OutboxItem.from_json(x) for x in reply[2:]], int(reply[1]))

    def renew(self, lease: Lease) -> bool:
        """Hold the lease another LEASE_MS (between slow posts); False if it was lost."""
        ok = bool(_RENEW_SCRIPT.run(self.redis, [drain_key(lease.key)], [lease.token, LEASE_MS]))
        lease.taken_at = time.monotonic()
        return ok

    def finish(self, lease: Lease, handled: int, buttons: tuple[str, dict[str, Any] | None] | None = None,
               release: bool = False, also: Callable[[Any], None] | None = None) -> Finished:
        """After posting: drop the first `handled` entries, set the live buttons (("set",
        shown) or ("del", None)) and give the lease back, in one round trip with what `also`
        adds to the pipeline (the inbox's acknowledgement). If more replies came meanwhile the
        lease is kept and handed back with them, unless `release` (the caller must wait)."""
        key = lease.key
        op, value = buttons if buttons is not None else ("", None)
        left = max(0, lease.before - handled)
        args = [lease.token, handled, self.ttl, LEASE_MS, op,
                json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value is not None else "", left, "release" if release else ""]
        keys = [outbox_key(key), drain_key(key), leased_key(key), buttons_key(key)]
        if also is None:
            reply = _FINISH_SCRIPT.run(self.redis, keys, args)
        else:
            pipe = self.redis.pipeline(transaction=False)
            queued = _FINISH_SCRIPT.queue(pipe, keys, args)
            also(pipe)
            reply = lua_execute(pipe, self.redis, {0: queued})[0]
        old = None if not reply[0] else json.loads(reply[0])
        if int(reply[1]) == 0:
            return Finished(old, None)
        return Finished(old, Lease(key, lease.token, [OutboxItem.from_json(x) for x in reply[2:]], left))



def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
