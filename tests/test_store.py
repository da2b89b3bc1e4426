"""The store on a real Redis: one hash slot per turn, and the index of open handoffs."""

from __future__ import annotations

import time

from redis.crc import key_slot

from bot.handoffs import HandoffDesk
from bot.store import OPEN_HANDOFFS, open_index_key
from bot.turn import Inbound


def _spy_on_transactions(store, monkeypatch) -> list[list[str]]:
    """Record the keys each commit script writes (the turn's one write)."""
    seen: list[list[str]] = []
    for name in ("evalsha", "eval"):
        original = getattr(store.redis, name)

        def recording(script, numkeys, *keys_and_args, _original=original):
            keys = [k.decode() if isinstance(k, bytes) else str(k) for k in keys_and_args[:numkeys]]
            if any(k.endswith(":state") for k in keys):
                seen.append(keys)
            return _original(script, numkeys, *keys_and_args)

        monkeypatch.setattr(store.redis, name, recording)
    return seen


def test_every_turn_writes_within_one_cluster_slot(engine, store, monkeypatch):
    seen = _spy_on_transactions(store, monkeypatch)
    key = "T1:C1:1700000000.000100"
    for text in ("こんにちは", "売上5億の製造業です", "担当者と話したい", "まだですか"):
        engine.handle(key, Inbound(text=text))
    desk = HandoffDesk(store, engine.content)
    handoff_id = store.load(key).handoff.id
    desk.claim(key, handoff_id, "U_AGENT", "Sato")
    desk.close(key, handoff_id, "U_AGENT", "answered")
    assert len(seen) >= 6
    for keys in seen:
        assert keys and len({key_slot(k.encode()) for k in keys}) == 1, keys


def test_open_handoffs_lists_waiting_and_claimed_oldest_first_and_forgets_closed(engine, store):
    desk = HandoffDesk(store, engine.content)
    for key in ("T:C:first", "T:C:second"):
        engine.handle(key, Inbound(text="担当者と話したい"))
        time.sleep(0.01)
    assert [c.key for c in store.open_handoffs()] == ["T:C:first", "T:C:second"]
    first = store.load("T:C:first").handoff.id
    desk.claim("T:C:first", first, "U_AGENT", "Sato")
    assert [c.handoff.status for c in store.open_handoffs()] == ["claimed", "waiting"]
    desk.close("T:C:first", first, "U_AGENT", "answered")
    assert [c.key for c in store.open_handoffs()] == ["T:C:second"]
    assert store.redis.zscore(open_index_key("T:C:first"), "T:C:first") is None


def test_index_entries_without_an_open_handoff_are_skipped_and_old_ones_dropped(engine, store):
    engine.handle("T:C:quoted", Inbound(text="売上5億の製造業です"))
    now = time.time()
    # A turn that indexed a handoff but lost its race, long ago; one in flight right now; one
    # whose conversation expired.
    # Written to the shard each key belongs to, and to the unsharded index of earlier versions.
    for key, score in {"T:C:quoted": now - 3600, "T:C:in-flight": now, "T:C:expired": now - 3600}.items():
        store.redis.zadd(open_index_key(key), {key: score})
    store.redis.zadd(OPEN_HANDOFFS, {"T:C:legacy-expired": now - 3600, "T:C:legacy-in-flight": now})
    assert store.open_handoffs() == []
    left = {k.decode() for index in {open_index_key(k) for k in ("T:C:quoted", "T:C:in-flight", "T:C:expired")}
            for k in store.redis.zrange(index, 0, -1)}
    assert left == {"T:C:in-flight"}
    assert {k.decode() for k in store.redis.zrange(OPEN_HANDOFFS, 0, -1)} == {"T:C:legacy-in-flight"}
