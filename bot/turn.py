"""What one turn takes and gives: Inbound from a transport, Outbound back to it.

Transports (terminal, Slack) only translate these; the engine never sees Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.rating import Quote


@dataclass(frozen=True)
class Inbound:
    """One prospect message, or one click (`action` and `value` set, `text` the label)."""

    text: str = ""
    action: str | None = None
    value: str | None = None
    user: str | None = None
    user_name: str | None = None


@dataclass(frozen=True)
class Choice:
    """A button the transport may show; clicking it sends Inbound(action, value)."""

    action: str
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
