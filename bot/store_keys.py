"""Where a conversation lives in Redis: its keys, each with the conversation key as a hash tag
(`conv:{T:C:ts}:state`), so every key of one conversation is in one Redis Cluster slot."""

from __future__ import annotations

import zlib

OPEN_HANDOFF_SHARDS = 8


def state_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:state"


def key_of_state(key: str) -> str:
    """`state_key`'s inverse: the conversation key of `conv:{K}:state`."""
    return key[len("conv:{"):-len("}:state")]


def transcript_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:transcript"


def outbox_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:outbox"


def drain_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:drain"


def leased_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:leased"


def buttons_key(conversation_key: str) -> str:
    return f"conv:{{{conversation_key}}}:buttons"


def open_index_key(conversation_key: str) -> str:
    """The shard of the open-handoffs index this conversation is listed in."""
    return f"handoffs:open:{{{zlib.crc32(conversation_key.encode()) % OPEN_HANDOFF_SHARDS}}}"


def card_key(channel: str, ts: str) -> str:
    return f"card:{channel}:{ts}"
