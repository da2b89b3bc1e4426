"""A text the bot has in Japanese and English: FAQ answers, its sentences, industry names."""

from __future__ import annotations

from pydantic import Field

from bot.datafiles import Strict
from bot.lang import resolve


class Bilingual(Strict):
    """Both languages required. Callable, `text(lang)`, so callers need not branch on the
    language; any `lang` but "en" reads Japanese (bot.lang.resolve). Subclasses add their own
    checks (placeholders, blanks) and may narrow the fields."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str) -> str:
        return self.en if resolve(lang) == "en" else self.ja
