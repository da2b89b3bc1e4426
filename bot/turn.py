"""What one turn takes and gives: Inbound from a transport, Outbound back to it.

Transports (terminal, Slack) only translate these; the engine never sees Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

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
    to_agent: bool = False  # a prospect message to relay to the agent, not a reply

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "state": self.state,
            "quote": self.quote.as_dict() if self.quote else None,
            "faq": self.faq_id,
            "handoff": self.handoff,
        }
