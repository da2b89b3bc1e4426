"""The engine: load a conversation, read the message once, apply the rules, step the flow,
save, reply.

`Engine.handle(key, inbound)` is the whole contract with transports. One turn is one
atomic write (store.transact): the conversation, its transcript lines and its handoff are
committed together before any reply leaves, so a handoff is recorded before it is announced.

A typed message is read once (`understanding.reading.read`); the engine's choices are the
named rules of `TEXT_RULES`, tried in order, the first whose `when` holds deciding the turn.
A click goes to the handler `ACTIONS` maps its `Action` to. Where the dialogue goes next is
the flow's business (`bot/flows/quote.py`); the engine never names a state.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.content.bundle import Content
from bot.flows.model import Conversation, HandoffRecord
from bot.flows.quote import QuoteFlow
from bot.money import format_yen
from bot.rating import Reason, quote
from bot.replies import Reply, after_quote_choices, faq_menu_choices, industry_choices, person_choices, quote_card, sales_choices
from bot.store import Store, Turn, entry
from bot.turn import Action, Inbound, Outbound
from bot.understanding.amounts import Amount
from bot.understanding.faq import FaqHit, FaqIndex
from bot.understanding.industries import IndustryMatch
from bot.understanding.intents import Intent
from bot.understanding.reading import Reading, read

log = logging.getLogger(__name__)

SMALL_TALK = (Intent.GREETING, Intent.THANKS, Intent.YES, Intent.NO)
PLEASANTRIES = (Intent.GREETING, Intent.THANKS)


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


class Rule(NamedTuple):
    """One of the engine's choices: `then` runs when `when` is the first to hold."""

    name: str
    when: Callable[[TurnContext], bool]
    then: Callable[["Engine", TurnContext], None]


# -- when: predicates over the reading and where the flow stands ---------------------------------


def _faq_hit(t: TurnContext) -> FaqHit | None:
    """The FAQ entry to answer with. While the bot waits for a fact, a plain statement about
    the business ("従業員50名です") is never answered from the FAQ, and a message not phrased
    as a question must clear the FAQ's higher bar."""
    r, waiting = t.r, t.flow.is_collecting
    if r.faq is None or (waiting and r.statement):
        return None
    if waiting and not r.question and not r.faq_confident:
        return None
    return r.faq


def _wants_person(t: TurnContext) -> bool:
    return t.r.intent is Intent.HANDOFF or bool(t.offered and t.r.intent is Intent.YES)


