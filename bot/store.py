"""Redis storage: conversations, transcripts, handoff index, event dedupe, locks, card index.

Every key of a conversation carries the conversation key as a hash tag
(`conv:{T:C:ts}:state`), so a turn's writes land in one slot and work on Redis Cluster; the
shared index of open handoffs is sharded (`handoffs:open:{0..7}`) and written outside that
transaction (see `open_handoffs`).
A turn is optimistic: WATCH the state, compute, write state and transcript in one
MULTI/EXEC; if another process wrote the same conversation meanwhile, the turn is computed
again from the newer state. Nothing a turn says leaves the process before its write is
committed, so a retry never duplicates a reply.

A turn is also idempotent: the inbound's transport id is recorded on the conversation in the
same write, and a second processing of the same id writes nothing. Its replies are written in
that same MULTI to the conversation's outbox (`conv:{K}:outbox`), which the transport drains
after the turn (see bot/slack/outbox.py): a crash between commit and post loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import redis

from bot.flows.model import Conversation
from bot.redis_client import RedisUrlError, open_client

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 90 * 24 * 3600
TRANSCRIPT_CAP = 500
TEXT_CAP = 4000
OPEN_HANDOFFS = "handoffs:open"  # the unsharded index of earlier versions, still read
OPEN_HANDOFF_SHARDS = 8
INBOUND_IDS_KEPT = 64
OUTBOX_CAP = 200
CARD_TTL_SECONDS = 90 * 24 * 3600

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


@dataclass(frozen=True)
class OutboxItem:
    """One reply waiting to leave: its id (carried by the posted message, so a post that
    happened before a crash is recognised), the reply as plain data, and whether a post of it
    may already have been tried."""

    id: str
    record: dict[str, Any]
    attempted: bool = False

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "out": self.record, "attempted": self.attempted}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: bytes | str) -> "OutboxItem":
        data = json.loads(raw)
        return cls(data["id"], data["out"], bool(data.get("attempted")))


class CardRef(NamedTuple):
    """The handoff an agent-channel card shows: its conversation and handoff id."""

    key: str
    handoff_id: str


class RelayRef(NamedTuple):
    """Where an agent's message was copied for the prospect, and whose conversation it is."""

    channel: str
    ts: str
    key: str


def state_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:state"


def transcript_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:transcript"


def outbox_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:outbox"


def buttons_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:buttons"


def open_index_key(conversation_key: str) -> str:
    """The shard of the open-handoffs index this conversation is listed in."""
    return f"handoffs:open:{{{zlib.crc32(conversation_key.encode()) % OPEN_HANDOFF_SHARDS}}}"


def card_key(channel: str, ts: str) -> str:
    return f"card:{channel}:{ts}"


def entry(role: str, text: str, **extra: Any) -> dict[str, Any]:
    """One transcript line. Text is capped: a transcript is a record, not an archive."""
    return {"at": round(time.time(), 3), "role": role, "text": text[:TEXT_CAP], **extra}


