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
from bot.rating import Quote, quote
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
    headline: str | None = None
    basis: str | None = None
    card_changed: bool = False  # the handoff's card shows what this turn changed (redraw it)

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
            choices=self.choices, fields=self.fields, note=self.note, headline=self.headline, basis=self.basis,
            card_changed=self.card_changed,
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


SATISFACTION_SCORES = (1, 2, 3, 4, 5)  # left to right as a scale reads (and the terminal numbers them so)


def satisfaction_choices(content: Content, lang: str) -> list[Choice]:
    """After a handoff is closed: how satisfied the prospect was, asked once (5 is best)."""
    say = content.messages.say
    return [Choice(Action.SATISFACTION, str(n), say(f"button_satisfaction_{n}", lang)) for n in SATISFACTION_SCORES]


def faq_menu_choices(content: Content, lang: str) -> list[Choice]:
    return [Choice(Action.FAQ, e.id, e.questions_in(lang)[0]) for e in content.faq.entries][:FAQ_MENU_SIZE]


# -- the quote -------------------------------------------------------------------------------------


def quote_card(content: Content, conv: Conversation, q: Quote, reply: Reply) -> None:
    """The quote, read at a glance: the monthly premium first (`headline`), then both plans
    side by side (`fields`: one column per plan, monthly, annual, limits, deductible), then the
    facts it is based on, the notes its facts call for, and the caveat in small print (`note`).
    The text says the same in the same order, for notifications and the terminal."""
    lang, rates, say = conv.lang, content.rates, content.messages.say
    assert conv.sales_yen is not None
    other_plan = "plan1" if q.plan == "plan2" else "plan2"
    other = quote(rates, q.industry, conv.sales_yen, other_plan)  # type: ignore[arg-type]
    reply.kind, reply.quote = "quote", q
    reply.headline = say("quote_headline", lang, monthly=format_price(q.monthly_yen, lang), plan=say(f"plan_{q.plan}", lang))
    ordered = sorted([q, other], key=lambda x: x.plan)
    reply.fields = [(_plan_title(content, x, lang, chosen=x.plan == q.plan), _plan_column(content, x, lang)) for x in ordered]
    sales = format_yen(q.sales_yen, lang)
    if conv.sales_low_yen:  # a range is shown as the range, priced at its upper end
        sales = say("sales_range", lang, low=format_yen(conv.sales_low_yen, lang), high=sales)
    basis = say("quote_basis", lang, sales=sales, industry=content.industries.label(q.industry, lang))
    notes = []
    if conv.sales_yen < rates.floor_sales_yen:
        notes.append(say("floor_note", lang, floor=format_yen(rates.floor_sales_yen, lang)))
    bullet = "・" if lang == "ja" else "• "
    reply.parts.append(reply.headline)
    reply.parts.append("\n".join(f"{bullet}{title}: {column.replace(chr(10), ' / ')}" for title, column in reply.fields))
    reply.parts.append(basis)
    reply.parts.extend(notes)
    reply.parts.append(say("after_quote_hint", lang))
    reply.basis = basis
    reply.note = say("quote_caveat", lang)
    reply.choices = after_quote_choices(content, lang, other_plan)


def _plan_title(content: Content, q: Quote, lang: str, chosen: bool) -> str:
    say = content.messages.say
    title = say(f"plan_{q.plan}", lang)
    return f"{title} {say('plan_chosen', lang)}" if chosen else title


def _plan_column(content: Content, q: Quote, lang: str) -> str:
    """One plan's figures, one per line: monthly, annual, limits, deductible."""
    say, rates = content.messages.say, content.rates
    limits = rates.plans[q.plan]
    return "\n".join([
        f"{say('label_monthly', lang)} {format_price(q.monthly_yen, lang)}",
        f"{say('label_annual', lang)} {format_price(q.annual_yen, lang)}",
        say("limits", lang, liability=format_yen(limits.liability_limit_yen, lang), costs=format_yen(limits.costs_limit_yen, lang)),
        f"{say('label_deductible', lang)} {format_yen(rates.conditions.deductible_yen, lang)}",
    ])
