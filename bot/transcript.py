"""Transcript lines: what is kept of each turn, and how compactly."""

from __future__ import annotations

import time
from typing import Any

from bot.turn import Inbound, Outbound
from bot.understanding.reading import Reading

TEXT_CAP = 4000


def entry(role: str, text: str, **extra: Any) -> dict[str, Any]:
    """One transcript line. Text is capped: a transcript is a record, not an archive. Empty
    values are left out (a conversation's keys are kept for weeks: every byte is kept that long)."""
    line: dict[str, Any] = {"at": round(time.time(), 1), "role": role}
    if text:
        line["text"] = text[:TEXT_CAP]
    line.update((k, v) for k, v in extra.items() if v is not None and v is not False)
    return line


def said(out: Outbound) -> dict[str, Any]:
    """What the bot said, as the transcript keeps it: a quote by its figures and an FAQ answer
    by its entry (each is rendered again from content and figures; they are the long replies),
    anything else by its text."""
    if out.quote is not None:
        q = out.quote
        figures = {"sales": q.sales_yen, "industry": q.industry, "plan": q.plan, "monthly": q.monthly_yen}
        return entry("bot", "", kind=out.kind, quote=figures, handoff=out.handoff)
    if out.faq_id:
        return entry("bot", "", kind=out.kind, faq=out.faq_id, handoff=out.handoff)
    return entry("bot", out.text, kind=out.kind, handoff=out.handoff)


def read_as(inbound: Inbound, reading: Reading | None) -> str | None:
    """What a message was read as (an intent, a question, facts, other), or the click's action."""
    if reading is None:
        return str(inbound.action) if inbound.action else None
    return reading.intent.value if reading.intent is not None else (None if reading.empty else reading.kind)
