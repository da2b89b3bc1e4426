"""Content is data: rates, industries, FAQ, intents and every sentence the bot says.

Each file has a loader that validates it and raises ContentError naming file and field (the
error and the YAML loading live in the leaf bot/datafiles/, which the rate table uses too).
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.datafiles import ContentError

__all__ = ["DEFAULT_CONTENT_DIR", "ContentError", "content_dir"]

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


def content_dir() -> Path:
    """`CONTENT_DIR` from the environment, else the repository's `content/`."""
    return Path(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
