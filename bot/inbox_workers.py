"""The inbox's readers and worker threads in one process: entries in, turns done in order.

See bot/inbox.py for the inbox itself (what is durable, and when an entry is acknowledged).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from bot.inbox import READ_BLOCK_MS, Acknowledged, Delivery, Inbox

log = logging.getLogger(__name__)

LOCAL_RETRIES = 6
RETRY_BASE_SECONDS = 0.5
RETRY_CAP_SECONDS = 8.0


class InboxWorkers:
    """Reads every shard and hands entries to `threads` worker threads.

    One reader thread blocks on XREADGROUP over every shard (on a Redis Cluster, one per shard)
    and, every `claim_idle_ms / 2`, reclaims what other consumers left; entries the intake took
    itself come in through `submit`. Entries are routed to a worker by their routing key, so one
    conversation is handled by one thread, in order. A handler that raises is retried here with
    backoff a few times (a Redis blip), then left pending: it is reclaimed after
    `claim_idle_ms`, by this process or another. A handler that returns a number of seconds has
    more to do later (replies paced): it is handed the entry again then, and the entry stays
    pending until it returns nothing.
    """

    def __init__(self, inbox: Inbox, handle: Callable[[Delivery], "float | Acknowledged | None"], threads: int = 4,
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
        if self.inbox.clustered:
            for shard in range(self.inbox.shards):
                self.threads.append(_thread(f"inbox-reader-{shard}", self._read, shard))
        else:
            self.threads.append(_thread("inbox-reader", self._read, None))
        return self

    def submit(self, d: Delivery) -> bool:
        """Hand this process's workers an entry it took itself (at intake); False if it is held
        already or the workers are full (then it stays pending, and is reclaimed)."""
        with self.held_lock:
            if (d.shard, d.entry_id) in self.held:
                return False
            self.held.add((d.shard, d.entry_id))
        try:
            self.queues[zlib.crc32(d.routing_key.encode()) % len(self.queues)].put_nowait(d)
        except queue.Full:
            self._release(d)
            return False
        return True

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        for q in self.queues:
            q.put(None)
        for t in self.threads:
            t.join(timeout)

    def _read(self, shard: int | None) -> None:
        """Read one shard (None: all of them, one Redis) and reclaim what others left."""
        next_claim = 0.0
        while not self.stopping.is_set():
            try:
                batch: list[Delivery] = []
                if time.monotonic() >= next_claim:
                    for s in range(self.inbox.shards) if shard is None else [shard]:
                        batch += self.inbox.reclaim(s)
                    next_claim = time.monotonic() + self.inbox.claim_idle_ms / 2000
                if shard is None:
                    batch += self.inbox.read_all(block_ms=READ_BLOCK_MS)
                else:
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
            if isinstance(later, Acknowledged):  # acknowledged with the handler's last write
                self._release(d)
                continue
            if later:  # the turn is done; its replies wait for the channel's pace
                self._later(q, d.again(), later)
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
