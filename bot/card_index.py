"""The agent channel's index: which handoff a card shows, and where an agent's relayed message
was copied (so a reply in a card's thread finds its conversation, and an edit or deletion of a
relayed message reaches the prospect's copy)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from bot.store_keys import card_key

CARD_TTL_SECONDS = 90 * 24 * 3600


class CardRef(NamedTuple):
    """The handoff an agent-channel card shows: its conversation and handoff id."""

    key: str
    handoff_id: str


class RelayRef(NamedTuple):
    """Where an agent's message was copied for the prospect, and whose conversation it is."""

    channel: str
    ts: str
    key: str


class CardIndex:
    """The Store's card and relay index (a mixin over the store's client)."""

    redis: Any

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
