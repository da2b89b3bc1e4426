"""One reading of one message: everything the engine decides on, computed once.

The engine used to interrogate the text one question at a time (is it an incident? an
amount? a question? an FAQ hit?), each call normalising it again. `read` answers all of
them in one pass and hands the engine a plain value; the engine's rules only look at it.

Amounts and industries keep their own normalisations (the amount parser maps every
normalised character back to the original, the industry finder keeps case to tell "IT" from
"it"), so they take the raw text; everything else shares one prepared form.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.bundle import Content
from bot.normalize import detect_language, normalize
from bot.understanding.amounts import Amount, find_amount, mentions_foreign_currency
from bot.understanding.faq import FaqHit, FaqIndex
from bot.understanding.industries import IndustryMatch, find_industry
from bot.content.intents import INTENT_NAMES
from bot.understanding.intent_model import IntentGuess, IntentModel, Signals
from bot.understanding.intents import Intent, IntentReading, prepare, read_intents

INTENT_THRESHOLD = 0.3
"""The model's verdict counts when its class is at least this likely; below, the exact rules'
first match stands (benchmarks/intent_eval.py --cv)."""

ALSO_THRESHOLD = 0.25
"""A class this likely is among what the message `says` (a cancel while a person is awaited,
whatever it reads as first)."""


@dataclass(frozen=True)
class Reading:
    """What one message says. `faq` is the entry the FAQ would answer as a question;
    `faq_confident` says it also clears the higher bar for a message that is not phrased as
    a question (said while the bot waits for a fact)."""

    text: str
    empty: bool
    lang: str | None               # None: the message says nothing of its language
    intent: Intent | None
    matched: frozenset[Intent]     # every intent the message matches (`intent` is the first)
    question: bool
    statement: bool
    other_insurance: bool
    topic: bool                    # names what the bot is about (insurance, premium, cyber risk)
    addressed: bool                # opens by naming a person ("佐藤さん、…", "Hi Ken,", "<@U123>")
    amount: Amount | None          # never read from a message about other insurance
    industry: IndustryMatch | None  # likewise
    foreign_currency: bool
    faq: FaqHit | None
    faq_confident: bool
    kind: str = "other"            # the intent model's class: an intent's name, or question / facts / other
    kind_probability: float = 0.0

    @property
    def urgent(self) -> bool:
        """An incident at the prospect's own company: a person at once."""
        return self.intent is Intent.INCIDENT

    @property
    def asks_product(self) -> bool:
        """A question about the product (whether or not the FAQ can answer it): one that names
        what the bot is about (insurance, cover, cyber risks) and reads as a question."""
        return self.topic and (self.question or self.kind == "question")

    @property
    def has_facts(self) -> bool:
        return self.amount is not None or self.industry is not None

    def says(self, intent: Intent) -> bool:
        """The message matches `intent`, first or not ("やっぱり大丈夫です" is a cancel while a
        person is awaited, whatever it reads as first)."""
        return intent in self.matched


def _rules_and_facts(text: str, content: Content) -> tuple[IntentReading, Amount | None, IndustryMatch | None]:
    """The exact rules' reading and the facts; none are read from a message about other insurance."""
    rules = read_intents(prepare(text), content.intents)
    other = rules.other_insurance
    amount = None if other else find_amount(text)
    industry = None if other else find_industry(text, content.industries)
    return rules, amount, industry


def signals(text: str, content: Content) -> Signals:
    """What the exact rules and the fact finders say of a text, for the intent model (the same
    for training, for reading and for `python -m bot understand`)."""
    rules, amount, industry = _rules_and_facts(text, content)
    return Signals(rules, amount is not None, industry is not None)


@dataclass(frozen=True)
class IntentVerdict:
    intent: Intent | None
    matched: frozenset[Intent]
    kind: str
    probability: float


def decide_intent(text: str, sig: Signals, model: IntentModel | None, threshold: float = INTENT_THRESHOLD,
                  guess: IntentGuess | None = None) -> IntentVerdict:
    """The intent the engine acts on: the model's class when it is sure enough (a question,
    facts or "other" then mean no intent, whatever a rule matched), else the rules' first
    match. Urgent (incident) only when the model says so. (`threshold` and an already made
    `guess` are for the benchmark, which sweeps thresholds over one set of guesses.)"""
    rules = sig.rules
    if model is None and guess is None:
        return IntentVerdict(rules.intent, rules.matched, rules.intent.value if rules.intent else "other", 1.0)
    if guess is None:
        guess = model.guess(text, sig)
    intent = rules.intent
    if guess.probability >= threshold:
        intent = Intent(guess.name) if guess.name in INTENT_NAMES else None
    matched = set(rules.matched) | {Intent(n) for n in guess.at_least(ALSO_THRESHOLD) if n in INTENT_NAMES}
    if guess.name != "incident":
        matched.discard(Intent.INCIDENT)
        if intent is Intent.INCIDENT:
            intent = None
    return IntentVerdict(intent, frozenset(matched), guess.name, guess.probability)


def build_intent_model(content: Content) -> IntentModel:
    return IntentModel.build(content.intents, lambda text: signals(text, content))


def read(text: str, content: Content, faq: FaqIndex, model: IntentModel | None = None) -> Reading:
    """Read `text` once. Pure: the same text and content always give the same Reading."""
    if not normalize(text):
        return Reading(text, True, None, None, frozenset(), False, False, False, False, False, None, None, False, None, False)
    intents, amount, industry = _rules_and_facts(text, content)
    other = intents.other_insurance
    what = decide_intent(text, Signals(intents, amount is not None, industry is not None), model)
    hit = None if other else faq.match(text)
    return Reading(
        text=text,
        empty=False,
        lang=detect_language(text, default="") or None,
        intent=what.intent,
        matched=what.matched,
        question=intents.question,
        statement=intents.statement,
        other_insurance=other,
        topic=intents.topic,
        addressed=intents.addressed,
        amount=amount,
        industry=industry,
        foreign_currency=mentions_foreign_currency(text),
        faq=hit,
        faq_confident=hit is not None and hit.score >= faq.statement_threshold,
        kind=what.kind,
        kind_probability=what.probability,
    )
