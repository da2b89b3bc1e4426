"""The languages the bot speaks. A leaf: content, flows and transports all name them."""

from __future__ import annotations

from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")
