"""Slack's message markup to the plain text the engine reads."""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<![^>]*>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Drop mentions of the bot, keep link labels and other names, unescape entities."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    text = _USER.sub("", text)
    text = _SPECIAL.sub("", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1) or ''}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(text).strip()


def mentions_others(text: str, bot_user_id: str | None = None) -> bool:
    """The message mentions a person other than the app (it is written to them)."""
    return any(m.group(1) != bot_user_id for m in _USER.finditer(text))


def agent_text(text: str, bot_user_id: str | None = None) -> str:
    """An agent's reply as the prospect will see it: the agent's own formatting and links are
    kept (Slack markup passes through), mentions of the bot and broadcasts (@channel, @here,
    @everyone) are removed, so an agent's message can never ping the prospect's channel."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return _SPECIAL.sub("", text).strip()


def scrub(text: str) -> str:
    """Text as JSON may deliver it, made safe to store and log: a lone UTF-16 surrogate
    (`\\ud800`, which no UTF-8 encoder accepts) becomes U+FFFD; a proper pair becomes its character."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
