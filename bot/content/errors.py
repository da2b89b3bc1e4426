"""ContentError under its old path, for callers outside content (the CLI, app start-up, tests).

It is defined in the leaf bot/datafiles/ (bot/rating raises it too, and must not import
content); new code imports it from `bot.content` or `bot.datafiles`. This module goes once no
caller uses the old path.
"""

from bot.datafiles.errors import ContentError

__all__ = ["ContentError"]
