"""English stemming shared by gunicorn threads."""

from __future__ import annotations

import random
import sys
import threading

from bot.understanding.stemming import Stemmer


def test_inflections_share_a_stem():
    stemmer = Stemmer()
    assert stemmer.stem("joining") == stemmer.stem("joined") == stemmer.stem("join")
    assert stemmer.stem("policies") == stemmer.stem("policy")


def test_threads_sharing_one_stemmer_get_their_own_words_stems():
    """The snowball stemmer keeps its current word in itself; without the lock, threads get
    each other's letters (or an IndexError) and the cache keeps the wrong stem."""
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(6, 12))) + suffix
             for suffix in ("ing", "ness", "ational", "fulness", "ies") for _ in range(400)]
    expected = {w: Stemmer().stem(w) for w in words}
    shared = Stemmer()
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for w in words[offset::8]:
                got[w] = shared.stem(w)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert got == expected
    assert all(shared.stem(w) == expected[w] for w in words)  # the cache holds the right ones
