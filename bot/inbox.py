"""A durable inbox: what a transport was told we received is processed, even if we die.

A transport writes each inbound (a Slack event, a click) here *before* it acknowledges it, and
every bot process reads the inbox through one Redis Streams consumer group. An entry is
acknowledged (XACK) only after its turn is committed and its replies are out, so an entry a
dead process was working on stays pending and another process claims it (XAUTOCLAIM) once it
has been idle long enough. Processing is therefore at least once; the engine's turns are
idempotent by the inbound's id, and the outbox recognises a reply already posted, which
together make it "answered once".

The inbox is sharded over several streams (`inbox:{0}` ... `inbox:{N-1}`, each its own hash
slot) so no single Redis Cluster slot carries every message. An inbound's shard follows its
routing key (the conversation), and within one process all entries of a conversation go to
the same worker thread, so one conversation's messages are handled in the order they came.

An entry that keeps failing (its handler raised `MAX_ATTEMPTS` times) is moved to a
dead-letter stream (`inbox:dead:{N}`) and logged, rather than blocking its shard forever.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import redis

log = logging.getLogger(__name__)

GROUP = "bot"
DEFAULT_SHARDS = 8
MAX_ATTEMPTS = 5
READ_BLOCK_MS = 500  # how long a reader waits for new entries (its client's timeout must be longer)
LOCAL_RETRIES = 6
RETRY_BASE_SECONDS = 0.5
RETRY_CAP_SECONDS = 8.0
STREAM_MAXLEN = 100_000  # approximate cap per shard; acknowledged entries are deleted anyway


@dataclass(frozen=True)
class Delivery:
    """One inbox entry handed to a handler. `attempts` counts deliveries, this one included:
    above 1, an earlier attempt may have done part of the work (the handler must be
    idempotent, which turns and the outbox are)."""

    shard: int
    entry_id: str
    kind: str
    routing_key: str
    payload: dict[str, Any]
    attempts: int = 1
    retries: int = 0  # times this process has already retried it after a failure

    def retried(self) -> "Delivery":
        return replace(self, retries=self.retries + 1)


def stream_key(shard: int) -> str:
    return f"inbox:{{{shard}}}"


def dead_key(shard: int) -> str:
    return f"inbox:dead:{{{shard}}}"


class Inbox:
    """The inbox's streams, over a redis-py client (plain or RedisCluster: every command here
    names one stream, so one slot)."""

    def __init__(self, client: Any, shards: int = DEFAULT_SHARDS, consumer: str | None = None,
                 claim_idle_ms: int = 30_000, blocking_client: Any = None, intake_client: Any = None) -> None:
        if shards < 1:
            raise ValueError("an inbox needs at least one shard")
        self.client = client
        self.blocking_client = blocking_client or client  # XREADGROUP BLOCK needs a longer socket timeout
        self.intake_client = intake_client or client  # `put` may want one short try (a caller is waiting)
        self.shards = shards
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.claim_idle_ms = claim_idle_ms
        self._groups_ready = False

    def shard_of(self, routing_key: str) -> int:
        return zlib.crc32(routing_key.encode()) % self.shards

    def ensure_groups(self) -> None:
        """Create every shard's stream and consumer group (idempotent)."""
        if self._groups_ready:
            return
        for shard in range(self.shards):
            try:
                self.client.xgroup_create(stream_key(shard), GROUP, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    # -- writing ----------------------------------------------------------------------------

    def put(self, routing_key: str, kind: str, payload: dict[str, Any]) -> str:
        """Append one inbound; returns its entry id. Raises redis errors: the caller must not
        acknowledge what it could not write."""
        self.ensure_groups()
        fields = {"k": kind, "r": routing_key, "p": json.dumps(payload, ensure_ascii=False, separators=(",", ":"))}
        entry_id = self.intake_client.xadd(stream_key(self.shard_of(routing_key)), fields, maxlen=STREAM_MAXLEN,
                                           approximate=True)
        return _text(entry_id)

    # -- reading ----------------------------------------------------------------------------

    def read(self, shard: int, block_ms: int = 1000, count: int = 32) -> list[Delivery]:
        """New entries of one shard for this consumer (blocks up to `block_ms`)."""
        self.ensure_groups()
        try:
            reply = self.blocking_client.xreadgroup(GROUP, self.consumer, {stream_key(shard): ">"}, count=count, block=block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # Redis lost its data (a restart without persistence, a failover, a flush): the
            # group is made again from the start of whatever the stream holds now.
            self._groups_ready = False
            self.ensure_groups()
            return []
        return [d for _, entries in _streams(reply) for d in self._deliveries(shard, entries, attempts=1)]

    def reclaim(self, shard: int, count: int = 32) -> list[Delivery]:
        """Entries other consumers (dead, or stuck) left pending longer than `claim_idle_ms`,
        now this consumer's. An entry past MAX_ATTEMPTS goes to the dead-letter stream."""
        self.ensure_groups()
        key = stream_key(shard)
        try:
            reply = self.client.xautoclaim(key, GROUP, self.consumer, self.claim_idle_ms, "0-0", count=count)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._groups_ready = False
            return []
        entries = [e for e in (reply[1] if len(reply) > 1 else []) if e and e[1] is not None]
        if not entries:
            return []
        counts = {
            _text(p["message_id"]): int(p["times_delivered"])
            for p in self.client.xpending_range(key, GROUP, min=_text(entries[0][0]), max=_text(entries[-1][0]),
                                                 count=len(entries) * 2, consumername=self.consumer)
        }
        out = []
        for d in self._deliveries(shard, entries, attempts=2):
            attempts = counts.get(d.entry_id, d.attempts)
            if attempts > MAX_ATTEMPTS:
                self._bury(d)
                continue
            out.append(replace(d, attempts=attempts))
        return out

    def touch(self, delivery: Delivery) -> None:
        """This consumer still has the entry (its replies wait, or it is retried here): reset its
        idle time so no other consumer reclaims it meanwhile (XCLAIM JUSTID does not count a
        delivery)."""
        self.client.xclaim(stream_key(delivery.shard), GROUP, self.consumer, 0, [delivery.entry_id], justid=True)

    def done(self, delivery: Delivery) -> None:
        """The entry's work is committed and its replies are out: forget it."""
        key = stream_key(delivery.shard)
        pipe = self.client.pipeline(transaction=False)
        pipe.xack(key, GROUP, delivery.entry_id)
        pipe.xdel(key, delivery.entry_id)
        pipe.execute()

    def depth(self) -> int:
        """Entries not yet done, over every shard (waiting or being worked on)."""
        self.ensure_groups()
        return sum(int(self.client.xlen(stream_key(s))) for s in range(self.shards))

    def _bury(self, d: Delivery) -> None:
        fields = {"k": d.kind, "r": d.routing_key, "p": json.dumps(d.payload, ensure_ascii=False), "id": d.entry_id}
        self.client.xadd(dead_key(d.shard), fields, maxlen=10_000, approximate=True)
        self.done(d)
        log.error("inbox entry dead-lettered after %d attempts (kind %s, shard %d)", MAX_ATTEMPTS, d.kind, d.shard)

    def _deliveries(self, shard: int, entries: list[Any], attempts: int) -> list[Delivery]:
        out = []
        for entry_id, fields in entries:
            if not fields:
                continue
            f = {_text(k): _text(v) for k, v in fields.items()}
            try:
                payload = json.loads(f.get("p", "{}"))
            except ValueError:
                payload = {}
            out.append(Delivery(shard, _text(entry_id), f.get("k", ""), f.get("r", ""), payload, attempts))
        return out


class InboxWorkers:
    """Reads every shard and hands entries to `threads` worker threads.

    One reader thread per shard blocks on XREADGROUP and, every `claim_idle_ms / 2`, reclaims
    what other consumers left. Entries are routed to a worker by their routing key, so one
    conversation is handled by one thread, in order. A handler that raises is retried here with
    backoff a few times (a Redis blip), then left pending: it is reclaimed after
    `claim_idle_ms`, by this process or another. A handler that returns a number of seconds has
    more to do later (replies paced): it is handed the entry again then, and the entry stays
    pending until it returns nothing.
    """

    def __init__(self, inbox: Inbox, handle: Callable[[Delivery], float | None], threads: int = 4,
                 on_error: Callable[[Exception], None] | None = None) -> None:
        self.inbox = inbox
        self.handle = handle
        self.on_error = on_error
        self.stopping = threading.Event()
        self.queues: list[queue.Queue[Delivery | None]] = [queue.Queue(maxsize=256) for _ in range(max(1, threads))]
        self.held: set[tuple[int, str]] = set()  # (shard, entry id) this process has queued, works on or will retry
        self.held_lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self) -> "InboxWorkers":
        for n, q in enumerate(self.queues):
            self.threads.append(_thread(f"inbox-worker-{n}", self._work, q))
        for shard in range(self.inbox.shards):
            self.threads.append(_thread(f"inbox-reader-{shard}", self._read, shard))
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        for q in self.queues:
            q.put(None)
        for t in self.threads:
            t.join(timeout)

    def _read(self, shard: int) -> None:
        next_claim = 0.0
        while not self.stopping.is_set():
            try:
                batch: list[Delivery] = []
                if time.monotonic() >= next_claim:
                    batch = self.inbox.reclaim(shard)
                    next_claim = time.monotonic() + self.inbox.claim_idle_ms / 2000
                batch += self.inbox.read(shard, block_ms=READ_BLOCK_MS)
            except Exception as exc:  # Redis away: wait and read again; nothing is lost
                self._error(exc)
                self.stopping.wait(0.5)
                continue
            for d in batch:
                with self.held_lock:
                    if (d.shard, d.entry_id) in self.held:
                        continue  # ours already (a reclaim of what we hold): not twice
                    self.held.add((d.shard, d.entry_id))
                self.queues[zlib.crc32(d.routing_key.encode()) % len(self.queues)].put(d)

    def _work(self, q: "queue.Queue[Delivery | None]") -> None:
        while True:
            d = q.get()
            if d is None:
                return
            try:
                later = self.handle(d)
            except Exception as exc:
                self._error(exc)
                if d.retries < LOCAL_RETRIES:  # Redis back within seconds: answered within seconds
                    self._later(q, d.retried(), min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** d.retries))
                else:
                    self._release(d)  # left pending: reclaimed after claim_idle_ms, by any process
                continue
            if later:  # the turn is done; its replies wait for the channel's pace
                self._later(q, d, later)
                continue
            try:
                self.inbox.done(d)
            except Exception as exc:  # done again after a reclaim: the turn is idempotent
                self._error(exc)
            self._release(d)

    def _release(self, d: Delivery) -> None:
        with self.held_lock:
            self.held.discard((d.shard, d.entry_id))

    def _later(self, q: "queue.Queue[Delivery | None]", d: Delivery, seconds: float) -> None:
        if self.stopping.is_set():
            return
        try:
            self.inbox.touch(d)  # still ours: no other process takes it over meanwhile
        except Exception:  # Redis away: another process may take it over, which is safe
            pass
        timer = threading.Timer(seconds, q.put, args=(d,))
        timer.daemon = True
        timer.start()

    def _error(self, exc: Exception) -> None:
        log.warning("inbox: %s", type(exc).__name__)
        if self.on_error is not None:
            self.on_error(exc)


def _thread(name: str, target: Callable[..., None], arg: Any) -> threading.Thread:
    t = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
    t.start()
    return t


def _streams(reply: Any) -> list[tuple[Any, list[Any]]]:
    """XREADGROUP's reply as (stream, entries) pairs (the client speaks RESP2)."""
    return [(stream, entries) for stream, entries in reply or []]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
