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

import logging
import time
import uuid
from collections.abc import Callable
from typing import NamedTuple

from bot import metrics
from bot.content.bundle import Content
from bot.flows.model import Conversation
from bot.hours import BusinessHours
from bot.logs import key_hash
from bot.flows.quote import QuoteFlow
from bot.moves import Moves, TurnContext
from bot.replies import faq_menu_choices
from bot.store import INBOUND_IDS_KEPT, Store, Turn
from bot.transcript import entry, read_as, said
from bot.turn import Action, Inbound, Outbound
from bot.understanding.amounts import Amount
from bot.understanding.faq import FaqHit, FaqIndex
from bot.understanding.intents import Intent
from bot.understanding.intent_model import IntentModel
from bot.understanding.reading import Reading, build_intent_model, read

log = logging.getLogger(__name__)

SMALL_TALK = (Intent.GREETING, Intent.THANKS, Intent.YES, Intent.NO)
PLEASANTRIES = (Intent.GREETING, Intent.THANKS)
ASKS_SOMETHING = (Intent.INCIDENT, Intent.HANDOFF, Intent.START_QUOTE)
ABOUT_THE_QUOTE = (Intent.PRICE, Intent.PLAN1, Intent.PLAN2)
UNASKED_CONFIDENCE = 0.7
"""How sure the intent model must be of a request before the bot takes up a message nobody
addressed to it: butting into people's conversation costs more than a missed pick-up (the
prospect can mention the bot), so the bar is higher than inside a conversation (0.3)."""


class Superseded(Exception):
    """A click on buttons that are no longer the live ones (an older message of the
    conversation, or one a person's arrival retired): it changes nothing."""


def serves(r: Reading) -> bool:
    """Would the bot take this message up unasked? Asked of a top-level message in a shared
    channel that nobody addressed to the bot: people of two companies talk there about many
    things, and only a message that reads as something the bot serves starts a conversation
    (a request for a quote or a person, an incident, sales and industry, or a question about
    the product that the FAQ answers). Everything else is left to the people there."""
    if r.empty or r.other_insurance or r.addressed:
        return False
    if (r.intent in ASKS_SOMETHING and r.kind_probability >= UNASKED_CONFIDENCE) or (r.amount is not None and r.industry is not None):
        return True
    if not r.topic:
        return False
    return r.question or r.has_facts or r.intent in ABOUT_THE_QUOTE or r.faq_confident



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


class Engine(Moves):
    """Transport-free dialogue engine over a Store and validated Content: the decisions.
    What each decision does to the conversation is a move (`bot/moves.py`)."""

    def __init__(self, store: Store, content: Content, faq_index: FaqIndex | None = None,
                 intent_model: IntentModel | None = None, *, hours: BusinessHours | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(content, faq_index or FaqIndex.build(content.faq), hours)
        self.store = store
        self.intents = intent_model or build_intent_model(content)
        self.clock = clock  # one clock for every turn: tests fix it to try business hours

    # -- the contract ----------------------------------------------------------------------

    def read(self, text: str) -> Reading:
        """What a message says (for a transport deciding whether to take it up; pass the
        Reading on to `handle` so it is read once)."""
        return read(text, self.content, self.faq, self.intents)

    def handle(self, key: str, inbound: Inbound, outbox: bool = False, reading: Reading | None = None) -> list[Outbound]:
        """One turn for conversation `key`; returns the replies to send, in order.

        An inbound whose `id` the conversation has already taken changes nothing and returns
        no replies (a redelivery). With `outbox`, the replies are also written to the
        conversation's outbox in the turn's own write, for a transport that posts them after
        (and may crash in between). A click on buttons that are no longer live raises
        Superseded and changes nothing."""
        started = time.perf_counter()
        if inbound.action:
            reading = None
        elif reading is None:
            reading = self.read(inbound.text)

        duplicate = False

        def step(current: Conversation | None) -> tuple[Turn | None, list[Outbound]]:
            nonlocal duplicate
            duplicate = bool(inbound.id and current is not None and inbound.id in current.inbound_ids)
            if duplicate:
                return None, []
            if inbound.action and inbound.reply_id is not None and current is not None and not current.buttons_current(inbound.reply_id):
                raise Superseded(inbound.reply_id)
            now = self.clock()
            conv = current.model_copy(deep=True) if current else Conversation(key=key, created_at=now)
            conv.turns += 1
            conv.updated_at = now
            if inbound.id:
                conv.inbound_ids = [*conv.inbound_ids, inbound.id][-INBOUND_IDS_KEPT:]
            if inbound.user and "user" not in conv.meta:
                conv.meta["user"] = inbound.user
                if inbound.team:
                    conv.meta["team"] = inbound.team
            transcript = [entry("prospect", inbound.text, action=inbound.action, value=inbound.value)]
            outs = self._step(conv, inbound, reading, now)
            for out in outs:
                out.intent = read_as(inbound, reading)
            transcript += [said(out) for out in outs if not out.to_agent]
            turn_id = inbound.id or uuid.uuid4().hex
            ids = [f"{turn_id}#{n}" for n in range(len(outs))]
            for reply_id, out in zip(ids, outs):
                if out.choices and not out.to_agent:
                    conv.buttons_id = reply_id  # the newest buttons are the live ones
            queued = [{"id": reply_id, "out": out.to_record()} for reply_id, out in zip(ids, outs)] if outbox else []
            return Turn(conv, transcript, queued), outs

        outs = self.store.transact(key, step, lease=outbox)
        took = time.perf_counter() - started
        fields = {"key_hash": key_hash(key), "duration_ms": round(took * 1000, 1)}
        metrics.event("duplicate" if duplicate else "processed")
        if duplicate:
            log.info("turn: duplicate inbound, nothing done", extra={"fields": fields})
        else:
            metrics.turn_seconds(took)
        for out in outs:
            log.info("turn", extra={"fields": {**fields, "kind": out.kind, "state": out.state, "handoff": out.handoff}})
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
        """Asked for a person: their own request, whatever the bot offered before (the card
        says what led to it)."""
        self._hand_over(t, "requested", after=t.offered)

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

    def _on_unanswered(self, t: TurnContext) -> None:
        """A question about the product that the content does not answer: said honestly,
        with a person offered (not "I only answer cyber-insurance questions")."""
        t.reply.kind = "cannot_answer"
        t.reply.parts.append(self.say("cannot_answer", t.lang))
        self._offer_person(t, "faq_abstained")

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
        self._hand_over(t, "requested", after=t.offered)

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

# The engine's choices for a typed message, in the order they are tried. Incidents and
# requests for a person come first: whatever else the message says, they change who answers.
TEXT_RULES: tuple[Rule, ...] = (
    Rule("empty", lambda t: t.r.empty, Engine._on_empty),
    Rule("incident", lambda t: t.r.intent is Intent.INCIDENT, Engine._on_incident),
    Rule("person", _wants_person, Engine._on_person),
    Rule("declines_person", lambda t: bool(t.offered) and (t.r.intent in (Intent.NO, Intent.CANCEL)), Engine._on_decline),
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
    Rule("unanswered", lambda t: t.r.asks_product and not t.r.other_insurance, Engine._on_unanswered),
    Rule("off_topic", lambda t: t.r.other_insurance or t.flow.is_new or t.flow.is_settled, Engine._on_off_topic),
    Rule("unreadable", lambda t: True, Engine._on_unreadable),
)

# What each button does.
ACTIONS: dict[Action, Callable[[Engine, TurnContext], None]] = {
    Action.START: Engine._on_quote_request,  # the slash command's and the terminal's start
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
    Action.SATISFACTION: Engine._on_satisfaction,
}
