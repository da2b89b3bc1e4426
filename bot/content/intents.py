"""Intent patterns (content/intents.yaml) as a validated model.

Patterns are content so that a new way of asking for a person, or a new kind of insurance we do
not sell, needs no code. They are compiled on load: a bad regex stops start-up with its field.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from bot.content.checks import repeated
from bot.content.patterns import Patterns, checked_patterns
from bot.datafiles import Strict, load_model

INTENT_NAMES = ("incident", "handoff", "restart", "plan2", "plan1", "start_quote", "yes", "no", "greeting", "thanks", "dont_know", "price", "cancel", "status")
"""Every intent the engine understands. incident and handoff must be tried first, in that order."""


class IntentSpec(Strict):
    name: str
    ja: list[str] = []
    en: list[str] = []
    unless: Patterns = Patterns()

    @field_validator("ja", "en")
    @classmethod
    def _valid(cls, v: list[str]) -> list[str]:
        return checked_patterns(v)

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in INTENT_NAMES:
            raise ValueError(f"unknown intent '{v}' (known: {', '.join(INTENT_NAMES)})")
        return v


class IntentContent(Strict):
    intents: list[IntentSpec] = Field(min_length=1)
    other_insurance: Patterns
    question: Patterns
    """What makes a message a question ("...ですか", "how ...?"): "見積もりしたい" starts a
    quote, while "見積もりには何が必要?" is answered from the FAQ."""
    statement: Patterns = Patterns()
    """A plain declarative ("従業員50名です", "2023年4月に開業しました", "we're a bakery"): while
    the bot waits for sales or industry, such a message tells it about the business and is
    never answered from the FAQ, however many words it shares with an entry."""
    topic: Patterns = Patterns()
    """Words that make a message about what the bot serves (保険, 補償, 保険料, サイバー, ransomware,
    premium...). In a shared channel, a message nobody addressed to the bot is taken up only
    when it is about this (see `serves` in bot/conversation.py): people of two companies talk
    there about many things."""
    addressee: Patterns = Patterns()
    """How a message opens when it is written to a person ("佐藤さん、", "田中様", "Hi Ken,",
    a mention of someone): such a message is theirs, and the bot does not take it up unless it
    is mentioned itself."""

    @field_validator("intents")
    @classmethod
    def _complete_and_ordered(cls, v: list[IntentSpec]) -> list[IntentSpec]:
        """Validated on the field so the error names `intents`."""
        names = [spec.name for spec in v]
        dupes = repeated(names)
        if dupes:
            raise ValueError(f"intent listed twice: {', '.join(dupes)}")
        missing = [n for n in INTENT_NAMES if n not in names]
        if missing:
            raise ValueError(f"intents missing: {', '.join(missing)}")
        if names[:2] != ["incident", "handoff"]:
            raise ValueError("incident must be listed first and handoff second (they take priority)")
        for spec in v:
            if not spec.ja and not spec.en:
                raise ValueError(f"intent '{spec.name}' has no patterns")
        return v

    @field_validator("other_insurance", "question")
    @classmethod
    def _some(cls, v: Patterns) -> Patterns:
        if not v.all():
            raise ValueError("must list at least one pattern")
        return v


def load_intents(path: Path) -> IntentContent:
    """Load and validate content/intents.yaml; problems raise ContentError naming file and field."""
    return load_model(path, IntentContent)
