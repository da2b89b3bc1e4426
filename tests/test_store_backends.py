"""The store as served, on one Redis and on a real 3-master Redis Cluster: turns and their
redeliveries, the outbox, the sharded index of open handoffs, once-only claims, locks, and
the claim race between agents. Every multi-key write must stay inside one hash slot, which a
cluster enforces (CROSSSLOT) where a single server would not."""

from __future__ import annotations

import threading

import pytest

from bot.conversation import Engine
from bot.handoffs import HandoffDesk, HandoffRefused
from bot.store import Store, connect
from bot.turn import Inbound


@pytest.fixture(params=["redis", "cluster"])
def backend(request: pytest.FixtureRequest) -> Store:
    if request.param == "redis":
        return connect(request.getfixturevalue("redis_url"))
    servers = request.getfixturevalue("cluster")
    servers.flush()
    return connect(servers.url.replace("redis://", "redis+cluster://", 1))


@pytest.fixture()
def backend_engine(backend, content, faq_index) -> Engine:
    return Engine(backend, content, faq_index)


def test_a_quote_and_its_redelivery_on_each_backend(backend_engine, backend):
    key = "T:C:1700000000.000100"
    assert backend_engine.handle(key, Inbound(text="見積もりお願いします", id="C:1"), outbox=True)
    [quote] = backend_engine.handle(key, Inbound(text="売上5億の製造業です", id="C:2"), outbox=True)
    assert quote.quote is not None and quote.quote.monthly_yen == 5860
    assert backend_engine.handle(key, Inbound(text="売上5億の製造業です", id="C:2"), outbox=True) == []
    conv = backend.load(key)
    assert conv.turns == 2 and conv.inbound_ids == ["C:1", "C:2"]
    assert backend.outbox_size(key) == 2
    lease = backend.lease(key)  # the one the first commit took, for this thread
    assert lease is not None and [i.id for i in lease.items] == ["C:1#0"] and lease.before == 0
    assert backend.lease(key) is None  # one drainer at a time
    finished = backend.finish(lease, 1)  # the second turn's reply came meanwhile: kept, with it
    assert finished.more is not None and [i.id for i in finished.more.items] == ["C:2#0"]
    assert backend.outbox_size(key) == 1
    assert backend.finish(finished.more, 0, release=True).more is None
    again = backend.lease(key)
    assert again is not None and [i.id for i in again.items] == ["C:2#0"] and not again.attempted(0)


def test_a_drainer_that_dies_leaves_its_replies_marked_as_maybe_posted(backend_engine, backend, monkeypatch):
    """A lease expires if its holder dies; the next one is told which entries it was handed
    (they may be in Slack already, so they are looked for before they are posted)."""
    import time

    import bot.store

    monkeypatch.setattr(bot.store, "LEASE_MS", 200)
    key = "T:C:1700000000.000200"
    backend_engine.handle(key, Inbound(text="売上5億の製造業です", id="C:9"), outbox=True)
    dead = backend.lease(key)
    assert dead is not None and len(dead.items) == 1  # ... and its holder dies here
    assert backend.lease(key) is None
    time.sleep(0.3)
    heir = backend.lease(key)
    assert heir is not None and heir.before == 1 and heir.attempted(0)
    assert backend.finish(heir, 1).more is None
    assert backend.outbox_size(key) == 0
    assert backend.finish(dead, 0).more is None  # the dead one's token no longer holds anything


def test_open_handoffs_across_index_shards(backend_engine, backend):
    keys = [f"T:C{n}:1700000000.0001{n:02d}" for n in range(12)]
    for key in keys:
        backend_engine.handle(key, Inbound(text="担当者と話したい"))
    assert sorted(c.key for c in backend.open_handoffs()) == sorted(keys)


def test_once_only_and_locks(backend):
    assert backend.first_time("click:C:1", 60) and not backend.first_time("click:C:1", 60)
    with backend.try_lock("announce:h1", 5) as mine:
        with backend.try_lock("announce:h1", 5) as theirs:
            assert mine and not theirs


def test_a_lease_is_kept_or_given_back_only_by_its_holder(backend):
    first = backend.lease_once("job", 60)
    assert first is not None and backend.lease_once("job", 60) is None
    assert not backend.keep("job", "someone-else", 3600)  # not theirs: nothing changes
    assert 0 < backend.redis.ttl("once:job") <= 60
    backend.forget("job", "someone-else")
    assert backend.lease_once("job", 60) is None
    assert backend.keep("job", first, 3600) and backend.redis.ttl("once:job") > 60
    # the holder's lease ran out and another took it: the first can neither keep nor drop it
    backend.redis.delete("once:job")
    second = backend.lease_once("job", 60)
    assert second is not None and not backend.keep("job", first, 3600)
    backend.forget("job", first)
    assert backend.lease_once("job", 60) is None
    backend.forget("job", second)
    assert backend.lease_once("job", 60) is not None


def test_two_agents_claiming_at_once_have_exactly_one_winner(backend_engine, backend, content):
    key = "T:CRACE:1700000000.000100"
    backend_engine.handle(key, Inbound(text="担当者と話したい"))
    handoff_id = backend.load(key).handoff.id
    results: list[str] = []
    start = threading.Barrier(4)

    def claim(agent: str) -> None:
        desk = HandoffDesk(backend, content)
        start.wait()
        try:
            desk.claim(key, handoff_id, agent, agent)
            results.append(f"won:{agent}")
        except HandoffRefused as refused:
            results.append(refused.why)

    threads = [threading.Thread(target=claim, args=(f"UAG{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    winners = [r for r in results if r.startswith("won:")]
    assert len(winners) == 1 and results.count("taken") == 3
    assert backend.load(key).handoff.agent_id == winners[0][4:]
