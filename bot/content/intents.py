"""Intent patterns (content/intents.yaml) as a validated model.

Patterns are content so that a new way of asking for a person, or a new kind of insurance we do
not sell, needs no code. They are compiled on load: a bad regex stops start-up with its field.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from bot.content.checks import known, repeated, unique_names
from bot.content.patterns import Patterns, checked_patterns
from bot.datafiles import ContentError, Strict, load_model

READING_CLASSES = ("question", "facts", "other")
"""Classes the intent model weighs requests against that are not requests: a product question
(answered from the FAQ, or honestly not), facts about the business (sales, industry), and
anything else (other insurance, chatter, unrelated questions)."""

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
        return known(v, INTENT_NAMES, "intent")


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
    third_party: Patterns = Patterns()
    """Words that put a story on someone else or on hearsay (取引先が…, …そうです, I heard):
    a feature of the intent model (an incident at the writer's own company is urgent; one at
    someone else's is a question)."""
    own_company: Patterns = Patterns()
    """Words that put a story on the writer's own company or on now (弊社, 社内, 今朝, we, our):
    the counterpart of `third_party`, a feature of the intent model."""
    examples: list["IntentExample"] = []
    """Filled in on load from intent_examples.yaml (not written in intents.yaml)."""
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


class IntentExample(Strict):
    """One message in a person's own words and what it asks of the bot."""

    text: str = Field(min_length=1)
    intent: str
    source: str = ""  # the set it came from (filled in on load), so a benchmark can leave one out

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("blank text")
        return v

    @field_validator("intent")
    @classmethod
    def _known_class(cls, v: str) -> str:
        return known(v, CLASSES, "intent")


class IntentExampleSet(Strict):
    """One set of labelled messages, kept together as it was written."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    about: str = ""
    examples: list[IntentExample] = Field(min_length=1)


class IntentExamples(Strict):
    """content/intent_examples.yaml: what the intent model learns from."""

    sets: list[IntentExampleSet] = Field(min_length=1)

    @field_validator("sets")
    @classmethod
    def _complete(cls, sets: list[IntentExampleSet]) -> list[IntentExampleSet]:
        unique_names(sets)
        counts = {name: 0 for name in CLASSES}
        for example_set in sets:
            for example in example_set.examples:
                counts[example.intent] += 1
        thin = [f"{name} ({n})" for name, n in counts.items() if n < MIN_EXAMPLES_PER_CLASS]
        if thin:
            raise ValueError(f"too few examples (at least {MIN_EXAMPLES_PER_CLASS} each): {', '.join(thin)}")
        return sets

    def all(self) -> list[IntentExample]:
        return [e.model_copy(update={"source": s.name}) for s in self.sets for e in s.examples]


CLASSES = (*INTENT_NAMES, *READING_CLASSES)
MIN_EXAMPLES_PER_CLASS = 5
EXAMPLES_FILE = "intent_examples.yaml"


def load_intents(path: Path) -> IntentContent:
    """Load and validate content/intents.yaml and the labelled examples beside it
    (intent_examples.yaml); problems raise ContentError naming file and field."""
    intents = load_model(path, IntentContent)
    examples_path = path.with_name(EXAMPLES_FILE)
    if not examples_path.exists():
        raise ContentError(str(examples_path), "", "missing: the intent model learns from these labelled messages "
                                                   "(see the file in the repository)")
    examples = load_model(examples_path, IntentExamples)
    return intents.model_copy(update={"examples": examples.all()})


IntentContent.model_rebuild()
