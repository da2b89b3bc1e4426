"""Content is data: rates, industries, FAQ, intents and every sentence the bot says.

Each file has a loader that validates it and raises ContentError naming file and field (the
error and the YAML loading live in the leaf bot/datafiles/, which the rate table uses too).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from bot.datafiles import ContentError

__all__ = ["DEFAULT_CONTENT_DIR", "ContentError", "content_dir"]



def _default_content_dir() -> Path:
    """A checkout (or an editable install) reads the repository's `content/`, the folder editors
    edit; an installed wheel reads its packaged copy, `bot/_content` (setup.py maps one onto the
    other)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "content").is_dir():
        return root / "content"
    # bot._content is a data-only (namespace) package: files() gives its one directory
    return Path(str(files("bot") / "_content"))


DEFAULT_CONTENT_DIR = _default_content_dir()


def content_dir() -> Path:
    """`CONTENT_DIR` from the environment, else DEFAULT_CONTENT_DIR: the repository's `content/`
    in a checkout, the copy shipped in the package once installed."""
    return Path(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