class Store:
    def __init__(self, client: redis.Redis, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.redis = client
        self.ttl = ttl_seconds
        # Told of every committed change (before, after), once per commit: the day's figures
        # are counted here, from what changed, whoever changed it (engine, agents, sweeper).
        self.observers: list[Callable[[Conversation | None, Conversation], None]] = []

    # -- conversations -------------------------------------------------------------------

    def load(self, conversation_key: str) -> Conversation | None:
        raw = self.redis.get(state_key(conversation_key))
        return None if raw is None else Conversation.model_validate_json(raw)

    def transcript(self, conversation_key: str, last: int | None = None) -> list[dict[str, Any]]:
        start = -last if last else 0
        return [json.loads(x) for x in self.redis.lrange(transcript_key(conversation_key), start, -1)]

    def transact(
        self,
        conversation_key: str,
        step: Callable[[Conversation | None], tuple[Turn | None, T]],
        attempts: int = 20,
    ) -> T:
        """Run `step` on the stored conversation and write its Turn atomically (a step that
        returns no Turn writes nothing: a redelivery it recognised).

        `step` must be free of outside effects: it may run more than once.
        """
        skey, tkey, okey = state_key(conversation_key), transcript_key(conversation_key), outbox_key(conversation_key)
        for _ in range(attempts):
            with self.redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(skey)
                    raw = pipe.get(skey)
                    current = None if raw is None else Conversation.model_validate_json(raw)
                    turn, result = step(current)
                    if turn is None:
                        pipe.unwatch()
                        return result
                    conv = turn.conversation
                    opened = _is_open(conv)
                    if opened:  # index first: an entry without an open handoff is skipped on read
                        self.redis.zadd(open_index_key(conv.key), {conv.key: conv.handoff.created_at})  # type: ignore[union-attr]
                    pipe.multi()
                    pipe.set(skey, conv.model_dump_json(), ex=self.ttl)
                    if turn.transcript:
                        pipe.rpush(tkey, *(json.dumps(e, ensure_ascii=False) for e in turn.transcript))
                        pipe.ltrim(tkey, -TRANSCRIPT_CAP, -1)
                    pipe.expire(tkey, self.ttl)
                    if turn.outbox:
                        pipe.rpush(okey, *(OutboxItem(r["id"], r["out"]).to_json() for r in turn.outbox))
                        pipe.ltrim(okey, -OUTBOX_CAP, -1)
                        pipe.expire(okey, self.ttl)
                    pipe.execute()
                except redis.WatchError:
                    continue
                if not opened and conv.handoff is not None:
                    self.redis.zrem(open_index_key(conv.key), conv.key)  # best effort: stale entries are skipped
                self._notify(current, conv)
                return result
        raise ConcurrentUpdate(conversation_key)

    def _notify(self, before: Conversation | None, after: Conversation) -> None:
        for observer in self.observers:
            try:
                observer(before, after)
            except Exception as exc:  # a figure is not worth a turn: the turn is committed
                log.warning("store observer failed: %s", type(exc).__name__)

    # -- the outbox ------------------------------------------------------------------------

    def outbox_head(self, conversation_key: str) -> OutboxItem | None:
        raw = self.redis.lindex(outbox_key(conversation_key), 0)
        return None if raw is None else OutboxItem.from_json(raw)

    def outbox_attempting(self, conversation_key: str, item: OutboxItem) -> None:
        """Mark the head as tried before posting it: after a crash, a tried reply is looked
        for in Slack before it is posted again. (Called under the conversation's drain lock.)"""
        tried = OutboxItem(item.id, item.record, attempted=True)
        self.redis.lset(outbox_key(conversation_key), 0, tried.to_json())

    def outbox_done(self, conversation_key: str) -> None:
        """The head is posted (or recognised as posted): drop it."""
        self.redis.lpop(outbox_key(conversation_key))

    def swap_buttons(self, conversation_key: str, shown: dict[str, Any] | None) -> dict[str, Any] | None:
        """Record the message whose buttons are now live (`shown`: its reply id, ts and
        record; None: no message has live buttons) and return the one recorded before, whose
        buttons the caller retires. One round trip (SET .. GET / GETDEL)."""
        key = buttons_key(conversation_key)
        if shown is None:
            raw = self.redis.getdel(key)
        else:
            raw = self.redis.set(key, json.dumps(shown, ensure_ascii=False), ex=self.ttl, get=True)
        return None if raw is None else json.loads(raw)

    def live_buttons(self, conversation_key: str) -> dict[str, Any] | None:
        raw = self.redis.get(buttons_key(conversation_key))
        return None if raw is None else json.loads(raw)

    def outbox_size(self, conversation_key: str) -> int:
        return int(self.redis.llen(outbox_key(conversation_key)))

    @contextmanager
    def drain_lock(self, conversation_key: str, hold_seconds: float = 5.0) -> Iterator[Callable[[], None] | None]:
        """One drainer of a conversation's outbox at a time, across processes, without waiting:
        yields None while another holds it (the caller comes back later rather than tie up a
        thread), else a `renew()` to call between posts. It expires `hold_seconds` after the
        last renewal, so a drainer that died blocks nobody for long; a drainer after it finds
        the tried reply and looks for it in Slack before posting."""
        lock = self.redis.lock(f"conv:{{{conversation_key}}}:drain", timeout=hold_seconds, blocking=False)
        if not lock.acquire(blocking=False):
            yield None
            return
        try:
            yield lock.reacquire
        finally:
            try:
                lock.release()
            except Exception:  # expired while we posted: nothing to release
                pass

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

    def forget(self, name: str) -> None:
        """Undo `first_time(name)`: the work it guarded did not happen after all."""
        self.redis.delete(f"once:{name}")

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

    # -- the agent channel's cards -------------------------------------------------------

    def put_card(self, channel: str, ts: str, key: str, handoff_id: str, ttl_seconds: int = CARD_TTL_SECONDS) -> None:
        """Remember which handoff the card posted at (channel, ts) shows, so a reply in the
        card's thread finds its conversation."""
        value = json.dumps({"key": key, "handoff": handoff_id}, ensure_ascii=False)
        self.redis.set(card_key(channel, ts), value, ex=ttl_seconds)

    def put_relay(self, channel: str, ts: str, copy_channel: str, copy_ts: str, key: str,
                  ttl_seconds: int = CARD_TTL_SECONDS) -> None:
        """Remember where an agent's relayed message (channel, ts) was copied to, so an edit or
        a deletion of it reaches the copy the prospect sees."""
        value = json.dumps({"channel": copy_channel, "ts": copy_ts, "key": key}, ensure_ascii=False)
        self.redis.set(f"relay:{channel}:{ts}", value, ex=ttl_seconds)

    def relay(self, channel: str, ts: str) -> RelayRef | None:
        raw = self.redis.get(f"relay:{channel}:{ts}")
        if raw is None:
            return None
        found = json.loads(raw)
        return RelayRef(found["channel"], found["ts"], found["key"])

    def forget_relay(self, channel: str, ts: str) -> None:
        self.redis.delete(f"relay:{channel}:{ts}")

    def card(self, channel: str, ts: str) -> CardRef | None:
        """The handoff whose card is the message at (channel, ts); None for any other message."""
        raw = self.redis.get(card_key(channel, ts))
        if raw is None:
            return None
        index = json.loads(raw)
        return CardRef(index["key"], index["handoff"])

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
