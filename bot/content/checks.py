"""Small checks content models share."""

from __future__ import annotations

from collections import Counter
from typing import Iterable


def repeated(names: Iterable[str]) -> list[str]:
    """The names that occur more than once, sorted: a duplicate key in a list-shaped file
    (intents, example sets) would otherwise let the later one silently win."""
    return sorted(name for name, count in Counter(names).items() if count > 1)
