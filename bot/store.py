"""Redis storage: conversations, transcripts, handoff index, event dedupe, locks, card index.

Every key of a conversation carries the conversation key as a hash tag
(`conv:{T:C:ts}:state`), so a turn's writes land in one slot and work on Redis Cluster; the
shared index of open handoffs is sharded (`handoffs:open:{0..7}`) and written outside that
transaction (see `open_handoffs`).
A turn is optimistic: read the state, compute, and write state, transcript and outbox with one
script (`_COMMIT`) that first checks the state is still what was read; if another process wrote
the conversation meanwhile, the script hands back the newer state and the turn is computed again
from it (no second read). Nothing a turn says leaves the process before its write is committed,
so a retry never duplicates a reply. The same script takes the conversation's drain lease and
hands the outbox to the committing thread, so the replies go out without another round trip to
find them (see `Lease`); `finish` drops what was posted and gives the lease back in one more.

A turn is also idempotent: the inbound's transport id is recorded on the conversation in the
same write, and a second processing of the same id writes nothing. Its replies are written in
that same MULTI to the conversation's outbox (`conv:{K}:outbox`), which the transport drains
after the turn (see bot/slack/outbox.py): a crash between commit and post loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import redis

from bot.flows.model import Conversation
from bot.limits import PACE_LUA, slot_key
from bot.outbox_lease import LEASE_LUA, LEASE_MS, OutboxItem, OutboxLeases
from bot.card_index import CardIndex, CardRef, RelayRef  # noqa: F401  (read from here too)
from bot.store_keys import (OPEN_HANDOFF_SHARDS, buttons_key, drain_key, leased_key, open_index_key,  # noqa: F401
                            outbox_key, state_key, transcript_key)
from bot.lua import Lua
from bot.redis_client import RedisUrlError, open_client

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 90 * 24 * 3600
TRANSCRIPT_CAP = 500
OPEN_HANDOFFS = "handoffs:open"  # the unsharded index of earlier versions, still read
INBOUND_IDS_KEPT = 64
OUTBOX_CAP = 200

# A turn's write. KEYS: state, transcript, outbox, lock, leased[, pace]. ARGV: expected ("1" and
# the state read, or "0" when there was none), new state, ttl, transcript cap, outbox cap,
# transcript count, outbox count, lease token ("" for none), pace interval ms, pace burst, then
# the transcript entries and the outbox entries. Returns {0, current} when the state changed
# since it was read; else {1} or, with the lease taken, {1, pace wait ms, before, outbox...}.
_COMMIT = PACE_LUA + LEASE_LUA + """
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return {0, cur} end
elseif cur ~= ARGV[2] then
  return {0, cur}
end
local ttl = ARGV[4]
redis.call('SET', KEYS[1], ARGV[3], 'EX', ttl)
local nt, no = tonumber(ARGV[7]), tonumber(ARGV[8])
local i = 13
if nt > 0 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, i + nt - 1))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
end
redis.call('EXPIRE', KEYS[2], ttl)
i = i + nt
if no > 0 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, i, i + no - 1))
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[6]), -1)
  redis.call('EXPIRE', KEYS[3], ttl)
end
if ARGV[9] == '' or no == 0 then return {1} end
local got = lease(KEYS[4], KEYS[3], KEYS[5], ARGV[9], ARGV[10], ttl)
if got[1] == 0 then return {1} end
local wait = -1
if KEYS[6] then wait = pace(KEYS[6], tonumber(ARGV[11]), tonumber(ARGV[12])) end
return {1, wait, unpack(got, 2)}
"""

_COMMIT_SCRIPT = Lua(_COMMIT)
_IF_MINE = Lua("""if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
return redis.call('EXPIRE', KEYS[1], ARGV[2])""")
"""A lease's holder keeps (ARGV[2]: seconds) or drops ('') its claim, if it is still theirs."""

T = TypeVar("T")


class StoreUnavailable(RuntimeError):
    """Redis can't be reached; start-up stops with this message."""


