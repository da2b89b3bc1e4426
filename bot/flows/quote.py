"""The quote dialogue's order: which question comes next, when a quote is given, when a
person takes over. The machine is bound to a Conversation (plain data the store saves);
its guards read the collected facts, so "ask only for what is missing" and "quote as soon as
both are known" are transitions, not if-chains in the engine.

Everything the engine needs to know about states lives here: the named groups (collecting
facts, settled), and what each collecting state asks the prospect (`Ask`). The engine never
names a state.
"""

from __future__ import annotations

from dataclasses import dataclass

from statemachine import State, StateMachine

from bot.flows.model import Conversation
from bot.rating import QuoteUnavailable, RateTable, Reason, check_quotable

MISSING = {Reason.NO_SALES, Reason.NO_INDUSTRY}


@dataclass(frozen=True)
class Ask:
    """What a collecting state asks for: the content message and which buttons go with it."""

    message: str  # a key of content/messages.yaml; also the reply's kind
    buttons: str  # "sales" (the sales ranges) or "industry" (the rated industries)
    unreadable: str  # what to say when the answer to this question could not be read
    dont_know: str  # help for "I don't know" (a rough figure, the closest industry)


ASKS = {
    "need_both": Ask("ask_both", "sales", "unreadable_both", "dont_know_sales"),
    "need_sales": Ask("ask_sales", "sales", "unreadable_sales", "dont_know_sales"),
    "need_industry": Ask("ask_industry", "industry", "unreadable_industry", "dont_know_industry"),
}


def _where_facts_lead(targets: tuple[State, ...], *sources: State):  # type: ignore[no-untyped-def]
    """The one routing rule, shared by `collect` and `release`: from `sources`, go where the
    facts lead. Guards are tried in this order for each source state."""
    unquotable, quoted, need_industry, need_sales, need_both = targets
    return (
        unquotable.from_(*sources, cond="blocked")
        | quoted.from_(*sources, cond="complete")
        | need_industry.from_(*sources, cond="has_sales")
        | need_sales.from_(*sources, cond="has_industry")
        | need_both.from_(*sources)
    )


class QuoteFlow(StateMachine):
    new = State("new", initial=True)
    need_both = State("need_both")
    need_sales = State("need_sales")
    need_industry = State("need_industry")
    quoted = State("quoted")
    unquotable = State("unquotable")
    with_person = State("with_person")

    _bot = (new, need_both, need_sales, need_industry, quoted, unquotable)
    _by_facts = (unquotable, quoted, need_industry, need_sales, need_both)

    # Facts changed (or the prospect asked to start): go where the facts lead.
    collect = _where_facts_lead(_by_facts, *_bot)
    # Forget the facts and ask again ("条件を変えて再見積り").
    restart = need_both.from_(*_bot, on="forget_facts")
    # A person takes over, from anywhere the bot is talking.
    hand_over = with_person.from_(*_bot)
    # The person is done: the bot resumes where the facts lead.
    release = _where_facts_lead(_by_facts, with_person)

    def __init__(self, conversation: Conversation, rates: RateTable) -> None:
        self.rates = rates
        super().__init__(model=conversation, state_field="state")

    @property
    def conversation(self) -> Conversation:
        return self.model

    # -- where the dialogue stands (the engine asks these, never a state's name) --------------

    @property
    def is_new(self) -> bool:
        return self.new.is_active

    @property
    def is_collecting(self) -> bool:
        """Waiting for sales, industry or both."""
        return self.current_state_value in ASKS

    @property
    def is_quoted(self) -> bool:
        return self.quoted.is_active

    @property
    def is_unquotable(self) -> bool:
        return self.unquotable.is_active

    @property
    def is_settled(self) -> bool:
        """Both facts are in: quoted, or known to need a person."""
        return self.is_quoted or self.is_unquotable

    @property
    def is_with_person(self) -> bool:
        return self.with_person.is_active

    def ask(self) -> Ask | None:
        """What the current state asks of the prospect, if it is collecting facts."""
        return ASKS.get(self.current_state_value)

    # -- guards ----------------------------------------------------------------------------------

    def unavailable(self) -> Reason | None:
        """Why the facts can't be priced, or None when they can."""
        c = self.conversation
        industry = c.industry if c.other_industry is None else f"other:{c.other_industry}"
        try:
            check_quotable(self.rates, industry, c.sales_yen)
        except QuoteUnavailable as exc:
            return exc.reason
        return None

    def blocked(self) -> bool:
        reason = self.unavailable()
        return reason is not None and reason not in MISSING

    def complete(self) -> bool:
        return self.unavailable() is None

    def has_sales(self) -> bool:
        return self.conversation.sales_yen is not None

    def has_industry(self) -> bool:
        return self.conversation.industry is not None

    def forget_facts(self) -> None:
        c = self.conversation
        c.sales_yen = c.sales_low_yen = c.industry = c.other_industry = None
        c.plan = "plan1"
