"""Forgetting one conversation (a prospect's deletion request): everything the store keeps
under its key goes, and nothing of any other conversation.

What a conversation `K` has in Redis:

- `conv:{K}:state`, `conv:{K}:transcript`, `conv:{K}:outbox`, `conv:{K}:seen`,
  `conv:{K}:buttons` (the message whose buttons are live, with its text): its own keys,
  hash-tagged so they sit in one Redis Cluster slot;
- the member `K` of the indexes of open handoffs: the unsharded `handoffs:open` of earlier
  versions and its shards `handoffs:open:{0}` .. `handoffs:open:{7}` (removed from every one,
  not only from the shard K hashes to, so a change of sharding leaves nothing behind);
- the card index `card:<channel>:<ts>` of the handoff card posted for it, found from the
  state's `handoff.card_channel` / `handoff.card_ts` and deleted only if it points back at K.

The result names each key something was removed from and how much (entries of a list, members
of a set, 1 for a value): key names and counts only, never what they held.
"""

from __future__ import annotations

import json
from typing import Any

from bot.store import state_key, transcript_key

# Key names kept here rather than imported: bot/store.py is where they are written, and these
# must match it (tests/test_forget.py creates conversations through the store and checks).
LEGACY_OPEN_HANDOFFS = "handoffs:open"  # the unsharded index (bot/store.py OPEN_HANDOFFS)
OPEN_HANDOFF_SHARDS = 8                 # handoffs:open:{0} .. handoffs:open:{7}


def outbox_key(key: str) -> str:
    """Replies waiting to be posted (bot/store.py `outbox_key`)."""
    return f"conv:{{{key}}}:outbox"


def seen_key(key: str) -> str:
    """Inbound ids the conversation has taken, if kept beside the state."""
    return f"conv:{{{key}}}:seen"


def buttons_key(key: str) -> str:
    """The message whose buttons are live (bot/store.py `buttons_key`)."""
    return f"conv:{{{key}}}:buttons"


def open_index_keys() -> list[str]:
    return [LEGACY_OPEN_HANDOFFS] + [f"handoffs:open:{{{n}}}" for n in range(OPEN_HANDOFF_SHARDS)]


def card_key(channel: str, ts: str) -> str:
    """The agent channel's card index (bot/store.py `card_key`)."""
    return f"card:{channel}:{ts}"


def drain_keys(key: str) -> list[str]:
    """The outbox's drain lease and its count of entries handed out (bot/outbox_lease.py)."""
    return [f"conv:{{{key}}}:drain", f"conv:{{{key}}}:leased"]


def conversation_keys(key: str) -> list[str]:
    return [state_key(key), transcript_key(key), outbox_key(key), seen_key(key), buttons_key(key), *drain_keys(key)]


_SIZE = {"string": None, "list": "llen", "set": "scard", "zset": "zcard", "hash": "hlen", "stream": "xlen"}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _size(client: Any, name: str) -> int:
    """How much `name` holds: 0 if absent, 1 for a value, else its entries."""
    kind = _text(client.type(name))
    if kind == "none":
        return 0
    command = _SIZE.get(kind)
    return 1 if command is None else int(getattr(client, command)(name))


def _card(client: Any, key: str) -> str | None:
    """The card index key of the conversation's handoff card, if it still points at `key`."""
    raw = client.get(state_key(key))
    if raw is None:
        return None
    try:
        handoff = (json.loads(raw).get("handoff") or {})
    except (ValueError, AttributeError):
        return None
    channel, ts = handoff.get("card_channel"), handoff.get("card_ts")
    if not channel or not ts:
        return None
    name = card_key(channel, ts)
    value = client.get(name)
    if value is None:
        return None
    try:
        points_here = json.loads(value).get("key") == key
    except (ValueError, AttributeError):
        return None
    return name if points_here else None


def forget_conversation(client: Any, key: str) -> dict[str, int]:
    """Delete everything stored for conversation `key` on `client` (a redis-py Redis or
    RedisCluster). Returns {key name: entries removed} for what was there; empty if nothing was.

    The state is read first (it names the handoff card) and deleted last, so an interrupted run
    can be repeated and finishes the job."""
    if not key:
        raise ValueError("a conversation key is required")
    removed: dict[str, int] = {}
    card = _card(client, key)
    if card is not None and int(client.delete(card)):
        removed[card] = 1
    for index in open_index_keys():
        if int(client.zrem(index, key)):
            removed[index] = 1
    state = state_key(key)
    for name in [k for k in conversation_keys(key) if k != state] + [state]:
        size = _size(client, name)
        if int(client.delete(name)):
            removed[name] = max(size, 1)
    order = [*conversation_keys(key), card, *open_index_keys()]
    return {name: removed[name] for name in order if name in removed}