class ConcurrentUpdate(RuntimeError):
    """A conversation was written by others on every retry of one turn."""


@dataclass
class Turn:
    """What one turn writes: the conversation, its new transcript entries and whether its
    handoff belongs in the index of open handoffs."""

    conversation: Conversation
    transcript: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)


class Store(OutboxLeases, CardIndex):
    def __init__(self, client: redis.Redis, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.redis = client
        self.ttl = ttl_seconds
        # Told of every committed change (before, after), once per commit: the day's figures
        # are counted here, from what changed, whoever changed it (engine, agents, sweeper).
        self.observers: list[Callable[[Conversation | None, Conversation], None]] = []
        self._local = threading.local()
        # A Redis Cluster puts a channel's pace and the inbox in other slots than the
        # conversation: those are then separate round trips.
        self.clustered = type(client).__name__ == "RedisCluster"
        # The channel pace a commit takes for the first reply: (channel, interval ms, burst) of
        # a conversation key, set by the transport that posts (None: unpaced).
        self.pace: Callable[[str], tuple[str, int, int]] | None = None

    # -- conversations -------------------------------------------------------------------

    def load(self, conversation_key: str) -> Conversation | None:
        raw = self._get_state(conversation_key)
        return None if raw is None else Conversation.model_validate_json(raw)

    def transcript(self, conversation_key: str, last: int | None = None) -> list[dict[str, Any]]:
        start = -last if last else 0
        return [json.loads(x) for x in self.redis.lrange(transcript_key(conversation_key), start, -1)]

    # -- what this thread last read ---------------------------------------------------------
    #
    # A turn reads its conversation once. `trust` hands the store a state read with the
    # message's intake (one round trip with the inbox write); `load` returns it and `transact`
    # commits against it. A state `load` read itself is also remembered for `transact`: its
    # commit compares it with what is stored, so an old one costs no more than a conflict does.

    def _memo(self) -> threading.local:
        local = self._local
        if not hasattr(local, "seen"):
            local.seen, local.trusted, local.lease = {}, {}, None
        return local

    def trust(self, conversation_key: str, raw: bytes | None) -> None:
        """The conversation's state as read just now, with the message that is being handled
        (until `forget_trusted`)."""
        self._memo().trusted[conversation_key] = raw

    def forget_trusted(self) -> None:
        memo = self._memo()
        memo.trusted.clear()
        memo.seen.clear()

    def _get_state(self, conversation_key: str) -> bytes | None:
        memo = self._memo()
        if conversation_key in memo.trusted:
            raw = memo.trusted[conversation_key]
        else:
            raw = self.redis.get(state_key(conversation_key))
        memo.seen.clear()  # one entry: the state a following transact most likely commits on
        memo.seen[conversation_key] = raw
        return raw

    def transact(
        self,
        conversation_key: str,
        step: Callable[[Conversation | None], tuple[Turn | None, T]],
        attempts: int = 20,
        lease: bool = False,
    ) -> T:
        """Run `step` on the stored conversation and write its Turn atomically (a step that
        returns no Turn writes nothing: a redelivery it recognised).

        `step` must be free of outside effects: it may run more than once. With `lease`, the
        commit also takes the conversation's drain lease for this thread (see `lease`).
        """
        k = conversation_key
        memo = self._memo()
        if k in memo.seen:
            raw = memo.seen.pop(k)
        else:
            raw = memo.trusted[k] if k in memo.trusted else self.redis.get(state_key(k))
        memo.trusted.pop(k, None)
        for _ in range(attempts):
            current = None if raw is None else Conversation.model_validate_json(raw)
            turn, result = step(current)
            if turn is None:
                return result
            conv = turn.conversation
            opened = _is_open(conv)
            if opened and not (current is not None and _is_open(current)):
                # index first: an entry without an open handoff is skipped on read
                self.redis.zadd(open_index_key(conv.key), {conv.key: conv.handoff.created_at})  # type: ignore[union-attr]
            new_raw = conv.model_dump_json(exclude_defaults=True)
            reply = self._commit_turn(k, raw, new_raw, turn, lease)
            if reply[0] == 0:  # written meanwhile: the turn again, from what is stored now
                raw = reply[1]
                continue
            if lease and turn.outbox:
                taken = self._lease_of(k, reply)
                mine = memo.lease is not None and memo.lease[0] == k and memo.lease[1] is not None
                if taken is not None or not mine:  # held by this thread already: `finish` finds the rest
                    memo.lease = (k, taken)
            if not opened and current is not None and _is_open(current):
                self.redis.zrem(open_index_key(conv.key), conv.key)  # best effort: stale entries are skipped
            memo.seen[k] = new_raw.encode()
            self._notify(current, conv)
            return result
        raise ConcurrentUpdate(conversation_key)

    def _commit_turn(self, key: str, expected: bytes | None, new_raw: str, turn: Turn, lease: bool) -> list[Any]:
        keys = [state_key(key), transcript_key(key), outbox_key(key), drain_key(key), leased_key(key)]
        pace: tuple[int, int] = (0, 0)
        if lease and turn.outbox and self.pace is not None and not self.clustered:
            channel, interval_ms, burst = self.pace(key)
            keys.append(slot_key(channel))
            pace = (interval_ms, burst)
        transcript = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in turn.transcript]
        outbox = [OutboxItem(r["id"], r["out"]).to_json() for r in turn.outbox]
        token = uuid.uuid4().hex if lease and turn.outbox else ""
        args = ["0" if expected is None else "1", expected or b"", new_raw, self.ttl, TRANSCRIPT_CAP, OUTBOX_CAP,
                len(transcript), len(outbox), token, LEASE_MS, pace[0], pace[1], *transcript, *outbox]
        reply = list(_COMMIT_SCRIPT.run(self.redis, keys, args))
        if reply[0] == 1 and token:
            reply.append(token)
        return reply

    def _notify(self, before: Conversation | None, after: Conversation) -> None:
        for observer in self.observers:
            try:
                observer(before, after)
            except Exception as exc:  # a figure is not worth a turn: the turn is committed
                log.warning("store observer failed: %s", type(exc).__name__)

    # -- the outbox ------------------------------------------------------------------------

    def swap_buttons(self, conversation_key: str, shown: dict[str, Any] | None) -> dict[str, Any] | None:
        """Record the message whose buttons are now live (`shown`: its reply id, ts and
        record; None: no message has live buttons) and return the one recorded before, whose
        buttons the caller retires. One round trip (SET .. GET / GETDEL)."""
        key = buttons_key(conversation_key)
        if shown is None:
            raw = self.redis.getdel(key)
        else:
            raw = self.redis.set(key, json.dumps(shown, ensure_ascii=False, separators=(",", ":")), ex=self.ttl, get=True)
        return None if raw is None else json.loads(raw)

    def live_buttons(self, conversation_key: str) -> dict[str, Any] | None:
        raw = self.redis.get(buttons_key(conversation_key))
        return None if raw is None else json.loads(raw)

    def outbox_size(self, conversation_key: str) -> int:
        return int(self.redis.llen(outbox_key(conversation_key)))

    def open_handoffs(self, prune_after_seconds: float = 300.0) -> list[Conversation]:
        """Conversations with a waiting or claimed handoff, oldest handoff first.

        The index (`handoffs:open:{N}`, sharded by conversation) is written outside the conversation's transaction, so that
        every key of one MULTI shares the conversation's hash slot (Redis Cluster): an entry is
        added before the turn that opens a handoff commits, and removed after the turn that
        closes it. The conversation is the truth; an entry whose conversation has no open
        handoff is skipped, and dropped once it is old enough not to be a turn in flight.
        """
        out: list[tuple[float, Conversation]] = []
        now = time.time()
        for index in [OPEN_HANDOFFS, *(f"handoffs:open:{{{n}}}" for n in range(OPEN_HANDOFF_SHARDS))]:
            stale = []
            for raw_key, score in self.redis.zrange(index, 0, -1, withscores=True):
                key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
                conv = self.load(key)
                if conv is not None and _is_open(conv):
                    out.append((score, conv))
                elif now - score > prune_after_seconds:
                    stale.append(key)
            if stale:
                self.redis.zrem(index, *stale)
        out.sort(key=lambda pair: pair[0])
        seen: set[str] = set()
        return [c for _, c in out if not (c.key in seen or seen.add(c.key))]  # type: ignore[func-returns-value]

    # -- once-only work ------------------------------------------------------------------

    def first_time(self, name: str, ttl_seconds: int) -> bool:
        """True exactly once per `name` within `ttl_seconds`, across every process."""
        return bool(self.redis.set(f"once:{name}", "1", nx=True, ex=ttl_seconds))

    def lease_once(self, name: str, ttl_seconds: int) -> str | None:
        """Like `first_time`, for work that may die half done: the claim runs out after
        `ttl_seconds` unless `keep` holds it. Its token (None: another holds it) lets only this
        holder keep or give back the claim, not one taken after this one ran out."""
        token = uuid.uuid4().hex
        return token if self.redis.set(f"once:{name}", token, nx=True, ex=ttl_seconds) else None

    def keep(self, name: str, token: str, ttl_seconds: int) -> bool:
        """Hold this holder's `lease_once(name)` for `ttl_seconds` from now: the work is done.
        False when the claim ran out meanwhile (another process may have taken it)."""
        return bool(_IF_MINE.run(self.redis, [f"once:{name}"], [token, ttl_seconds]))

    def forget(self, name: str, token: str | None = None) -> None:
        """Undo `first_time(name)`, or with its token this holder's `lease_once(name)`: the
        work it guarded did not happen after all."""
        if token is None:
            self.redis.delete(f"once:{name}")
        else:
            _IF_MINE.run(self.redis, [f"once:{name}"], [token, ""])

    # -- locks -----------------------------------------------------------------------------

    @contextmanager
    def try_lock(self, name: str, timeout_seconds: int) -> Iterator[bool]:
        """A short lock shared by every process, without waiting: yields True when this process
        holds it (released on exit), False when another does. It expires after
        `timeout_seconds`, so a process that dies holding it blocks nobody for long."""
        lock = self.redis.lock(f"lock:{name}", timeout=timeout_seconds, blocking=False)
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            try:
                lock.release()
            except Exception:  # lock expired: nothing to release
                pass

    # -- health --------------------------------------------------------------------------

    def ping(self) -> None:
        """Raise if Redis does not answer (a health check)."""
        self.redis.ping()

def _is_open(conv: Conversation) -> bool:
    return conv.handoff is not None and conv.handoff.is_open


def connect(url: str | None = None) -> Store:
    """A Store on `url` (or `REDIS_URL`): a plain Redis or a Redis Cluster (`REDIS_CLUSTER=1`
    or a `redis+cluster://` URL), with short timeouts and retries (bot/redis_client.py).
    Fails fast with a clear message if unreachable."""
    url = url or os.environ.get("REDIS_URL")
    if not url:
        raise StoreUnavailable("REDIS_URL is not set; this command needs a Redis server (e.g. REDIS_URL=redis://localhost:6379/0)")
    try:
        client = open_client(url)
        client.ping()
    except RedisUrlError as exc:
        raise StoreUnavailable(str(exc)) from None
    except (redis.RedisError, ValueError) as exc:
        raise StoreUnavailable(f"cannot reach Redis at REDIS_URL ({_redact(url)}): {type(exc).__name__}: {exc}") from None
    return Store(client)


def embedded() -> Store:
    """An in-process store (fakeredis) for the terminal chat when no Redis is configured."""
    import fakeredis

    return Store(fakeredis.FakeRedis())


def _redact(url: str) -> str:
    """Hide a password in a Redis URL before it reaches a message or a log."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
