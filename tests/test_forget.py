"""Forgetting a conversation (`python -m bot forget KEY`, bot/erasure.py): its state,
transcript, outbox, seen ids, handoff index entries and card index go; every other
conversation stays as it was. On one Redis and on the 3-master cluster."""

from __future__ import annotations

import json

import pytest

import bot.store
import bot.store_keys
from bot import erasure
from bot.cli import main
from bot.conversation import Engine
from bot.erasure import forget_conversation
from bot.handoffs import HandoffDesk
from bot.store import Store, connect
from bot.turn import Inbound
from tests.test_cli import UNREACHABLE, run_bot

GONE = "T1:C1:1700000000.000100"
KEPT = "T1:C2:1700000000.000200"
AGENTS = "CAGENTS"


@pytest.fixture(params=["redis", "cluster"])
def backend(request: pytest.FixtureRequest) -> tuple[Store, str]:
    """A connected store and the REDIS_URL that reaches it."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
    else:
        servers = request.getfixturevalue("cluster")
        servers.flush()
        url = servers.url.replace("redis://", "redis+cluster://", 1)
    return connect(url), url


def _handed_over(store: Store, engine: Engine, desk: HandoffDesk, key: str, card_ts: str) -> None:
    """A quote, then a handoff whose card was posted (as bot/slack/handoffs.py records it)."""
    engine.handle(key, Inbound(text="売上5億の製造業です", id=f"{key}:1"), outbox=True)
    engine.handle(key, Inbound(text="担当者と話したい", id=f"{key}:2"), outbox=True)
    handoff = store.load(key).handoff
    assert handoff is not None and handoff.is_open
    store.put_card(AGENTS, card_ts, key, handoff.id)
    desk.mark(key, handoff.id, announced=True, card_channel=AGENTS, card_ts=card_ts)


def _snapshot(store: Store, key: str) -> dict:
    conv = store.load(key)
    return {
        "state": conv.model_dump() if conv else None,
        "transcript": store.transcript(key),
        "outbox": store.outbox_size(key),
        "open": [c.key for c in store.open_handoffs()].count(key),
    }


@pytest.fixture()
def two_conversations(backend, content, faq_index):
    store, url = backend
    engine = Engine(store, content, faq_index)
    desk = HandoffDesk(store, content)
    _handed_over(store, engine, desk, GONE, "1700000001.000001")
    _handed_over(store, engine, desk, KEPT, "1700000002.000002")
    r = store.redis
    r.sadd(erasure.seen_key(GONE), "C1:1", "C1:2")
    r.zadd(bot.store.OPEN_HANDOFFS, {GONE: 1.0, KEPT: 2.0})  # listed by an earlier version too
    for n in range(erasure.OPEN_HANDOFF_SHARDS):  # and in every shard, as after a re-sharding
        r.zadd(f"handoffs:open:{{{n}}}", {GONE: 1.0})
    return store, url


def test_key_names_match_the_store():
    key = GONE
    assert erasure.conversation_keys(key)[:3] == [
        bot.store.state_key(key), bot.store.transcript_key(key), bot.store.outbox_key(key)]
    assert all(k.startswith(f"conv:{{{key}}}:") for k in erasure.conversation_keys(key))
    assert {bot.store.drain_key(key), bot.store.leased_key(key)} <= set(erasure.conversation_keys(key))
    assert erasure.card_key("C", "1.2") == bot.store_keys.card_key("C", "1.2")
    assert erasure.LEGACY_OPEN_HANDOFFS == bot.store.OPEN_HANDOFFS
    assert erasure.OPEN_HANDOFF_SHARDS == bot.store.OPEN_HANDOFF_SHARDS
    assert bot.store.open_index_key(key) in erasure.open_index_keys()


def test_forgetting_deletes_one_conversation_and_nothing_else(two_conversations):
    store, _ = two_conversations
    r = store.redis
    kept_before = _snapshot(store, KEPT)
    transcript_len = len(store.transcript(GONE))
    outbox_len = store.outbox_size(GONE)
    assert transcript_len >= 4 and outbox_len >= 2

    removed = forget_conversation(r, GONE)

    shards = {f"handoffs:open:{{{n}}}": 1 for n in range(erasure.OPEN_HANDOFF_SHARDS)}
    assert removed == {
        f"conv:{{{GONE}}}:state": 1,
        f"conv:{{{GONE}}}:transcript": transcript_len,
        f"conv:{{{GONE}}}:outbox": outbox_len,
        f"conv:{{{GONE}}}:seen": 2,
        f"conv:{{{GONE}}}:drain": 1,   # its replies' drain lease (the commit took it; nobody drained)
        f"conv:{{{GONE}}}:leased": 1,  # and how many replies it was handed
        f"card:{AGENTS}:1700000001.000001": 1,
        "handoffs:open": 1,
        **shards,
    }
    for name in erasure.conversation_keys(GONE) + [f"card:{AGENTS}:1700000001.000001"]:
        assert r.exists(name) == 0, name
    for index in erasure.open_index_keys():
        assert r.zscore(index, GONE) is None, index
    assert store.load(GONE) is None and store.card(AGENTS, "1700000001.000001") is None
    assert [c.key for c in store.open_handoffs()] == [KEPT]

    assert _snapshot(store, KEPT) == kept_before
    assert store.card(AGENTS, "1700000002.000002").key == KEPT
    assert r.zscore(bot.store.OPEN_HANDOFFS, KEPT) == 2.0

    assert forget_conversation(r, GONE) == {}  # a second time: nothing left


def test_a_card_index_of_another_conversation_is_not_deleted(two_conversations, content):
    """The state names the card; the card index is deleted only if it points back."""
    store, _ = two_conversations
    gone = store.load(GONE)
    kept_card = store.load(KEPT).handoff
    HandoffDesk(store, content).mark(GONE, gone.handoff.id, card_channel=kept_card.card_channel,
                                  card_ts=kept_card.card_ts)
    removed = forget_conversation(store.redis, GONE)
    assert not any(name.startswith("card:") for name in removed)
    assert store.card(AGENTS, kept_card.card_ts).key == KEPT
    assert store.card(AGENTS, "1700000001.000001").key == GONE  # its own card, now unnamed, stays


def test_a_conversation_without_handoff_or_outbox(backend, content, faq_index):
    store, _ = backend
    Engine(store, content, faq_index).handle(GONE, Inbound(text="こんにちは"))
    assert forget_conversation(store.redis, GONE) == {
        f"conv:{{{GONE}}}:state": 1, f"conv:{{{GONE}}}:transcript": 2}
    with pytest.raises(ValueError):
        forget_conversation(store.redis, "")


def test_cli_prints_key_names_and_counts_only(two_conversations, monkeypatch, capsys):
    store, url = two_conversations
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.delenv("REDIS_CLUSTER", raising=False)
    assert main(["forget", GONE]) == 0
    out = capsys.readouterr().out
    assert f"Forgot conversation {GONE}" in out
    assert f"conv:{{{GONE}}}:state" in out and f"conv:{{{GONE}}}:transcript" in out
    assert "handoffs:open:{7}" in out and f"card:{AGENTS}:1700000001.000001" in out
    assert "担当者" not in out and "製造業" not in out and "5億" not in out  # nothing they said
    assert KEPT not in out
    assert store.load(KEPT) is not None

    assert main(["forget", GONE]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Nothing is stored for conversation {GONE}")


def test_cli_json(two_conversations, monkeypatch, capsys):
    _, url = two_conversations
    monkeypatch.setenv("REDIS_URL", url)
    assert main(["forget", "--json", KEPT]) == 0
    removed = json.loads(capsys.readouterr().out)
    assert removed[f"conv:{{{KEPT}}}:state"] == 1 and "handoffs:open" in removed
    assert main(["forget", "--json", KEPT]) == 1
    assert json.loads(capsys.readouterr().out) == {}


def test_cli_in_a_process(redis_url):
    proc = run_bot(["forget", GONE], REDIS_URL=redis_url)
    assert proc.returncode == 1, proc.stderr
    assert "Nothing is stored" in proc.stdout


@pytest.mark.parametrize("env", [{}, {"REDIS_URL": UNREACHABLE}])
def test_cli_without_redis_stops_with_one_clean_message(env):
    proc = run_bot(["forget", GONE], **env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "REDIS_URL" in proc.stderr
    assert "Traceback" not in proc.stderr