def _small_talk(t: TurnContext) -> bool:
    # "ありがとう、助かります" is a thank-you; "ありがとう、罰金は?" a question.
    return t.r.intent in SMALL_TALK and not (t.r.question or t.r.other_insurance)


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
        reading = None if inbound.action else read(inbound.text, self.content, self.faq)

        def step(current: Conversation | None) -> tuple[Turn, list[Outbound]]:
            now = time.time()
            conv = current.model_copy(deep=True) if current else Conversation(key=key, created_at=now)
            conv.turns += 1
            conv.updated_at = now
            if inbound.user and "user" not in conv.meta:
                conv.meta["user"] = inbound.user
            transcript = [entry("prospect", inbound.text, action=inbound.action, value=inbound.value)]
            outs = self._step(conv, inbound, reading, now)
            transcript += [entry("bot", out.text, kind=out.kind, handoff=out.handoff) for out in outs if not out.to_agent]
            return Turn(conv, transcript), outs

        outs = self.store.transact(key, step)
        for out in outs:
            log.info("turn key_hash=%s kind=%s state=%s handoff=%s", _hash(key), out.kind, out.state, out.handoff)
        return outs

    def start(self, key: str, lang: str = "ja") -> list[Outbound]:
        """Open a conversation with the greeting (slash command, terminal start)."""
        return self.handle(key, Inbound(action=Action.START, value=lang))

    # -- one step ----------------------------------------------------------------------------

    def _step(self, conv: Conversation, inbound: Inbound, reading: Reading | None, now: float) -> list[Outbound]:
        flow = QuoteFlow(conv, self.content.rates)
        action = Action.parse(inbound.action)
        if reading is not None and reading.lang:
            conv.lang = reading.lang  # type: ignore[assignment]
        elif action is Action.START and inbound.value in ("ja", "en"):
            conv.lang = inbound.value  # type: ignore[assignment]
        t = TurnContext(conv, flow, inbound, now, conv.offered_handoff, reading)
        if flow.is_with_person and conv.handoff and conv.handoff.is_open:
            return self._while_with_person(t)
        if flow.is_with_person:  # a handoff ended without release: resume the bot
            flow.send("release")
        conv.offered_handoff = None
        if reading is not None:
            rule = next(rule for rule in TEXT_RULES if rule.when(t))
            rule.then(self, t)
        else:  # a click; a forged or retired action id is answered as not understood
            handler = ACTIONS.get(action) if action else None
            (handler or Engine._on_unknown_click)(self, t)
        return [t.reply.render(conv.lang, conv.state)]

    # -- typed messages ------------------------------------------------------------------------

    def _on_empty(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("empty_message", t.lang))
        self._prompt(t)

    def _on_incident(self, t: TurnContext) -> None:
        self._hand_over(t, "incident", urgent=True)

    def _on_person(self, t: TurnContext) -> None:
        accepted = t.r.intent is Intent.YES and t.offered
        self._hand_over(t, t.offered if accepted and t.offered else "requested")

    def _on_decline(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("handoff_declined", t.lang))
        if t.flow.is_unquotable:  # say how to go on, without offering a person again
            t.reply.parts.append(self.say("unquotable_next", t.lang))
        else:
            self._resume(t, say_resume=False)

    def _on_facts(self, t: TurnContext) -> None:
        self._take_facts(t, t.r.amount, t.r.industry)

    def _on_dont_know(self, t: TurnContext) -> None:
        ask = t.flow.ask()
        assert ask is not None
        t.reply.parts.append(self.say(ask.dont_know, t.lang))
        self._prompt(t)

    def _on_price_again(self, t: TurnContext) -> None:
        self._prompt(t)  # their own figures, not the page's examples

    def _on_foreign_currency(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("reject_foreign_currency", t.lang))
        self._prompt(t)

    def _on_plan_named(self, t: TurnContext) -> None:
        plan = t.r.intent.value  # type: ignore[union-attr]
        t.conv.plan = plan  # type: ignore[assignment]
        if not t.flow.is_quoted:
            t.reply.parts.append(self.say(f"{plan}_noted", t.lang))
        self._advance(t)

    def _on_restart(self, t: TurnContext) -> None:
        t.flow.send("restart")
        t.reply.parts.append(self.say("restart", t.lang))
        self._prompt(t)

    def _on_quote_request(self, t: TurnContext) -> None:
        """The prospect wants a quote (or just said hello): greet once, then ask what is missing."""
        if t.flow.is_new:
            t.reply.parts.append(self.say("greeting", t.lang))
        self._advance(t)

    def _on_small_talk(self, t: TurnContext) -> None:
        """Hello, thanks, or a bare yes/no to nothing we asked: never "out of scope"."""
        intent, flow = t.r.intent, t.flow
        if flow.is_new:
            self._on_quote_request(t)
        elif intent in PLEASANTRIES:
            t.reply.parts.append(self.say("thanks_reply" if intent is Intent.THANKS else "greeting_again", t.lang))
            self._resume(t, say_resume=False)
        elif flow.is_settled:  # a bare yes / no to nothing we asked
            t.reply.parts.append(self.say("handoff_declined", t.lang))
            self._resume(t, say_resume=False)
        else:
            t.reply.parts.append(self.say("not_understood", t.lang))
            self._prompt(t)

    def _on_faq(self, t: TurnContext) -> None:
        hit = _faq_hit(t)
        assert hit is not None
        self._answer_faq(t, hit.id)

    def _on_off_topic(self, t: TurnContext) -> None:
        t.reply.kind = "out_of_scope"
        t.reply.parts.append(self.say("out_of_scope", t.lang))
        self._offer_person(t, "faq_abstained")

    def _on_unreadable(self, t: TurnContext) -> None:
        """The prospect was answering our question, and we could not read the answer."""
        ask = t.flow.ask()
        assert ask is not None
        t.conv.misses += 1
        t.reply.parts.append(self.say(ask.unreadable, t.lang))
        if t.conv.misses >= 2:  # asking the same thing a third time helps nobody
            t.conv.misses = 0
            self._offer_person(t, "not_understood")
            return
        self._prompt(t)

    # -- clicks ---------------------------------------------------------------------------------

    def _on_start(self, t: TurnContext) -> None:
        if t.flow.is_new:
            t.reply.parts.append(self.say("greeting", t.lang))
        self._advance(t)

    def _on_industry_button(self, t: TurnContext) -> None:
        value = t.inbound.value or ""
        if value in self.content.industries.industries:
            t.conv.industry, t.conv.other_industry = value, None
            self._advance(t, acknowledge_industry=True)
        else:  # "その他": ask for the name; an unknown one leads to a person
            t.reply.parts.append(self.say("other_industry_hint", t.lang))
            t.reply.kind = "ask_industry_text"

    def _on_sales_button(self, t: TurnContext) -> None:
        high, _, low = (t.inbound.value or "").partition(":")
        if not high.isdigit():
            self._on_unknown_click(t)
            return
        low_value = int(low) if low.isdigit() and int(low) > 0 else None
        self._take_amount(t, Amount(yen=int(high), low_yen=low_value))

    def _on_type_amount(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("type_amount_hint", t.lang))
        t.reply.kind = "ask_sales_text"

    def _on_plan_button(self, t: TurnContext) -> None:
        if t.inbound.value not in ("plan1", "plan2"):
            self._on_unknown_click(t)
            return
        t.conv.plan = t.inbound.value  # type: ignore[assignment]
        self._advance(t)

    def _on_handoff_button(self, t: TurnContext) -> None:
        self._hand_over(t, "requested")

    def _on_person_yes(self, t: TurnContext) -> None:
        self._hand_over(t, t.offered or "requested")

    def _on_person_no(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("handoff_declined", t.lang))
        self._prompt(t)

    def _on_faq_menu(self, t: TurnContext) -> None:
        t.reply.kind = "faq_menu"
        t.reply.parts.append(self.say("faq_menu", t.lang))
        t.reply.choices = faq_menu_choices(self.content, t.lang)

    def _on_faq_button(self, t: TurnContext) -> None:
        if not self.faq.has(t.inbound.value or ""):
            self._on_unknown_click(t)
            return
        self._answer_faq(t, t.inbound.value or "")

    def _on_unknown_click(self, t: TurnContext) -> None:
        t.reply.parts.append(self.say("not_understood", t.lang))
        self._prompt(t)

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
            if acknowledge_sales and conv.sales_yen is not None:
                t.reply.parts.append(self.say("ack_sales", lang, sales=format_yen(conv.sales_yen, lang)))
            if acknowledge_industry and conv.industry is not None:
                t.reply.parts.append(self.say("ack_industry", lang, industry=self.content.industries.label(conv.industry, lang)))
        self._prompt(t)

    def _answer_faq(self, t: TurnContext, entry_id: str) -> None:
        t.reply.kind, t.reply.faq_id = "faq", entry_id
        t.reply.parts.append(self.faq.answer(entry_id, t.lang))
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

    def _hand_over(self, t: TurnContext, reason: str, urgent: bool = False) -> None:
        """Record the handoff on the conversation (committed with this turn), then tell the
        prospect. The transport announces it to agents after the commit."""
        conv, reply, lang = t.conv, t.reply, t.lang
        unavailable = t.flow.unavailable()
        if reason == "requested" and t.flow.is_unquotable and unavailable is not None:
            reason = unavailable.value
        conv.handoff_count += 1
        conv.handoff = HandoffRecord(
            id=f"{conv.handoff_count}-{uuid.uuid4().hex[:8]}",
            reason=reason, urgent=urgent, created_at=t.now, updated_at=t.now,
        )
        t.flow.send("hand_over")
        reply.kind, reply.handoff, reply.urgent = "handoff", True, urgent
        if urgent:
            reply.parts.append(self.say("handoff_incident", lang))
        reply.parts.append(self.say("handoff_started", lang, minutes=self.content.messages.settings.handoff_expected_wait_minutes))

    def _while_with_person(self, t: TurnContext) -> list[Outbound]:
        """A person has (or is about to have) the conversation: pass messages on; the bot
        only speaks while nobody has claimed it yet, and never once a person has."""
        conv, inbound, handoff = t.conv, t.inbound, t.conv.handoff
        assert handoff is not None
        lang, state = conv.lang, conv.state
        outs = [Outbound("relay", inbound.text, lang, state, to_agent=True)] if inbound.text else []
        if t.reading is not None and t.reading.intent is Intent.INCIDENT and not handoff.urgent:
            # The accident procedure is safety advice: the prospect gets it at once even when a
            # person has the conversation. The handoff becomes urgent; its card is updated, not
            # posted again.
            handoff.urgent, handoff.updated_at = True, t.now
            outs.append(Outbound("handoff", self.say("handoff_incident", lang), lang, state, handoff=True, urgent=True))
            return outs
        if handoff.status == "waiting":
            again = Action.parse(inbound.action) in (Action.HANDOFF, Action.PERSON_YES)
            outs.append(Outbound("handoff_waiting", self.say("handoff_already" if again else "handoff_waiting", lang), lang, state))
        return outs


