"""The quote dialogue's order: which question comes next, when a quote is given, when a
person takes over. The machine is bound to a Conversation (plain data the store saves);
its guards read the collected facts, so "ask only for what is missing" and "quote as soon as
both are known" are transitions, not if-chains in the engine.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from bot.flows.model import Conversation
from bot.rating import QuoteUnavailable, RateTable, Reason, check_quotable

MISSING = {Reason.NO_SALES, Reason.NO_INDUSTRY}


class QuoteFlow(StateMachine):
    new = State("new", initial=True)
    need_both = State("need_both")
    need_sales = State("need_sales")
    need_industry = State("need_industry")
    quoted = State("quoted")
    unquotable = State("unquotable")
    with_person = State("with_person")

    _bot = (new, need_both, need_sales, need_industry, quoted, unquotable)

    # Facts changed (or the prospect asked to start): go where the facts lead. Guards are
    # tried in this order for each source state.
    collect = (
        unquotable.from_(*_bot, cond="blocked")
        | quoted.from_(*_bot, cond="complete")
        | need_industry.from_(*_bot, cond="has_sales")
        | need_sales.from_(*_bot, cond="has_industry")
        | need_both.from_(*_bot)
    )
    # Forget the facts and ask again ("条件を変えて再見積り").
    restart = need_both.from_(*_bot, on="forget_facts")
    # A person takes over, from anywhere the bot is talking.
    hand_over = with_person.from_(*_bot)
    # The person is done: the bot resumes where the facts lead.
    release = (
        unquotable.from_(with_person, cond="blocked")
        | quoted.from_(with_person, cond="complete")
        | need_industry.from_(with_person, cond="has_sales")
        | need_sales.from_(with_person, cond="has_industry")
        | need_both.from_(with_person)
    )

    def __init__(self, conversation: Conversation, rates: RateTable) -> None:
        self.rates = rates
        super().__init__(model=conversation, state_field="state")

    @property
    def conversation(self) -> Conversation:
        return self.model

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
