"""The engine's moves: what a decision does to the conversation and what the reply says.

The engine (`bot/conversation.py`) decides which move a turn makes; the moves step the quote
flow, record facts and handoffs, and fill the turn's Reply. They share one TurnContext.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from bot.content.bundle import Content
from bot.hours import BusinessHours
from bot.flows.handoff import HandoffFlow
from bot.flows.model import Conversation, HandoffRecord
from bot.flows.quote import QuoteFlow
from bot.money import format_yen
from bot.rating import Reason, quote
from bot.when import next_contact
from bot.replies import Reply, after_quote_choices, cancel_choices, industry_choices, person_choices, quote_card, sales_choices
from bot.turn import Action, Inbound, Outbound
from bot.understanding.amounts import Amount
from bot.understanding.faq import FaqIndex
from bot.understanding.industries import IndustryMatch
from bot.understanding.intents import Intent
from bot.understanding.reading import Reading


@dataclass
class TurnContext:
    """One turn's working set, handed to every rule and handler instead of an argument list."""

    conv: Conversation
    flow: QuoteFlow
    inbound: Inbound
    now: float
    offered: str | None  # why the previous reply offered a person, if it did ("yes" accepts)
    reading: Reading | None = None  # a typed message's reading; None for a click
    reply: Reply = field(default_factory=Reply)

    @property
    def lang(self) -> str:
        return self.conv.lang

    @property
    def r(self) -> Reading:
        assert self.reading is not None, "a text rule ran on a click"
        return self.reading


