"""The hot path's few round trips, and that folding work into them loses nothing.

A prospect's message costs at most four Redis round trips from intake to acknowledgement
(issue 15): the intake queues it, takes it for its own process and reads what the turn needs
first, in one pipeline; the turn commits with one script (which also takes the drain lease
and the first reply's channel pace); the outbox's last write acknowledges the inbox entry.
These tests pin what each step must still guarantee."""

from __future__ import annotations

import re
import threading
import time

import pytest
import redis
import redis.connection

from bot.inbox import GROUP, Inbox, stream_key
from bot.lua import Lua, execute
from bot.slack import buttons
from bot.slack.buttons import Shown
from bot.store import Store, state_key
from bot.turn import Choice, Action, Inbound, Outbound
from tests.redis_cluster import RedisClusterServers
from tests.slack_sim.fake_api import FakeSlackAPI
from tests.slack_sim.inproc import InProcessApp

CHANNEL = "CSHARED1"
PROSPECT = "UPROS1"


@pytest.fixture(params=["redis", "cluster"])
def client(request: pytest.FixtureRequest):
    if request.param == "redis":
        return redis.Redis.from_url(request.getfixturevalue("redis_url"))
    servers: RedisClusterServers = request.getfixturevalue("cluster")
    servers.flush()
    return servers.client()


# -- the intake's take ------------------------------------------------------------------------

