"""What each committed change counts toward the day's figures (bot/figures.py).

Figures are read off the conversation as it changed, not reported by each caller: a quote
given, a handoff opened, claimed, closed, cancelled or rated counts wherever it happened (the
engine's turn, an agent's click, the terminal). Each event has an id made of the conversation,
the handoff and what happened, and Figures counts an id once, so a turn retried after a
conflict or a redelivery never counts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.flows.model import Conversation, HandoffRecord
from bot.hours import BusinessHours

Event = tuple[str, str, float, float | None]  # (counter, event id, when, value)


def events(before: Conversation | None, after: Conversation, hours: BusinessHours) -> list[Event]:
    """The figures `after` adds to `before`."""
    key, at = after.key, after.updated_at or after.created_at
    out: list[Event] = []
    if before is None:
        out.append(("started", key, after.created_at or at, None))
    if after.state == "quoted" and (before is None or before.state != "quoted"):
        out.append(("quotes", key, at, None))  # a conversation that got a quote (once: same id)
    h, was = after.handoff, _same(before, after.handoff)
    if h is None:
        return out
    if was is None:
        out.append((f"handoffs:{_part(h.reason)}", f"{key}|{h.id}", h.created_at, None))
    if h.claimed_at is not None and (was is None or was.claimed_at is None):
        wait = h.claimed_at - h.created_at if h.urgent or hours.is_always else hours.business_seconds(h.created_at, h.claimed_at)
        out.append(("claimed", f"{key}|{h.id}|claim", h.claimed_at, max(0.0, wait)))
    if h.status == "closed" and (was is None or was.status != "closed"):
        out.append((f"closed:{_part(h.outcome or 'unknown')}", f"{key}|{h.id}|close|{h.reopened}", h.closed_at or at, None))
    if h.status == "cancelled" and (was is None or was.status != "cancelled"):
        out.append(("cancelled", f"{key}|{h.id}|cancel", at, None))
    if h.satisfaction is not None and (was is None or was.satisfaction is None):
        out.append((f"satisfaction:{h.satisfaction}", f"{key}|{h.id}|rated", at, None))
    return out


def observer(figures: Any, hours: BusinessHours) -> Callable[[Conversation | None, Conversation], None]:
    """A Store observer that records each change's events in `figures`."""

    def observe(before: Conversation | None, after: Conversation) -> None:
        for name, event_id, at, value in events(before, after, hours):
            figures.record(name, event_id, at, value)

    return observe


def _same(before: Conversation | None, handoff: HandoffRecord | None) -> HandoffRecord | None:
    """The same handoff as it was before the change (None if it is new)."""
    if before is None or before.handoff is None or handoff is None or before.handoff.id != handoff.id:
        return None
    return before.handoff


def _part(name: str) -> str:
    """A reason or outcome as a counter name part (no ':' or spaces)."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name) or "unknown"
