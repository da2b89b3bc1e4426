"""What a message asks the bot to do: report an incident, reach a person, get a quote, ...

Rules are regexes from content/intents.yaml, applied to the normalised text with katakana
folded to hiragana (one spelling to write patterns for). Regexes rather than the FAQ's fuzzy
scoring: these intents change the conversation (an incident pages a person at once), so they
should fire on clear wording only and be easy to audit.

Compiled patterns are cached per IntentContent object, so reading a message costs a few regex
searches over one prepared text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.content.intents import IntentContent
from bot.normalize import normalize, to_hiragana


class Intent(str, Enum):
    INCIDENT = "incident"
    HANDOFF = "handoff"
    START_QUOTE = "start_quote"
    PLAN2 = "plan2"
    PLAN1 = "plan1"
    YES = "yes"
    NO = "no"
    RESTART = "restart"
    GREETING = "greeting"
    THANKS = "thanks"
    DONT_KNOW = "dont_know"
    PRICE = "price"
    CANCEL = "cancel"
    STATUS = "status"


@dataclass(frozen=True)
class _Rule:
    intent: Intent
    match: re.Pattern[str] | None
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[_Rule, ...]
    other_insurance: re.Pattern[str]
    question: re.Pattern[str]
    statement: re.Pattern[str] | None
    topic: re.Pattern[str] | None
    addressee: re.Pattern[str] | None
    third_party: re.Pattern[str] | None
    own_company: re.Pattern[str] | None


_CACHE: dict[int, tuple[IntentContent, _Compiled]] = {}


def _union(patterns: list[str]) -> re.Pattern[str] | None:
    """One regex for a list; katakana in patterns is folded like the text it is applied to."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{to_hiragana(p)})" for p in patterns))


def _compiled(intents: IntentContent) -> _Compiled:
    cached = _CACHE.get(id(intents))
    if cached is not None and cached[0] is intents:
        return cached[1]
    rules = tuple(
        _Rule(Intent(spec.name), _union([*spec.ja, *spec.en]), _union(spec.unless.all()))
        for spec in intents.intents
    )
    other = _union(intents.other_insurance.all())
    question = _union(intents.question.all())
    assert other is not None and question is not None  # validated non-empty on load
    compiled = _Compiled(rules, other, question, _union(intents.statement.all()), _union(intents.topic.all()),
                         _union(intents.addressee.all()), _union(intents.third_party.all()),
                         _union(intents.own_company.all()))
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(intents)] = (intents, compiled)
    return compiled


def prepare(text: str) -> str:
    """The form every intent pattern is written for: normalised, katakana folded to hiragana."""
    return to_hiragana(normalize(text))


@dataclass(frozen=True)
class IntentReading:
    """What the intent patterns say of one message."""

    intent: Intent | None
    matched: frozenset[Intent]  # every intent whose patterns match (`intent` is the first of them)
    question: bool         # phrased as a question (content `question`)
    statement: bool        # a plain declarative about the business, not a question (`statement`)
    other_insurance: bool  # about insurance we do not sell (自動車保険, life insurance...)
    topic: bool = False    # names what the bot is about (content `topic`)
    addressed: bool = False  # opens by naming a person (content `addressee`)
    third_party: bool = False  # puts the story on someone else or on hearsay (content `third_party`)
    own_company: bool = False  # puts it on the writer's own company, or on now (content `own_company`)


def read_intents(prepared: str, intents: IntentContent) -> IntentReading:
    """Every intent judgement on one `prepare`d text, with one set of compiled patterns."""
    compiled = _compiled(intents)
    question = compiled.question.search(prepared) is not None
    other = compiled.other_insurance.search(prepared) is not None
    statement = not question and compiled.statement is not None and compiled.statement.search(prepared) is not None
    matched = _matching_intents(prepared, compiled, other)
    topic = compiled.topic is not None and compiled.topic.search(prepared) is not None
    addressed = compiled.addressee is not None and compiled.addressee.search(prepared) is not None
    third = compiled.third_party is not None and compiled.third_party.search(prepared) is not None
    own = compiled.own_company is not None and compiled.own_company.search(prepared) is not None
    return IntentReading(matched[0] if matched else None, frozenset(matched), question, statement, other, topic,
                         addressed, third, own)


def _matching_intents(prepared: str, compiled: _Compiled, other_insurance: bool) -> list[Intent]:
    """Every intent, in content order, whose patterns match and whose `unless` does not; the
    first is the message's intent.

    A quote request about another kind of insurance is not a cyber quote: START_QUOTE is
    suppressed when the message is about other insurance.
    """
    if not prepared:
        return []
    found = []
    for rule in compiled.rules:
        if rule.match is None or rule.match.search(prepared) is None:
            continue
        if rule.unless is not None and rule.unless.search(prepared) is not None:
            continue
        if rule.intent is Intent.START_QUOTE and other_insurance:
            continue
        found.append(rule.intent)
    return found
