"""The engine: load a conversation, understand the message, step the flow, save, reply.

`Engine.handle(key, inbound)` is the whole contract with transports. One turn is one
atomic write (store.transact): the conversation, its transcript lines and its handoff are
committed together before any reply leaves, so a handoff is recorded before it is announced.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field

from bot.content.bundle import Content
from bot.flows.model import Conversation, HandoffRecord
from bot.flows.quote import QuoteFlow
from bot.rating import Quote, Reason, quote
from bot.store import Store, Turn, entry
from bot.turn import Choice, Inbound, Outbound
from bot.money import format_price, format_yen
from bot.understanding.amounts import Amount, find_amount, mentions_foreign_currency
from bot.understanding.faq import FaqIndex
from bot.understanding.industries import IndustryMatch, find_industry
from bot.understanding.intents import Intent, detect_intent, is_other_insurance, is_question, is_statement
from bot.normalize import detect_language, normalize

log = logging.getLogger(__name__)


@dataclass
class _Reply:
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


class Engine:
    """Transport-free dialogue engine over a Store and validated Content."""

    def __init__(self, store: Store, content: Content, faq_index: FaqIndex | None = None) -> None:
        self.store = store
        self.content = content
        self.faq = faq_index or FaqIndex.build(content.faq)
        self.say = content.messages.say

    # -- the contract ----------------------------------------------------------------------

    def handle(self, key: str, inbound: Inbound) -> list[Outbound]:
        """One turn for conversation `key`; returns the replies to send, in order."""

        def step(current: Conversation | None) -> tuple[Turn, list[Outbound]]:
            now = time.time()
            conv = current.model_copy(deep=True) if current else Conversation(key=key, created_at=now)
            conv.turns += 1
            conv.updated_at = now
            if inbound.user and "user" not in conv.meta:
                conv.meta["user"] = inbound.user
            transcript = [entry("prospect", inbound.text, action=inbound.action, value=inbound.value)]
            outs = self._step(conv, inbound, now)
            for out in outs:
                role = "relay" if out.to_agent else "bot"
                if not out.to_agent:
                    transcript.append(entry(role, out.text, kind=out.kind, handoff=out.handoff))
            return Turn(conv, transcript), outs

        outs = self.store.transact(key, step)
        for out in outs:
            log.info("turn key_hash=%s kind=%s state=%s handoff=%s", _hash(key), out.kind, out.state, out.handoff)
        return outs

    def start(self, key: str, lang: str = "ja") -> list[Outbound]:
        """Open a conversation with the greeting (slash command, terminal start)."""
        return self.handle(key, Inbound(action="start", value=lang))

    # -- one step ----------------------------------------------------------------------------

    def _step(self, conv: Conversation, inbound: Inbound, now: float) -> list[Outbound]:
        flow = QuoteFlow(conv, self.content.rates)
        if inbound.action:
            if inbound.action == "start" and inbound.value in ("ja", "en"):
                conv.lang = inbound.value  # type: ignore[assignment]
        else:
            conv.lang = detect_language(inbound.text, default=conv.lang)  # type: ignore[assignment]
        lang = conv.lang

        if conv.state == "with_person" and conv.handoff and conv.handoff.is_open:
            return self._while_with_person(conv, inbound, now)
        if conv.state == "with_person":  # a handoff ended without release: resume the bot
            flow.send("release")

        reply = _Reply()
        offered = conv.offered_handoff
        conv.offered_handoff = None
        if inbound.action:
            self._on_action(flow, conv, inbound, reply, now, offered)
        else:
            self._on_text(flow, conv, inbound.text, reply, now, offered)
        return [self._render(conv, reply, lang)]

    def _on_action(self, flow: QuoteFlow, conv: Conversation, inbound: Inbound, reply: _Reply, now: float, offered: str | None) -> None:
        action, value = inbound.action, inbound.value or ""
        lang = conv.lang
        if action == "start":
            if conv.state == "new":
                reply.parts.append(self.say("greeting", lang))
            self._advance(flow, conv, reply)
        elif action == "industry":
            if value in self.content.industries.industries:
                conv.industry, conv.other_industry = value, None
                self._advance(flow, conv, reply, acknowledge_industry=True)
            else:  # "その他": ask for the name; an unknown one leads to a person
                reply.parts.append(self.say("other_industry_hint", lang))
                reply.kind = "ask_industry_text"
        elif action == "sales":
            high, _, low = value.partition(":")
            if not high.isdigit():
                reply.parts.append(self.say("not_understood", lang))
                self._prompt(flow, conv, reply)
                return
            low_value = int(low) if low.isdigit() and int(low) > 0 else None
            self._take_amount(flow, conv, Amount(yen=int(high), low_yen=low_value), reply)
        elif action == "type_amount":
            reply.parts.append(self.say("type_amount_hint", lang))
            reply.kind = "ask_sales_text"
        elif action == "plan" and value in ("plan1", "plan2"):
            conv.plan = value  # type: ignore[assignment]
            self._advance(flow, conv, reply)
        elif action == "restart":
            flow.send("restart")
            reply.parts.append(self.say("restart", lang))
            self._prompt(flow, conv, reply)
        elif action in ("handoff", "person_yes"):
            why = offered if action == "person_yes" else None
            self._hand_over(flow, conv, why or "requested", False, reply, now)
        elif action == "person_no":
            reply.parts.append(self.say("handoff_declined", lang))
            self._prompt(flow, conv, reply)
        elif action == "faq_menu":
            reply.kind = "faq_menu"
            reply.parts.append(self.say("faq_menu", lang))
            reply.choices = [
                Choice("faq", e.id, e.questions_in(lang)[0]) for e in self.content.faq.entries
            ][:6]
        elif action == "faq" and self.faq.has(value):
            reply.faq_id = value
            reply.kind = "faq"
            reply.parts.append(self.faq.answer(value, lang))
            self._resume(flow, conv, reply)
        else:
            reply.parts.append(self.say("not_understood", lang))
            self._prompt(flow, conv, reply)

    def _on_text(self, flow: QuoteFlow, conv: Conversation, text: str, reply: _Reply, now: float, offered: str | None) -> None:
        lang = conv.lang
        norm = normalize(text)
        if not norm:
            reply.parts.append(self.say("empty_message", lang))
            self._prompt(flow, conv, reply)
            return
        intents = self.content.intents
        intent = detect_intent(text, intents)
        if intent is Intent.INCIDENT:
            self._hand_over(flow, conv, "incident", True, reply, now)
            return
        if intent is Intent.HANDOFF or (offered and intent is Intent.YES):
            self._hand_over(flow, conv, offered if intent is Intent.YES and offered else "requested", False, reply, now)
            return
        if offered and intent is Intent.NO:
            reply.parts.append(self.say("handoff_declined", lang))
            if conv.state == "unquotable":  # say how to go on, without offering a person again
                reply.parts.append(self.say("unquotable_next", lang))
            else:
                self._resume(flow, conv, reply, say_resume=False)
            return

        other_insurance = is_other_insurance(text, intents)
        amount = None if other_insurance else find_amount(text)
        industry = None if other_insurance else find_industry(text, self.content.industries)
        if amount is not None or industry is not None:
            self._take_facts(flow, conv, amount, industry, reply)
            return
        if intent is Intent.DONT_KNOW and conv.state in ("need_both", "need_sales", "need_industry"):
            industry_wanted = conv.state == "need_industry"
            reply.parts.append(self.say("dont_know_industry" if industry_wanted else "dont_know_sales", lang))
            self._prompt(flow, conv, reply, repeat_question=False)
            return
        if intent is Intent.PRICE and conv.state == "quoted":
            self._prompt(flow, conv, reply)  # their own figures, not the page's examples
            return
        if mentions_foreign_currency(text):
            reply.parts.append(self.say("reject_foreign_currency", lang))
            self._prompt(flow, conv, reply)
            return
        if intent in (Intent.PLAN2, Intent.PLAN1):
            conv.plan = intent.value
            if conv.state != "quoted":
                reply.parts.append(self.say(f"{intent.value}_noted", lang))
            self._advance(flow, conv, reply)
            return
        if intent is Intent.RESTART:
            flow.send("restart")
            reply.parts.append(self.say("restart", lang))
            self._prompt(flow, conv, reply)
            return

        # "見積もりしたい" starts the quote; "見積もりには何が必要?" is a product question.
        # Likewise "ありがとう、助かります" is a thank-you, "ありがとう、罰金は?" a question.
        question = is_question(text, intents)
        if intent is Intent.START_QUOTE and not question:
            self._start_quote(flow, conv, reply)
            return
        if intent in (Intent.GREETING, Intent.THANKS, Intent.YES, Intent.NO) and not (question or other_insurance):
            self._small_talk(flow, conv, intent, reply)
            return
        waiting = conv.state in ("need_both", "need_sales", "need_industry")
        telling = waiting and is_statement(text, intents)  # "従業員50名です": about them, not a question
        hit = None if other_insurance or telling else self.faq.match(text, statement=waiting and not question)
        if hit is not None:
            reply.kind = "faq"
            reply.faq_id = hit.id
            reply.parts.append(self.faq.answer(hit.id, lang))
            self._resume(flow, conv, reply)
            return
        if intent is Intent.START_QUOTE:
            self._start_quote(flow, conv, reply)
            return
        if intent in (Intent.GREETING, Intent.THANKS) and not other_insurance:
            self._small_talk(flow, conv, intent, reply)
            return
        if other_insurance or conv.state in ("new", "quoted", "unquotable"):
            reply.kind = "out_of_scope"
            reply.parts.append(self.say("out_of_scope", lang))
            self._offer_person(conv, reply, "faq_abstained")
            return
        # The prospect was answering our question, and we could not read the answer.
        conv.misses += 1
        unreadable = {"need_both": "unreadable_both", "need_sales": "unreadable_sales"}.get(conv.state, "unreadable_industry")
        reply.parts.append(self.say(unreadable, lang))
        if conv.misses >= 2:  # asking the same thing a third time helps nobody
            conv.misses = 0
            self._offer_person(conv, reply, "not_understood")
            return
        self._prompt(flow, conv, reply, repeat_question=False)

    # -- facts ---------------------------------------------------------------------------------

    def _take_facts(self, flow: QuoteFlow, conv: Conversation, amount: Amount | None, industry: IndustryMatch | None, reply: _Reply) -> None:
        conv.misses = 0
        if industry is not None:
            if industry.key is not None:
                conv.industry, conv.other_industry = industry.key, None
            else:
                conv.industry, conv.other_industry = None, industry.surface[:60]
        if amount is not None:
            self._take_amount(flow, conv, amount, reply, acknowledge_industry=industry is not None)
        else:
            self._advance(flow, conv, reply, acknowledge_industry=True)

    def _take_amount(self, flow: QuoteFlow, conv: Conversation, amount: Amount, reply: _Reply, acknowledge_industry: bool = False) -> None:
        lang, rates = conv.lang, self.content.rates
        if amount.yen <= 0:
            reply.parts.append(self.say("reject_non_positive", lang))
            self._prompt(flow, conv, reply, repeat_question=False)
            return
        if amount.yen > rates.plausible_max_sales_yen:
            shown = format_yen(amount.yen, lang)
            reply.parts.append(self.say("reject_absurd", lang, sales=shown if len(shown) <= 40 else shown[:39] + "…"))
            self._prompt(flow, conv, reply, repeat_question=False)
            return
        conv.sales_yen = amount.yen
        conv.sales_low_yen = amount.low_yen if amount.low_yen and amount.low_yen < amount.yen else None
        if amount.monthly:
            reply.parts.append(self.say("monthly_note", lang, monthly=format_yen(amount.yen // 12, lang),
                                        annual=format_yen(amount.yen, lang)))
        self._advance(flow, conv, reply, acknowledge_industry=acknowledge_industry, acknowledge_sales=True)

    # -- where the flow goes next --------------------------------------------------------------

    def _advance(self, flow: QuoteFlow, conv: Conversation, reply: _Reply, acknowledge_industry: bool = False, acknowledge_sales: bool = False) -> None:
        """Facts changed (or the prospect wants a quote): step the machine, then say what the
        new state asks for. A quote needs no acknowledgement: it shows both facts."""
        flow.send("collect")
        lang = conv.lang
        if conv.state not in ("quoted", "unquotable"):
            if acknowledge_sales and conv.sales_yen is not None:
                reply.parts.append(self.say("ack_sales", lang, sales=format_yen(conv.sales_yen, lang)))
            if acknowledge_industry and conv.industry is not None:
                reply.parts.append(self.say("ack_industry", lang, industry=self._industry_label(conv.industry, lang)))
        self._prompt(flow, conv, reply)

    def _small_talk(self, flow: QuoteFlow, conv: Conversation, intent: Intent, reply: _Reply) -> None:
        """Hello, thanks, or a bare yes/no to nothing we asked: never "out of scope"."""
        if conv.state == "new":
            self._start_quote(flow, conv, reply)
        elif intent in (Intent.GREETING, Intent.THANKS):
            reply.parts.append(self.say("thanks_reply" if intent is Intent.THANKS else "greeting_again", conv.lang))
            self._resume(flow, conv, reply, say_resume=False)
        elif conv.state in ("quoted", "unquotable"):  # a bare yes / no to nothing we asked
            reply.parts.append(self.say("handoff_declined", conv.lang))
            self._resume(flow, conv, reply, say_resume=False)
        else:
            reply.parts.append(self.say("not_understood", conv.lang))
            self._prompt(flow, conv, reply)

    def _start_quote(self, flow: QuoteFlow, conv: Conversation, reply: _Reply) -> None:
        """The prospect wants a quote (or just said hello): greet once, then ask what is missing."""
        if conv.state == "new":
            reply.parts.append(self.say("greeting", conv.lang))
        self._advance(flow, conv, reply)

    def _resume(self, flow: QuoteFlow, conv: Conversation, reply: _Reply, say_resume: bool = True) -> None:
        """After an answer, pick the quote up where it was (ask again what is missing); a
        first message that was a question is answered, then invited to a quote."""
        if conv.state == "new":
            self._prompt(flow, conv, reply)
        elif conv.state in ("need_both", "need_sales", "need_industry"):
            if say_resume:
                reply.parts.append(self.say("faq_resume", conv.lang))
            self._prompt(flow, conv, reply)
        elif conv.state in ("quoted", "unquotable"):
            reply.choices = self._after_quote_choices(conv.lang) if conv.state == "quoted" else self._person_choices(conv.lang)

    def _prompt(self, flow: QuoteFlow, conv: Conversation, reply: _Reply, repeat_question: bool = True) -> None:
        """What the current state asks of the prospect, with its buttons."""
        lang, state = conv.lang, conv.state
        if state == "new":
            flow.send("collect")
            state = conv.state
        if state == "need_both":
            reply.kind = "ask_both" if reply.kind == "reply" else reply.kind
            reply.parts.append(self.say("ask_both", lang))
            reply.choices = self._sales_choices(lang)
        elif state == "need_sales":
            reply.kind = "ask_sales" if reply.kind == "reply" else reply.kind
            reply.parts.append(self.say("ask_sales", lang))
            reply.choices = self._sales_choices(lang)
        elif state == "need_industry":
            reply.kind = "ask_industry" if reply.kind == "reply" else reply.kind
            reply.parts.append(self.say("ask_industry", lang))
            reply.choices = self._industry_choices(lang)
        elif state == "quoted":
            self._quote(conv, reply)
        elif state == "unquotable":
            self._unquotable(flow, conv, reply)

    def _quote(self, conv: Conversation, reply: _Reply) -> None:
        lang, rates, say = conv.lang, self.content.rates, self.say
        assert conv.industry is not None and conv.sales_yen is not None
        q = quote(rates, conv.industry, conv.sales_yen, conv.plan)
        limits = rates.plans[q.plan]
        other_plan = "plan1" if q.plan == "plan2" else "plan2"
        other_limits = rates.plans[other_plan]
        reply.kind, reply.quote = "quote", q
        reply.fields = [
            (say("label_sales", lang), format_yen(q.sales_yen, lang)),
            (say("label_industry", lang), self._industry_label(q.industry, lang)),
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
        reply.parts.append(say("quote_intro", lang))
        reply.parts.append("\n".join(f"・{label}: {value}" if lang == "ja" else f"• {label}: {value}" for label, value in reply.fields))
        reply.parts.extend(notes)
        reply.parts.append(say(offer_key, lang, liability=format_yen(other_limits.liability_limit_yen, lang), costs=format_yen(other_limits.costs_limit_yen, lang)))
        reply.parts.append(say("after_quote_hint", lang))
        reply.note = say("quote_caveat", lang)
        reply.choices = self._after_quote_choices(lang, other_plan)

    def _unquotable(self, flow: QuoteFlow, conv: Conversation, reply: _Reply) -> None:
        lang, rates = conv.lang, self.content.rates
        reason = flow.unavailable()
        reply.kind = "unquotable"
        if reason is Reason.ABOVE_TABLE:
            reply.parts.append(self.say("reason_above_table", lang, max=format_yen(rates.max_sales_yen, lang)))
        elif reason is Reason.IT_SERVICES:
            reply.parts.append(self.say("reason_it_services", lang))
        else:
            name = conv.other_industry or self._industry_label(conv.industry or "", lang)
            reply.parts.append(self.say("reason_unrated_industry", lang, industry=name))
        self._offer_person(conv, reply, reason.value if reason else "requested")

    def _offer_person(self, conv: Conversation, reply: _Reply, why: str) -> None:
        conv.offered_handoff = why
        reply.parts.append(self.say("offer_person", conv.lang))
        reply.choices = self._person_choices(conv.lang)

    # -- handoff -------------------------------------------------------------------------------

    def _hand_over(self, flow: QuoteFlow, conv: Conversation, reason: str, urgent: bool, reply: _Reply, now: float) -> None:
        """Record the handoff on the conversation (committed with this turn), then tell the
        prospect. The transport announces it to agents after the commit."""
        lang = conv.lang
        unavailable = flow.unavailable()
        if reason == "requested" and conv.state == "unquotable" and unavailable is not None:
            reason = unavailable.value
        conv.handoff_count += 1
        conv.handoff = HandoffRecord(
            id=f"{conv.handoff_count}-{uuid.uuid4().hex[:8]}",
            reason=reason, urgent=urgent, created_at=now, updated_at=now,
        )
        flow.send("hand_over")
        reply.kind, reply.handoff, reply.urgent = "handoff", True, urgent
        if urgent:
            reply.parts.append(self.say("handoff_incident", lang))
        reply.parts.append(self.say("handoff_started", lang, minutes=self.content.messages.settings.handoff_expected_wait_minutes))

    def _while_with_person(self, conv: Conversation, inbound: Inbound, now: float) -> list[Outbound]:
        """A person has (or is about to have) the conversation: pass messages on; the bot
        only speaks while nobody has claimed it yet, and never once a person has."""
        assert conv.handoff is not None
        lang, handoff = conv.lang, conv.handoff
        outs = [Outbound("relay", inbound.text, lang, conv.state, to_agent=True)] if inbound.text else []
        if inbound.text and detect_intent(inbound.text, self.content.intents) is Intent.INCIDENT and not handoff.urgent:
            # The accident procedure is safety advice: the prospect gets it at once even when a
            # person has the conversation. The handoff becomes urgent; its card is updated, not
            # posted again.
            handoff.urgent, handoff.updated_at = True, now
            outs.append(Outbound("handoff", self.say("handoff_incident", lang), lang, conv.state, handoff=True, urgent=True))
            return outs
        if handoff.status == "waiting":
            text = self.say("handoff_already" if inbound.action in ("handoff", "person_yes") else "handoff_waiting", lang)
            outs.append(Outbound("handoff_waiting", text, lang, conv.state))
        return outs

    # -- small builders ------------------------------------------------------------------------

    def _industry_label(self, key: str, lang: str) -> str:
        industry = self.content.industries.industries.get(key)
        return industry.labels(lang) if industry else key

    def _industry_choices(self, lang: str) -> list[Choice]:
        rated = list(self.content.rates.industries)
        return [Choice("industry", key, self._industry_label(key, lang)) for key in rated] + [
            Choice("industry", "other", self.say("button_other_industry", lang))
        ]

    def _sales_choices(self, lang: str) -> list[Choice]:
        ranges = self.content.messages.sales_ranges
        return [Choice("sales", f"{r.yen}:{r.low_yen}", r.label(lang)) for r in ranges] + [
            Choice("type_amount", "type", self.say("button_type_amount", lang))
        ]

    def _after_quote_choices(self, lang: str, other_plan: str | None = None) -> list[Choice]:
        choices = [
            Choice("handoff", "quote", self.say("button_handoff", lang), primary=True),
            Choice("restart", "quote", self.say("button_requote", lang)),
            Choice("faq_menu", "quote", self.say("button_faq", lang)),
        ]
        if other_plan:
            choices.insert(1, Choice("plan", other_plan, self.say(f"button_{other_plan}", lang)))
        return choices

    def _person_choices(self, lang: str) -> list[Choice]:
        return [
            Choice("person_yes", "offer", self.say("button_yes_person", lang), primary=True),
            Choice("person_no", "offer", self.say("button_no_thanks", lang)),
        ]

    def _render(self, conv: Conversation, reply: _Reply, lang: str) -> Outbound:
        text = "\n".join(p for p in reply.parts if p)
        if reply.note:
            text = f"{text}\n{reply.note}"
        return Outbound(
            kind=reply.kind, text=text, lang=lang, state=conv.state, quote=reply.quote,
            faq_id=reply.faq_id, handoff=reply.handoff, urgent=reply.urgent,
            choices=reply.choices, fields=reply.fields, note=reply.note,
        )


def _hash(key: str) -> str:
    """Logs identify a conversation without naming its channel or user."""
    import hashlib

    return hashlib.blake2s(key.encode(), digest_size=6).hexdigest()
