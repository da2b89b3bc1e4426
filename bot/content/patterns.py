"""Regular expressions in content files, checked on load.

Intents, other-insurance markers and the FAQ's out-of-scope rules are all lists of regexes per
language; a bad or empty one stops start-up naming its field instead of failing on a message.
"""

from __future__ import annotations

import re

from pydantic import field_validator

from bot.datafiles import Strict


def checked_patterns(patterns: list[str]) -> list[str]:
    """Each pattern stripped, non-empty (an empty regex matches everything) and compilable."""
    out = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern.strip():
            raise ValueError(f"item {i}: empty pattern")
        pattern = pattern.strip()
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"item {i}: not a valid regex ({exc}): {pattern}") from None
        out.append(pattern)
    return out


class Patterns(Strict):
    """Regexes per language; either list may be empty."""

    ja: list[str] = []
    en: list[str] = []

    @field_validator("ja", "en")
    @classmethod
    def _valid(cls, v: list[str]) -> list[str]:
        return checked_patterns(v)

    def all(self) -> list[str]:
        return [*self.ja, *self.en]