# The engine's choices for a typed message, in the order they are tried. Incidents and
# requests for a person come first: whatever else the message says, they change who answers.
TEXT_RULES: tuple[Rule, ...] = (
    Rule("empty", lambda t: t.r.empty, Engine._on_empty),
    Rule("incident", lambda t: t.r.intent is Intent.INCIDENT, Engine._on_incident),
    Rule("person", _wants_person, Engine._on_person),
    Rule("declines_person", lambda t: bool(t.offered) and t.r.intent is Intent.NO, Engine._on_decline),
    Rule("facts", lambda t: t.r.has_facts, Engine._on_facts),
    Rule("dont_know", lambda t: t.r.intent is Intent.DONT_KNOW and t.flow.is_collecting, Engine._on_dont_know),
    Rule("price_again", lambda t: t.r.intent is Intent.PRICE and t.flow.is_quoted, Engine._on_price_again),
    Rule("foreign_currency", lambda t: t.r.foreign_currency, Engine._on_foreign_currency),
    Rule("plan", lambda t: t.r.intent in (Intent.PLAN1, Intent.PLAN2), Engine._on_plan_named),
    Rule("restart", lambda t: t.r.intent is Intent.RESTART, Engine._on_restart),
    # "見積もりしたい" starts the quote; "見積もりには何が必要?" is a product question.
    Rule("quote_request", lambda t: t.r.intent is Intent.START_QUOTE and not t.r.question, Engine._on_quote_request),
    Rule("small_talk", _small_talk, Engine._on_small_talk),
    Rule("faq", lambda t: _faq_hit(t) is not None, Engine._on_faq),
    Rule("quote_question", lambda t: t.r.intent is Intent.START_QUOTE, Engine._on_quote_request),
    Rule("pleasantry", lambda t: t.r.intent in PLEASANTRIES and not t.r.other_insurance, Engine._on_small_talk),
    Rule("off_topic", lambda t: t.r.other_insurance or t.flow.is_new or t.flow.is_settled, Engine._on_off_topic),
    Rule("unreadable", lambda t: True, Engine._on_unreadable),
)

# What each button does.
ACTIONS: dict[Action, Callable[[Engine, TurnContext], None]] = {
    Action.START: Engine._on_start,
    Action.INDUSTRY: Engine._on_industry_button,
    Action.SALES: Engine._on_sales_button,
    Action.TYPE_AMOUNT: Engine._on_type_amount,
    Action.PLAN: Engine._on_plan_button,
    Action.RESTART: Engine._on_restart,
    Action.HANDOFF: Engine._on_handoff_button,
    Action.PERSON_YES: Engine._on_person_yes,
    Action.PERSON_NO: Engine._on_person_no,
    Action.FAQ_MENU: Engine._on_faq_menu,
    Action.FAQ: Engine._on_faq_button,
}


def _hash(key: str) -> str:
    """Logs identify a conversation without naming its channel or user."""
    return hashlib.blake2s(key.encode(), digest_size=6).hexdigest()
