"""Small checks content models share."""

from __future__ import annotations

from collections import Counter
from typing import Iterable, TypeVar

T = TypeVar("T")


def repeated(names: Iterable[str]) -> list[str]:
    """The names that occur more than once, sorted: a duplicate key in a list-shaped file
    (intents, example sets) would otherwise let the later one silently win."""
    return sorted(name for name, count in Counter(names).items() if count > 1)


def unique_names(items: list[T], what: str = "set names") -> list[T]:
    """`items` if their `.name`s are unique; else the error that names the duplicates."""
    duplicates = repeated(item.name for item in items)  # type: ignore[attr-defined]
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")
    return items


def known(value: str, names: Iterable[str], what: str) -> str:
    """`value` if it is one of `names`; else the error that lists them."""
    names = list(names)
    if value not in names:
        raise ValueError(f"unknown {what} '{value}' (known: {', '.join(names)})")
    return value
