"""Content is data: rates, industries, FAQ, intents and every sentence the bot says.

Each file has a loader that validates it and raises ContentError naming file and field.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


def content_dir() -> Path:
    """`CONTENT_DIR` from the environment, else the repository's `content/`."""
    return Path(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
