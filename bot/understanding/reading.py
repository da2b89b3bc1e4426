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
from bot.understanding.intents import Intent, prepare, read_intents


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

    @property
    def has_facts(self) -> bool:
        return self.amount is not None or self.industry is not None

    def says(self, intent: Intent) -> bool:
        """The message matches `intent`, first or not ("やっぱり大丈夫です" is a cancel while a
        person is awaited, whatever it reads as first)."""
        return intent in self.matched


def read(text: str, content: Content, faq: FaqIndex) -> Reading:
    """Read `text` once. Pure: the same text and content always give the same Reading."""
    if not normalize(text):
        return Reading(text, True, None, None, frozenset(), False, False, False, False, False, None, None, False, None, False)
    intents = read_intents(prepare(text), content.intents)
    other = intents.other_insurance
    hit = None if other else faq.match(text)
    return Reading(
        text=text,
        empty=False,
        lang=detect_language(text, default="") or None,
        intent=intents.intent,
        matched=intents.matched,
        question=intents.question,
        statement=intents.statement,
        other_insurance=other,
        topic=intents.topic,
        addressed=intents.addressed,
        amount=None if other else find_amount(text),
        industry=None if other else find_industry(text, content.industries),
        foreign_currency=mentions_foreign_currency(text),
        faq=hit,
        faq_confident=hit is not None and hit.score >= faq.statement_threshold,
    )
