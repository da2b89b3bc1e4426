"""What one turn takes and gives: Inbound from a transport, Outbound back to it.

Transports (terminal, Slack) only translate these; the engine never sees Slack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.rating import Quote


class Action(StrEnum):
    """Every button the engine offers a prospect. One enum for the engine (which maps each to a
    handler), the Block Kit builders (which encode it in action ids) and the Slack listeners
    (which decode it): a new button is a new member here, never a new string elsewhere."""

    START = "start"
    INDUSTRY = "industry"
    SALES = "sales"
    TYPE_AMOUNT = "type_amount"
    PLAN = "plan"
    RESTART = "restart"
    HANDOFF = "handoff"
    PERSON_YES = "person_yes"
    PERSON_NO = "person_no"
    FAQ_MENU = "faq_menu"
    FAQ = "faq"
    CANCEL_HANDOFF = "cancel_handoff"
    SATISFACTION = "satisfaction"

    @classmethod
    def parse(cls, name: str | None) -> "Action | None":
        """The member named `name`, or None for anything else (a forged or stale payload)."""
        try:
            return cls(name) if name else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Inbound:
    """One prospect message, or one click (`action` and `value` set, `text` the label)."""

    text: str = ""
    action: Action | None = None
    value: str | None = None
    user: str | None = None
    user_name: str | None = None
    team: str | None = None  # the sender's organisation (a Slack workspace); kept as who started it
    id: str | None = None  # the transport's identity of this message or click: a turn is done once per id
    reply_id: str | None = None  # a click: the id of the reply whose button it was


@dataclass(frozen=True)
class Choice:
    """A button the transport may show; clicking it sends Inbound(action, value)."""

    action: Action
    value: str
    label: str
    primary: bool = False


@dataclass
class Outbound:
    """One reply. `text` is complete on its own (terminal, notifications, fallback);
    `fields`, `note` and `choices` let a richer transport lay the same content out."""

    kind: str
    text: str
    lang: str
    state: str
    quote: Quote | None = None
    faq_id: str | None = None
    handoff: bool = False
    urgent: bool = False
    choices: list[Choice] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    headline: str | None = None  # a quote's first and largest line (the monthly premium)
    basis: str | None = None     # a quote's "based on" line (the facts it was computed from)
    to_agent: bool = False  # a prospect message to relay to the agent, not a reply
    card_changed: bool = False  # the handoff's card shows something this turn changed (redraw it)
    ends_buttons: bool = False  # the conversation's live buttons (if any) are done with, even without new ones
    intent: str | None = None  # what the message answered was read as (an intent, question, facts, other) or the click's action

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "state": self.state,
            "quote": self.quote.as_dict() if self.quote else None,
            "faq": self.faq_id,
            "handoff": self.handoff,
            "intent": self.intent,
            "urgent": self.urgent,
        }

    def to_record(self) -> dict[str, Any]:
        """Plain data for the outbox: the reply as the engine made it, rendered at send time."""
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> "Outbound":
        data = dict(data)
        quote = data.pop("quote", None)
        choices = [Choice(Action(c["action"]), c["value"], c["label"], bool(c.get("primary"))) for c in data.pop("choices", [])]
        fields = [(str(a), str(b)) for a, b in data.pop("fields", [])]
        return cls(**data, quote=Quote(**quote) if quote else None, choices=choices, fields=fields)
