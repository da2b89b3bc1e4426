"""The languages the bot speaks. A leaf: content, flows and transports all name them."""

from __future__ import annotations

from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def resolve(lang: str) -> Lang:
    """The language to speak for `lang`: English when asked for, Japanese otherwise (the page's
    language and the bot's default). The one fallback rule for every bilingual text."""
    return "en" if lang == "en" else "ja"
