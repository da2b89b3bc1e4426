"""Lua scripts that ride in pipelines without an extra round trip.

redis-py's `Script` in a pipeline asks `SCRIPT EXISTS` before every `execute` (one more round
trip each time). Here a pipeline carries a plain `EVALSHA`; in the rare case Redis does not
know the script (it restarted, or the script is new), that one call is run again with `EVAL`,
which also puts the script in Redis's cache for the next time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import redis


class Lua:
    """One script: its source and SHA1, run alone or queued on a pipeline."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def queue(self, pipe: Any, keys: Sequence[Any], args: Sequence[Any]) -> "Queued":
        pipe.evalsha(self.sha, len(keys), *keys, *args)
        return Queued(self, tuple(keys), tuple(args))

    def run(self, client: Any, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        """One call, one round trip (two the first time Redis sees the script)."""
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)


class Queued:
    """A script call on a pipeline, to be redone with EVAL if Redis did not know the script."""

    def __init__(self, lua: Lua, keys: tuple[Any, ...], args: tuple[Any, ...]) -> None:
        self.lua, self.keys, self.args = lua, keys, args

    def redo(self, client: Any) -> Any:
        return client.eval(self.lua.source, len(self.keys), *self.keys, *self.args)


def execute(pipe: Any, client: Any, queued: dict[int, Queued]) -> list[Any]:
    """Run a pipeline whose commands at the indexes of `queued` are scripts; the first error
    that is not a missing script is raised, as `pipe.execute()` would."""
    results = pipe.execute(raise_on_error=False)
    for index, result in enumerate(results):
        if isinstance(result, redis.exceptions.NoScriptError) and index in queued:
            results[index] = queued[index].redo(client)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results
