"""Data files (content/*.yaml) read into strict, validated pydantic models.

A leaf: the rate table (bot/rating) and the rest of the content (bot/content) both load their
files this way and report problems with one error type naming file and field, so neither needs
the other to do it.
"""

from bot.datafiles.errors import ContentError
from bot.datafiles.loading import load_model, read_yaml
from bot.datafiles.strict import Strict

__all__ = ["ContentError", "Strict", "load_model", "read_yaml"]