def test_the_intake_takes_its_own_entry_with_what_it_read(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set(state_key("T:C:1"), b'{"key":"T:C:1"}')
    inbox = Inbox(client, shards=2, consumer="a")
    entry_id, taken = inbox.take("T:C:1", "event", {"n": 1}, [state_key("T:C:1")])
    assert taken is not None and taken.entry_id == entry_id and taken.payload == {"n": 1}
    assert taken.prefetched is not None and taken.prefetched.values == {state_key("T:C:1"): b'{"key":"T:C:1"}'}
    # it is this consumer's now: nobody else reads it, and it waits for its acknowledgement
    assert Inbox(client, shards=2, consumer="b").read(taken.shard, block_ms=10) == []
    assert client.xpending(stream_key(taken.shard), GROUP)["pending"] == 1
    assert taken.again().prefetched is None and taken.retried().prefetched is None


def test_the_intake_takes_an_older_waiting_entry_first_and_leaves_its_own_to_the_readers(redis_url):
    client = redis.Redis.from_url(redis_url)
    inbox = Inbox(client, shards=1, consumer="a")
    older = inbox.put("T:C:old", "event", {"n": 0})
    entry_id, taken = inbox.take("T:C:new", "event", {"n": 1}, [state_key("T:C:new")])
    assert taken is not None and taken.entry_id == older and taken.prefetched is None  # not what was read for
    [left] = Inbox(client, shards=1, consumer="b").read_all(block_ms=10)
    assert left.entry_id == entry_id and left.payload == {"n": 1}


def test_on_a_cluster_the_take_reads_nothing_else(cluster):
    cluster.flush()
    inbox = Inbox(cluster.client(), shards=4, consumer="a")
    assert inbox.clustered
    entry_id, taken = inbox.take("T:C:1", "event", {"n": 1}, [state_key("T:C:1")])
    assert taken is not None and taken.entry_id == entry_id and taken.prefetched is None


def _commandstats(cluster: RedisClusterServers) -> dict[str, int]:
    """Calls per command, summed over the cluster's nodes."""
    total: dict[str, int] = {}
    for port in cluster.ports:
        for name, stats in redis.Redis(port=port).info("commandstats").items():
            total[name] = total.get(name, 0) + int(stats["calls"])
    return total


def test_on_a_cluster_a_shards_read_goes_straight_to_its_node(cluster):
    cluster.flush()
    writer, reader = Inbox(cluster.client(), shards=4, consumer="w"), Inbox(cluster.client(), shards=4, consumer="r")
    keys = [f"T:C:{n}" for n in range(12)]
    for key in keys:
        writer.put(key, "event", {"key": key})
    reader.ensure_groups()
    for port in cluster.ports:
        redis.Redis(port=port).config_resetstat()
    got = [d for shard in range(4) for d in reader.read(shard, block_ms=10, count=100)]
    assert sorted(d.routing_key for d in got) == sorted(keys)
    assert all(d.shard == reader.shard_of(d.routing_key) for d in got)
    calls = _commandstats(cluster)
    assert calls.get("cmdstat_xreadgroup") == 4  # one per shard, each to the node that holds it
    assert not any(name.startswith("cmdstat_command") for name in calls)  # no COMMAND GETKEYS first
    assert reader.read(0, block_ms=10) == []  # and a read with nothing new is an empty answer


def test_one_read_over_every_shard(redis_url):
    client = redis.Redis.from_url(redis_url)
    writer, reader = Inbox(client, shards=4, consumer="w"), Inbox(client, shards=4, consumer="r")
    keys = [f"T:C:{n}" for n in range(12)]
    for key in keys:
        writer.put(key, "event", {"key": key})
    got = reader.read_all(block_ms=10, count=100)
    assert sorted(d.routing_key for d in got) == sorted(keys)
    assert all(d.shard == reader.shard_of(d.routing_key) for d in got)


# -- scripts in pipelines ---------------------------------------------------------------------

def test_a_script_redis_forgot_is_run_again_in_full(redis_url):
    client = redis.Redis.from_url(redis_url)
    lua = Lua("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    client.script_flush()
    pipe = client.pipeline(transaction=False)
    queued = {0: lua.queue(pipe, ["n"], [2])}
    pipe.get("n")
    assert execute(pipe, client, queued) == [2, None]  # the GET ran before the script was redone
    assert lua.run(client, ["n"], [3]) == 5 and client.script_exists(lua.sha) == [True]


# -- the commit ---------------------------------------------------------------------------------

def test_a_commit_on_a_conversation_written_meanwhile_is_computed_again_from_what_is_stored(redis_url, content, faq_index):
    from bot.conversation import Engine

    a = Store(redis.Redis.from_url(redis_url))
    b = Store(redis.Redis.from_url(redis_url))
    ea, eb = Engine(a, content, faq_index), Engine(b, content, faq_index)
    key = "T:C:1700000000.000100"
    ea.handle(key, Inbound(text="見積もりお願いします", id="m1"))
    a.load(key)  # what `a` last saw, before `b` writes
    eb.handle(key, Inbound(text="売上5億です", id="m2"))
    [reply] = ea.handle(key, Inbound(text="製造業です", id="m3"))
    assert reply.quote is not None and reply.quote.monthly_yen == 5860  # b's sales were seen
    assert a.load(key).inbound_ids == ["m1", "m2", "m3"]


def test_the_transcript_keeps_a_quote_by_its_figures_and_an_answer_by_its_entry(redis_url, content, faq_index):
    from bot.conversation import Engine

    store = Store(redis.Redis.from_url(redis_url))
    engine = Engine(store, content, faq_index)
    key = "T:C:1700000000.000200"
    engine.handle(key, Inbound(text="売上5億の製造業です", id="m1"))
    lines = store.transcript(key)
    said = [e for e in lines if e["role"] == "bot"]
    assert said[0]["kind"] == "quote" and "text" not in said[0]
    assert said[0]["quote"] == {"sales": 500_000_000, "industry": "manufacturing", "plan": "plan1", "monthly": 5860}
    assert lines[0]["text"] == "売上5億の製造業です"  # what people write is kept as written


# -- the live buttons, decided before the last write -----------------------------------------------

def _out(kind: str, choices: bool = False, ends: bool = False) -> Outbound:
    picks = [Choice(Action.HANDOFF, "x", "person")] if choices else []
    return Outbound(kind=kind, text=kind, lang="ja", state="s", choices=picks, ends_buttons=ends)


def test_buttons_batch_keeps_the_newest_live_and_retires_the_rest():
    before = {"id": "old", "ts": "1.0", "out": _out("ask").to_record()}
    posted = [Shown("r1", "2.0", _out("quote", choices=True)), Shown("r2", "3.0", _out("faq")),
              Shown("r3", "4.0", _out("menu", choices=True))]
    op = buttons.batch(posted)
    assert op is not None and op[0] == "set" and op[1]["ts"] == "4.0"
    assert [r["ts"] for r in buttons.replaced(posted, before)] == ["1.0", "2.0"]
    assert buttons.batch([Shown("r1", "2.0", _out("faq"))]) is None
    ended = [Shown("r1", "2.0", _out("quote", choices=True)), Shown("r2", "3.0", _out("cancelled", ends=True))]
    assert buttons.batch(ended) == ("del", None)
    assert [r["ts"] for r in buttons.replaced(ended, before)] == ["1.0", "2.0"]


# -- the whole path, counted --------------------------------------------------------------------

_NAME = re.compile(rb"\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n")


def test_a_prospect_message_costs_at_most_four_round_trips_from_intake_to_acknowledgement(
        slack_runtime, redis_url, monkeypatch):
    """Counted on the wire: every command, pipeline or script call redis-py sends is one round
    trip. The readers' idle blocking reads are left out (they cost time, not messages). Posts
    are paced (the commit takes the pace), at a pace these few messages stay within: a reply
    Slack's pace holds back costs a second pass, by design."""
    sent: list[tuple[str, list[str]]] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def send(self, command, check_health=True):
        data = b"".join(command) if isinstance(command, (list, tuple)) else command
        sent.append((threading.current_thread().name, [n.decode().upper() for n in _NAME.findall(data)]))
        return original(self, command, check_health)

    with FakeSlackAPI(users={PROSPECT: {"name": "hanako", "team_id": "T_CUST"}}) as fake:
        bot = InProcessApp(slack_runtime, fake, redis_url, durable=True, post_interval_seconds=0.05, settle=False)
        try:
            _, _, root = bot.slack.message(CHANNEL, PROSPECT, "見積もりをお願いします")  # scripts loaded, people looked up
            fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root)
            time.sleep(0.3)
            monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", send)
            counts = []
            for text in ("売上は5億円です", "製造業です", "補償内容を教えてください"):
                start, posts = len(sent), len(fake.calls_to("chat.postMessage"))
                bot.slack.message(CHANNEL, PROSPECT, text, thread_ts=root)
                deadline = time.monotonic() + 10
                while len(fake.calls_to("chat.postMessage")) <= posts and time.monotonic() < deadline:
                    time.sleep(0.01)
                time.sleep(0.3)  # the write after the post
                trips = [names for thread, names in sent[start:] if not (thread == "inbox-reader" and names == ["XREADGROUP"])]
                assert any("XACK" in names for names in trips), trips  # acknowledged, within what was counted
                counts.append(len(trips))
        finally:
            bot.close()
    assert max(counts) <= 4, counts
