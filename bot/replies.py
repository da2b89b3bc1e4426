"""What one turn says, and the buttons and quote card it says it with.

`Reply` accumulates the sentences and extras of one turn and renders into one `Outbound`.
The builders are pure functions of content and language: the engine decides *what* to offer,
these say *how* it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content.bundle import Content
from bot.flows.model import Conversation
from bot.money import format_price, format_yen
from bot.rating import Quote
from bot.turn import Action, Choice, Outbound

FAQ_MENU_SIZE = 6


@dataclass
class Reply:
    """Sentences and extras accumulated during one turn, rendered into one Outbound."""

    kind: str = "reply"
    parts: list[str] = field(default_factory=list)
    quote: Quote | None = None
    faq_id: str | None = None
    handoff: bool = False
    urgent: bool = False
    choices: list[Choice] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None

    def kind_unless_set(self, kind: str) -> None:
        """A prompt names the reply's kind only when nothing before it in the turn did."""
        if self.kind == "reply":
            self.kind = kind

    def render(self, lang: str, state: str) -> Outbound:
        text = "\n".join(p for p in self.parts if p)
        if self.note:
            text = f"{text}\n{self.note}"
        return Outbound(
            kind=self.kind, text=text, lang=lang, state=state, quote=self.quote,
            faq_id=self.faq_id, handoff=self.handoff, urgent=self.urgent,
            choices=self.choices, fields=self.fields, note=self.note,
        )


# -- buttons -------------------------------------------------------------------------------------


def industry_choices(content: Content, lang: str) -> list[Choice]:
    """The industries the rate table prices, then "other" (which asks for the name)."""
    say = content.messages.say
    return [Choice(Action.INDUSTRY, key, content.industries.label(key, lang)) for key in content.rates.industries] + [
        Choice(Action.INDUSTRY, "other", say("button_other_industry", lang))
    ]


def sales_choices(content: Content, lang: str) -> list[Choice]:
    """The content's sales ranges (value `high:low`), then "type the figure"."""
    ranges = content.messages.sales_ranges
    return [Choice(Action.SALES, f"{r.yen}:{r.low_yen}", r.label(lang)) for r in ranges] + [
        Choice(Action.TYPE_AMOUNT, "type", content.messages.say("button_type_amount", lang))
    ]


def after_quote_choices(content: Content, lang: str, other_plan: str | None = None) -> list[Choice]:
    say = content.messages.say
    choices = [
        Choice(Action.HANDOFF, "quote", say("button_handoff", lang), primary=True),
        Choice(Action.RESTART, "quote", say("button_requote", lang)),
        Choice(Action.FAQ_MENU, "quote", say("button_faq", lang)),
    ]
    if other_plan:
        choices.insert(1, Choice(Action.PLAN, other_plan, say(f"button_{other_plan}", lang)))
    return choices


def person_choices(content: Content, lang: str) -> list[Choice]:
    say = content.messages.say
    return [
        Choice(Action.PERSON_YES, "offer", say("button_yes_person", lang), primary=True),
        Choice(Action.PERSON_NO, "offer", say("button_no_thanks", lang)),
    ]


def cancel_choices(content: Content, lang: str) -> list[Choice]:
    """On the handoff notice: take the request back while nobody has taken it."""
    return [Choice(Action.CANCEL_HANDOFF, "cancel", content.messages.say("button_cancel_handoff", lang))]


def faq_menu_choices(content: Content, lang: str) -> list[Choice]:
    return [Choice(Action.FAQ, e.id, e.questions_in(lang)[0]) for e in content.faq.entries][:FAQ_MENU_SIZE]


# -- the quote -------------------------------------------------------------------------------------


def quote_card(content: Content, conv: Conversation, q: Quote, reply: Reply) -> None:
    """The quote as fields (for a card) and as the same lines in text (for everything else),
    with the notes its facts call for, the offer of the other plan and the caveat."""
    lang, rates, say = conv.lang, content.rates, content.messages.say
    assert conv.sales_yen is not None
    limits = rates.plans[q.plan]
    other_plan = "plan1" if q.plan == "plan2" else "plan2"
    other_limits = rates.plans[other_plan]
    reply.kind, reply.quote = "quote", q
    reply.fields = [
        (say("label_sales", lang), format_yen(q.sales_yen, lang)),
        (say("label_industry", lang), content.industries.label(q.industry, lang)),
        (say("label_plan", lang), say(f"plan_{q.plan}", lang)),
        (say("label_limits", lang), say("limits", lang, liability=format_yen(limits.liability_limit_yen, lang), costs=format_yen(limits.costs_limit_yen, lang))),
        (say("label_deductible", lang), format_yen(rates.conditions.deductible_yen, lang)),
        (say("label_monthly", lang), format_price(q.monthly_yen, lang)),
        (say("label_annual", lang), format_price(q.annual_yen, lang)),
    ]
    notes = []
    if conv.sales_low_yen:
        notes.append(say("range_note", lang, low=format_yen(conv.sales_low_yen, lang), high=format_yen(conv.sales_yen, lang)))
    if conv.sales_yen < rates.floor_sales_yen:
        notes.append(say("floor_note", lang, floor=format_yen(rates.floor_sales_yen, lang)))
    offer_key = "offer_plan1" if q.plan == "plan2" else "offer_plan2"
    bullet = "・" if lang == "ja" else "• "
    reply.parts.append(say("quote_intro", lang))
    reply.parts.append("\n".join(f"{bullet}{label}: {value}" for label, value in reply.fields))
    reply.parts.extend(notes)
    reply.parts.append(say(offer_key, lang, liability=format_yen(other_limits.liability_limit_yen, lang), costs=format_yen(other_limits.costs_limit_yen, lang)))
    reply.parts.append(say("after_quote_hint", lang))
    reply.note = say("quote_caveat", lang)
    reply.choices = after_quote_choices(content, lang, other_plan)