class Moves:
    """The dialogue's vocabulary of moves over content and the FAQ index."""

    def __init__(self, content: Content, faq: FaqIndex, hours: BusinessHours | None = None) -> None:
        self.content = content
        self.faq = faq
        self.hours = hours or BusinessHours.always()
        self.say = content.messages.say

    # -- facts ---------------------------------------------------------------------------------

    def _take_facts(self, t: TurnContext, amount: Amount | None, industry: IndustryMatch | None) -> None:
        conv = t.conv
        conv.misses = 0
        if industry is not None:
            if industry.key is not None:
                conv.industry, conv.other_industry = industry.key, None
            else:
                conv.industry, conv.other_industry = None, industry.surface[:60]
        if amount is not None:
            self._take_amount(t, amount, acknowledge_industry=industry is not None)
        else:
            self._advance(t, acknowledge_industry=True)

    def _take_amount(self, t: TurnContext, amount: Amount, acknowledge_industry: bool = False) -> None:
        lang, rates, conv = t.lang, self.content.rates, t.conv
        if amount.yen <= 0:
            t.reply.parts.append(self.say("reject_non_positive", lang))
            self._prompt(t)
            return
        if amount.yen > rates.plausible_max_sales_yen:
            shown = format_yen(amount.yen, lang)
            t.reply.parts.append(self.say("reject_absurd", lang, sales=shown if len(shown) <= 40 else shown[:39] + "…"))
            self._prompt(t)
            return
        conv.sales_yen = amount.yen
        conv.sales_low_yen = amount.low_yen if amount.low_yen and amount.low_yen < amount.yen else None
        if amount.monthly:
            t.reply.parts.append(self.say("monthly_note", lang, monthly=format_yen(amount.yen // 12, lang),
                                          annual=format_yen(amount.yen, lang)))
        self._advance(t, acknowledge_industry=acknowledge_industry, acknowledge_sales=True)

    # -- where the flow goes next --------------------------------------------------------------

    def _advance(self, t: TurnContext, acknowledge_industry: bool = False, acknowledge_sales: bool = False) -> None:
        """Facts changed (or the prospect wants a quote): step the machine, then say what the
        new state asks for. A quote needs no acknowledgement: it shows both facts."""
        t.flow.send("collect")
        conv, lang = t.conv, t.lang
        if not t.flow.is_settled:
            if acknowledge_sales and conv.sales_yen is not None and conv.sales_low_yen:
                shown = self.say("sales_range", lang, low=format_yen(conv.sales_low_yen, lang), high=format_yen(conv.sales_yen, lang))
                t.reply.parts.append(self.say("ack_sales", lang, sales=shown))
            elif acknowledge_sales and conv.sales_yen is not None:
                t.reply.parts.append(self.say("ack_sales", lang, sales=format_yen(conv.sales_yen, lang)))
            if acknowledge_industry and conv.industry is not None:
                t.reply.parts.append(self.say("ack_industry", lang, industry=self.content.industries.label(conv.industry, lang)))
        self._prompt(t)

    def _answer_faq(self, t: TurnContext, entry_id: str) -> None:
        t.reply.kind, t.reply.faq_id = "faq", entry_id
        t.reply.parts.append(self.faq.answer(entry_id, t.lang))
        if self.content.faq.entry(entry_id).partial:  # the rest only a person can confirm
            self._offer_person(t, "faq_partial")
            return
        self._resume(t)

    def _resume(self, t: TurnContext, say_resume: bool = True) -> None:
        """After an answer, pick the quote up where it was (ask again what is missing); a
        first message that was a question is answered, then invited to a quote."""
        flow = t.flow
        if flow.is_new:
            self._prompt(t)
        elif flow.is_collecting:
            if say_resume:
                t.reply.parts.append(self.say("faq_resume", t.lang))
            self._prompt(t)
        elif flow.is_quoted:
            t.reply.choices = after_quote_choices(self.content, t.lang)
        elif flow.is_unquotable:
            t.reply.choices = person_choices(self.content, t.lang)

    def _prompt(self, t: TurnContext) -> None:
        """What the current state asks of the prospect, with its buttons."""
        flow, reply, lang = t.flow, t.reply, t.lang
        if flow.is_new:
            flow.send("collect")
        ask = flow.ask()
        if ask is not None:
            reply.kind_unless_set(ask.message)
            reply.parts.append(self.say(ask.message, lang))
            reply.choices = sales_choices(self.content, lang) if ask.buttons == "sales" else industry_choices(self.content, lang)
        elif flow.is_quoted:
            conv = t.conv
            assert conv.industry is not None and conv.sales_yen is not None
            quote_card(self.content, conv, quote(self.content.rates, conv.industry, conv.sales_yen, conv.plan), reply)
        elif flow.is_unquotable:
            self._unquotable(t)

    def _unquotable(self, t: TurnContext) -> None:
        lang, conv = t.lang, t.conv
        reason = t.flow.unavailable()
        t.reply.kind = "unquotable"
        if reason is Reason.ABOVE_TABLE:
            t.reply.parts.append(self.say("reason_above_table", lang, max=format_yen(self.content.rates.max_sales_yen, lang)))
        elif reason is Reason.IT_SERVICES:
            t.reply.parts.append(self.say("reason_it_services", lang))
        else:
            name = conv.other_industry or self.content.industries.label(conv.industry or "", lang)
            t.reply.parts.append(self.say("reason_unrated_industry", lang, industry=name))
        self._offer_person(t, reason.value if reason else "requested")

    def _offer_person(self, t: TurnContext, why: str) -> None:
        t.conv.offered_handoff = why
        t.reply.parts.append(self.say("offer_person", t.lang))
        t.reply.choices = person_choices(self.content, t.lang)

    # -- handoff -------------------------------------------------------------------------------

    def _hand_over(self, t: TurnContext, reason: str, urgent: bool = False, after: str | None = None) -> None:
        """Record the handoff on the conversation (committed with this turn), then tell the
        prospect when a person will reply (within the usual wait, or when business hours
        begin), with a button to take the request back while nobody has it. The transport
        announces it to agents after the commit; an incident alerts them at once whatever
        the hour."""
        conv, reply, lang = t.conv, t.reply, t.lang
        unavailable = t.flow.unavailable()
        if reason == "requested" and t.flow.is_unquotable and unavailable is not None:
            reason = unavailable.value
        conv.handoff_count += 1
        conv.handoff = HandoffRecord(
            id=f"{conv.handoff_count}-{uuid.uuid4().hex[:8]}",
            reason=reason, urgent=urgent, created_at=t.now, updated_at=t.now,
            after=after if after and after != reason else None,
        )
        t.flow.send("hand_over")
        reply.kind, reply.handoff, reply.urgent = "handoff", True, urgent
        open_now = self.hours.is_open(t.now)
        if urgent:
            reply.parts.append(self.say("handoff_incident", lang))
            if not open_now:
                reply.parts.append(self.say("handoff_incident_closed", lang))
        elif open_now:
            reply.parts.append(self.say("handoff_started", lang, minutes=self.content.messages.settings.handoff_expected_wait_minutes))
        else:
            reply.parts.append(self.say("handoff_started_closed", lang, when=next_contact(self.hours, t.now, lang, self.say)))
        reply.choices = cancel_choices(self.content, lang)

    def _while_with_person(self, t: TurnContext) -> list[Outbound]:
        """A person has, or is about to have, the conversation. Every message goes to the
        agents (flagged urgent when it reports an incident), and the bot says nothing of its
        own but handoff notices: how it stands when the prospect asks, and the confirmation
        when a request still waiting is taken back."""
        conv, inbound, handoff = t.conv, t.inbound, t.conv.handoff
        assert handoff is not None
        lang, state, r = conv.lang, conv.state, t.reading
        action = Action.parse(inbound.action)
        if handoff.is_waiting and (action is Action.CANCEL_HANDOFF or (r is not None and r.says(Intent.CANCEL) and not r.question)):
            return self._cancel_handoff(t)
        outs: list[Outbound] = []
        if r is not None and not r.empty:
            urgent = r.intent is Intent.INCIDENT
            outs.append(Outbound("relay", inbound.text, lang, state, to_agent=True, urgent=urgent, card_changed=urgent and not handoff.urgent))
            if urgent and not handoff.urgent:
                handoff.urgent, handoff.updated_at = True, t.now
        if not handoff.is_waiting:
            return outs
        if action in (Action.HANDOFF, Action.PERSON_YES) or (r is not None and r.intent is Intent.HANDOFF):
            outs.append(Outbound("handoff_already", self.say("handoff_already", lang), lang, state))
        elif r is not None and r.says(Intent.STATUS):
            outs.append(Outbound("handoff_status", self._status(t), lang, state))
        return outs

    def _status(self, t: TurnContext) -> str:
        """How the request stands, honestly: how long it has waited, whether the agents have been reminded, and when they will reply if
        business hours are over."""
        handoff = t.conv.handoff
        assert handoff is not None
        # The prospect's own wait is the clock's (business time is the agents' measure).
        minutes = max(1, int((t.now - handoff.created_at) // 60))
        key = "handoff_status_reminded" if handoff.reminded else "handoff_status"
        text = self.say(key, t.lang, minutes=minutes)
        if not handoff.urgent and not self.hours.is_open(t.now):
            text += self.say("handoff_status_closed", t.lang, when=next_contact(self.hours, t.now, t.lang, self.say))
        return text

    def _on_satisfaction(self, t: TurnContext) -> None:
        """The closing survey's answer: kept with the handoff it asked about, once."""
        h = t.conv.handoff
        score = t.inbound.value or ""
        if h is None or not h.survey_asked or score not in {"1", "2", "3", "4", "5"}:
            t.reply.parts.append(self.say("not_understood", t.lang))
            return
        t.reply.kind = "survey_answered"
        if h.satisfaction is None:
            h.satisfaction, h.updated_at = int(score), t.now
            t.reply.parts.append(self.say("survey_thanks", t.lang))
            t.reply.card_changed = True  # the card shows the answer
        else:
            t.reply.parts.append(self.say("survey_already", t.lang))

    def _cancel_handoff(self, t: TurnContext) -> list[Outbound]:
        """The prospect no longer needs a person: the request is withdrawn (the card shows it)
        and the bot resumes where the facts lead."""
        handoff = t.conv.handoff
        assert handoff is not None
        HandoffFlow(handoff).send("cancel", now=t.now)
        t.flow.send("release")
        t.conv.buttons_id = None  # the notice's cancel button is done with
        t.reply.kind = "handoff_cancelled"
        t.reply.parts.append(self.say("handoff_cancelled", t.lang))
        if t.flow.is_unquotable:  # how to go on, without offering the person just declined
            t.reply.parts.append(self.say("unquotable_next", t.lang))
        else:
            self._resume(t, say_resume=False)
        out = t.reply.render(t.lang, t.conv.state)
        out.card_changed = out.ends_buttons = True
        return [out]
