"""A small in-process cache whose answers expire: what Slack said a moment ago (who someone is,
who is in a channel, whether the bot posted in a thread) is good enough for a while, and asking
again on every message would cost a Web API call each time.

Bounded: when full it starts over (the answers are cheap to get again), so a busy workspace
can't grow it without limit. Thread-safe enough for its use: a lost race costs one extra call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class TtlCache(Generic[K, V]):
    ttl_seconds: float
    max_size: int = 5000
    clock: Callable[[], float] = time.monotonic
    _values: dict[K, tuple[float, V]] = field(default_factory=dict, init=False, repr=False)

    def get(self, key: K, load: Callable[[], V], ttl_for: Callable[[V], float] | None = None) -> V:
        """The cached value for `key`, or `load()`'s, kept for the cache's TTL (or for
        `ttl_for(value)` seconds: a failed look-up is worth keeping less long)."""
        now = self.clock()
        cached = self._values.get(key)
        if cached is not None and now < cached[0]:
            return cached[1]
        value = load()
        if len(self._values) >= self.max_size:
            self._values.clear()
        self._values[key] = (now + (self.ttl_seconds if ttl_for is None else ttl_for(value)), value)
        return value

    def forget(self, key: K) -> None:
        self._values.pop(key, None)
