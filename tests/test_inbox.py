"""The durable inbox on a real redis-server: nothing acknowledged is lost, nothing is done twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis

from bot.inbox import MAX_ATTEMPTS, Delivery, Inbox, dead_key, stream_key
from bot.inbox_workers import InboxWorkers
from tests.redis_cluster import RedisClusterServers


@pytest.fixture(params=["redis", "cluster"])
def new_client(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """A client factory on a clean single Redis or a clean 3-master Redis Cluster."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return lambda: redis.Redis.from_url(url)
    servers: RedisClusterServers = request.getfixturevalue("cluster")
    servers.flush()
    return servers.client


def test_an_entry_is_read_once_by_one_consumer_and_gone_when_done(new_client):
    a, b = Inbox(new_client(), shards=2, consumer="a"), Inbox(new_client(), shards=2, consumer="b")
    a.put("T:C:1", "message", {"text": "売上5億"})
    shard = a.shard_of("T:C:1")
    got = a.read(shard, block_ms=10)
    assert [(d.kind, d.routing_key, d.payload) for d in got] == [("message", "T:C:1", {"text": "売上5億"})]
    assert b.read(shard, block_ms=10) == []  # the group hands an entry to one consumer
    a.done(got[0])
    assert a.depth() == 0


def test_what_a_dead_consumer_left_is_claimed_by_another_after_it_idles(new_client):
    dead = Inbox(new_client(), shards=1, consumer="dead", claim_idle_ms=50)
    alive = Inbox(new_client(), shards=1, consumer="alive", claim_idle_ms=50)
    dead.put("T:C:9", "message", {"n": 1})
    [taken] = dead.read(0, block_ms=10)  # ... and the process dies before done()
    assert alive.reclaim(0) == []  # not idle long enough yet
    time.sleep(0.08)
    [again] = alive.reclaim(0)
    assert again.entry_id == taken.entry_id and again.attempts == 2 and again.payload == {"n": 1}
    alive.done(again)
    assert alive.depth() == 0


def test_an_entry_that_keeps_failing_is_dead_lettered_not_retried_forever(new_client):
    client = new_client()
    inbox = Inbox(client, shards=1, consumer="c", claim_idle_ms=1)
    inbox.put("T:C:poison", "message", {"bad": True})
    inbox.read(0, block_ms=10)
    claimed = []
    for _ in range(MAX_ATTEMPTS + 1):
        time.sleep(0.005)
        claimed += inbox.reclaim(0)
    assert len(claimed) == MAX_ATTEMPTS - 1  # deliveries 2..MAX_ATTEMPTS, then buried
    assert client.xlen(dead_key(0)) == 1
    assert client.xlen(stream_key(0)) == 0


def test_workers_handle_every_entry_once_in_order_per_conversation(new_client):
    inbox = Inbox(new_client(), shards=3, claim_idle_ms=10_000)
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def handle(d: Delivery) -> None:
        with lock:
            seen.append((d.routing_key, d.payload["n"]))

    workers = InboxWorkers(inbox, handle, threads=3).start()
    try:
        for n in range(30):
            inbox.put(f"T:C:{n % 5}", "message", {"n": n})
        deadline = time.monotonic() + 10
        while len(seen) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        workers.stop()
    assert sorted(n for _, n in seen) == list(range(30))
    for conv in range(5):
        mine = [n for key, n in seen if key == f"T:C:{conv}"]
        assert mine == sorted(mine)
    assert inbox.depth() == 0


def test_a_handler_that_raises_is_retried_by_the_same_process_with_backoff(new_client):
    inbox = Inbox(new_client(), shards=1, claim_idle_ms=60_000)  # no reclaim within the test
    calls: list[int] = []
    done = threading.Event()

    def handle(d: Delivery) -> None:
        calls.append(d.retries)
        if len(calls) == 1:
            raise RuntimeError("Slack was down")
        done.set()

    workers = InboxWorkers(inbox, handle, threads=1).start()
    try:
        inbox.put("T:C:r", "message", {})
        assert done.wait(5)
    finally:
        workers.stop()
    assert calls == [0, 1]
    deadline = time.monotonic() + 5
    while inbox.depth() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert inbox.depth() == 0


def test_a_handler_that_asks_for_later_is_handed_the_entry_again_and_it_stays_pending_meanwhile(new_client):
    inbox = Inbox(new_client(), shards=1, claim_idle_ms=60_000)
    calls: list[float] = []
    done = threading.Event()

    def handle(d: Delivery) -> float | None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            assert inbox.depth() == 1
            return 0.3
        done.set()
        return None

    workers = InboxWorkers(inbox, handle, threads=1).start()
    try:
        inbox.put("T:C:later", "message", {})
        assert done.wait(5)
    finally:
        workers.stop()
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.3
