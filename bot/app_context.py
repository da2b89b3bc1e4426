"""Start-up shared by every front end: content loaded and validated, store connected,
engine built. Problems stop start-up with one message that names them."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bot.content.bundle import Content, load_content
from bot.content import ContentError
from bot.conversation import Engine
from bot.hours import BusinessHours, HoursError, from_env
from bot.store import Store, StoreUnavailable, connect, embedded


class StartupError(SystemExit):
    """Exit with a message naming the problem (exit code 2)."""

    def __init__(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        super().__init__(2)


@dataclass
class Runtime:
    content: Content
    store: Store
    engine: Engine
    embedded: bool

    @property
    def hours(self) -> BusinessHours:
        return self.engine.hours


def load_content_or_exit() -> Content:
    try:
        return load_content()
    except ContentError as exc:
        raise StartupError(f"invalid content: {exc}") from None


def build_runtime(require_redis: bool, redis_url: str | None = None) -> Runtime:
    """Content first (cheap, and the likelier mistake), then the store, then business hours
    (BUSINESS_HOURS, BUSINESS_TIMEZONE, CLOSED_DAYS: the engine tells prospects when agents reply)."""
    import os

    content = load_content_or_exit()
    url = redis_url or os.environ.get("REDIS_URL")
    if url or require_redis:
        try:
            store = connect(url)
        except StoreUnavailable as exc:
            raise StartupError(str(exc)) from None
        is_embedded = False
    else:
        store = embedded()
        is_embedded = True
    ttl_days = os.environ.get("CONVERSATION_TTL_DAYS")
    if ttl_days:
        if not ttl_days.isdigit() or int(ttl_days) < 1:
            raise StartupError(f"CONVERSATION_TTL_DAYS must be a whole number of days ≥ 1, got {ttl_days!r}")
        store.ttl = int(ttl_days) * 24 * 3600
    try:
        hours = from_env(os.environ)
    except HoursError as exc:
        raise StartupError(str(exc)) from None
    return Runtime(content, store, Engine(store, content, hours=hours), is_embedded)
