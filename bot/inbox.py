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
import socket
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import redis

from bot.lua import Lua, Queued
from bot.lua import execute as lua_execute

log = logging.getLogger(__name__)

GROUP = "bot"
DEFAULT_SHARDS = 8
MAX_ATTEMPTS = 5
READ_BLOCK_MS = 2000  # how long a reader waits for new entries (its client's timeout must be longer)
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
    # Read with the entry's intake, in the same round trip (`Inbox.take`): good for its first
    # handling only (a retry or a later pass reads afresh).
    prefetched: "Prefetched | None" = field(default=None, compare=False)

    def retried(self) -> "Delivery":
        return replace(self, retries=self.retries + 1, prefetched=None)

    def again(self) -> "Delivery":
        return replace(self, prefetched=None)


@dataclass(frozen=True)
class Prefetched:
    """What the intake read with the write that queued the entry: values of `keys` (GET), and
    the results of the extra scripts it was asked to run (the person's rate rank)."""

    values: dict[str, bytes | None]
    extras: dict[str, Any]


class Acknowledged:
    """A handler's answer meaning "done, and I acknowledged the entry myself" (with my last
    write, in the same round trip): the workers need not."""


ACKNOWLEDGED = Acknowledged()

# Queue the entry and take the oldest entry of the shard nobody has been handed yet (most
# often this one) for this consumer, in one round trip. KEYS[1] stream. ARGV group, consumer,
# maxlen, then the entry's fields k, r, p.
_TAKE = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'k', ARGV[4], 'r', ARGV[5], 'p', ARGV[6])
local got = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', '1', 'STREAMS', KEYS[1], '>')
return {id, got}
"""
_TAKE_SCRIPT = Lua(_TAKE)


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
        # On one Redis every shard is read with one XREADGROUP, and the intake's take shares a
        # pipeline with its reads; a Redis Cluster has the shards on different nodes.
        self.clustered = type(client).__name__ == "RedisCluster"

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

    def take(self, routing_key: str, kind: str, payload: dict[str, Any], read: list[str] = (),  # type: ignore[assignment]
             scripts: dict[str, tuple[Lua, list[Any], list[Any]]] | None = None) -> tuple[str, Delivery | None]:
        """`put`, and in the same round trip take for this consumer the shard's oldest entry
        nobody has been handed (usually this one: the caller hands it to its own workers), read
        `read` (GET) and run `scripts` (name: script, keys, args). The taken entry, when it is
        this one, carries what was read (`Delivery.prefetched`). On a Redis Cluster only the
        take is done here (the other keys live elsewhere)."""
        self.ensure_groups()
        shard = self.shard_of(routing_key)
        args = [GROUP, self.consumer, STREAM_MAXLEN, kind, routing_key,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":"))]
        client = self.intake_client
        names = [] if self.clustered else list(scripts or {})
        if self.clustered:
            read = []
        try:
            if self.clustered:  # a cluster pipeline carries no scripts; the other keys live elsewhere
                results = [_TAKE_SCRIPT.run(client, [stream_key(shard)], args)]
            else:
                pipe = client.pipeline(transaction=False)
                queued: dict[int, Queued] = {0: _TAKE_SCRIPT.queue(pipe, [stream_key(shard)], args)}
                for key in read:
                    pipe.get(key)
                for n, name in enumerate(names):
                    lua, keys, sargs = scripts[name]  # type: ignore[index]
                    queued[1 + len(read) + n] = lua.queue(pipe, keys, sargs)
                results = lua_execute(pipe, client, queued)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._groups_ready = False  # Redis lost its data; the entry was written: readers find it
            self.ensure_groups()
            return self.put(routing_key, kind, payload), None
        entry_id, got = _text(results[0][0]), results[0][1]
        taken = [d for _, entries in _script_streams(got) for d in self._deliveries(shard, entries, attempts=1)]
        if not taken:
            return entry_id, None
        d = taken[0]
        if d.entry_id == entry_id and (read or names):
            values = dict(zip(read, results[1:1 + len(read)]))
            extras = dict(zip(names, results[1 + len(read):]))
            d = replace(d, prefetched=Prefetched(values, extras))
        return entry_id, d

    # -- reading ----------------------------------------------------------------------------

    def read_all(self, block_ms: int = 1000, count: int = 32) -> list[Delivery]:
        """New entries of every shard for this consumer, with one XREADGROUP (one Redis)."""
        return self._read(range(self.shards), block_ms, count)

    def read(self, shard: int, block_ms: int = 1000, count: int = 32) -> list[Delivery]:
        """New entries of one shard for this consumer (blocks up to `block_ms`)."""
        return self._read([shard], block_ms, count)

    def _read(self, shards: Iterable[int], block_ms: int, count: int) -> list[Delivery]:
        self.ensure_groups()
        streams = {stream_key(s): ">" for s in shards}
        try:
            reply = self._xreadgroup(streams, count, block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # Redis lost its data (a restart without persistence, a failover, a flush): the
            # group is made again from the start of whatever the stream holds now.
            self._groups_ready = False
            self.ensure_groups()
            return []
        return [d for stream, entries in _streams(reply) for d in self._deliveries(_shard_of_stream(stream), entries, 1)]

    def _xreadgroup(self, streams: dict[str, str], count: int, block_ms: int) -> Any:
        """On a cluster a reader reads one shard, and is sent straight to the node that holds
        it: redis-py cannot tell XREADGROUP's keys from its arguments, so without a target it
        asks a node first (COMMAND GETKEYS), a round trip before every read."""
        reader = self.blocking_client
        if not (self.clustered and len(streams) == 1):
            return reader.xreadgroup(GROUP, self.consumer, streams, count=count, block=block_ms)
        [key] = streams
        try:
            node = reader.get_node_from_key(key)
        except redis.RedisError:  # the slot map is out of date: the client's own way finds the node
            return reader.xreadgroup(GROUP, self.consumer, streams, count=count, block=block_ms)
        return reader.execute_command("XREADGROUP", "GROUP", GROUP, self.consumer, "COUNT", count,
                                      "BLOCK", block_ms, "STREAMS", key, ">", target_nodes=node)

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
        pipe = self.client.pipeline(transaction=False)
        self.ack_into(pipe, delivery)
        pipe.execute()

    def ack_into(self, pipe: Any, delivery: Delivery) -> None:
        """Queue `done`'s commands on a pipeline that goes out anyway (the outbox's last write)."""
        key = stream_key(delivery.shard)
        pipe.xack(key, GROUP, delivery.entry_id)
        pipe.xdel(key, delivery.entry_id)

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


def _streams(reply: Any) -> list[tuple[Any, list[Any]]]:
    """XREADGROUP's reply as (stream, entries) pairs (the client speaks RESP2)."""
    return [(stream, entries) for stream, entries in reply or []]


def _script_streams(reply: Any) -> list[tuple[Any, list[Any]]]:
    """XREADGROUP's reply as a script hands it back: fields as a flat list, not a mapping."""
    out = []
    for stream, entries in reply or []:
        out.append((stream, [(eid, _pairs(flat)) for eid, flat in entries or []]))
    return out


def _pairs(flat: Any) -> dict[Any, Any] | None:
    if flat is None:
        return None
    if isinstance(flat, dict):
        return flat
    return dict(zip(flat[0::2], flat[1::2]))


def _shard_of_stream(stream: Any) -> int:
    name = _text(stream)  # inbox:{N}
    return int(name[name.index("{") + 1:name.index("}")])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
