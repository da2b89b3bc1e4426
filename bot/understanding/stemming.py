"""English stems (Snowball/Porter2), cached, safe to share between threads.

The snowball stemmer is a pure-Python object that keeps the word it is working on in itself:
two gunicorn threads stemming at once through one stemmer get each other's letters back (or an
IndexError), and the cache would keep the wrong stem for the life of the process. So one lock
guards the stemmer; cached stems, the common case, are read without it.
"""

from __future__ import annotations

import threading

import snowballstemmer

CACHE_LIMIT = 50_000
"""Distinct words kept: every word of the content and of ordinary questions fits, while a
stream of random junk cannot grow the process without bound."""


class Stemmer:
    """`stem("joining") == "join"`, `stem("policies") == "polici"`."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            with self._lock:
                stem = self._stemmer.stemWord(word)
            if len(self._cache) < CACHE_LIMIT:
                self._cache[word] = stem
        return stem
