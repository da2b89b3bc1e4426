"""Logging set-up: JSON lines that carry kinds, states, hashed keys and durations, never what
people wrote or who they are.

A log line is one JSON object: `time`, `level`, `logger`, `event` (the message), and whatever
named fields the call passed with `extra={"fields": {...}}` (`key_hash`, `handoff`,
`duration_ms`, ...). Message text and names appear only with `LOG_MESSAGE_TEXT=1`, and then only
in fields named `text`; otherwise those fields are dropped. Exceptions are logged as their type
and where they were raised (a traceback's frame lines, no locals), since an exception's message
can quote a prospect's words.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import traceback
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FIELDS = frozenset({"text"})
MAX_FIELD_CHARS = 200


class LogSettingsError(ValueError):
    """LOG_LEVEL or LOG_MESSAGE_TEXT can't be used; the message names the variable."""


def key_hash(key: str) -> str:
    """Logs identify a conversation without naming its channel or user."""
    return hashlib.blake2s(key.encode(), digest_size=6).hexdigest()


class JsonLines(logging.Formatter):
    def __init__(self, message_text: bool = False) -> None:
        super().__init__()
        self.message_text = message_text

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "event": _short(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for name, value in fields.items():
                if name in TEXT_FIELDS and not self.message_text:
                    continue
                line[name] = value if isinstance(value, (int, float, bool)) or value is None else _short(str(value))
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            line["error"] = exc_type.__name__
            line["where"] = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in traceback.extract_tb(tb)][-5:]
        return json.dumps(line, ensure_ascii=False)


def _short(text: str) -> str:
    """One line, bounded: nothing a request sends can forge a line or flood the log."""
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


def read_settings(env: dict[str, str] | None = None) -> tuple[int, bool]:
    """(level, whether message text may be logged) from LOG_LEVEL and LOG_MESSAGE_TEXT."""
    env = os.environ if env is None else env
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LEVELS:
        raise LogSettingsError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, got {level!r}")
    text = (env.get("LOG_MESSAGE_TEXT") or "0").strip()
    if text not in ("0", "1"):
        raise LogSettingsError(f"LOG_MESSAGE_TEXT must be 0 or 1, got {text!r}")
    return getattr(logging, level), text == "1"


def configure(env: dict[str, str] | None = None) -> None:
    """JSON lines on stderr at LOG_LEVEL. Library loggers that would write request bodies are
    quieted: slack_sdk and urllib3 (bodies at DEBUG) to WARNING, and Bolt (rejected bodies at
    INFO, unhandled payloads at WARNING, listener errors with their message at ERROR) to
    CRITICAL: the app's own error handler logs every listener failure, by type."""
    level, message_text = read_settings(env)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines(message_text))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("slack_sdk", "urllib3"):
        logging.getLogger(name).setLevel(max(logging.WARNING, level))
    logging.getLogger("slack_bolt").setLevel(logging.CRITICAL)
