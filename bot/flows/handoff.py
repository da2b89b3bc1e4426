"""The handoff lifecycle: waiting -> claimed -> closed, or waiting -> cancelled by the prospect
(either way the conversation goes back to the bot). An owner can release a claimed handoff back
to waiting or assign it to a colleague; a closed one can be reopened by an agent.

Bound to the HandoffRecord stored on the conversation (`state_field="status"`), so a claim
or a close is written in the same atomic turn as the conversation it changes; two agents
clicking at once on different processes meet at Redis's WATCH, and exactly one wins.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from bot.flows.model import HandoffRecord


class HandoffFlow(StateMachine):
    waiting = State("waiting", initial=True)
    claimed = State("claimed")
    closed = State("closed")  # not final: an agent can reopen it from its card
    cancelled = State("cancelled", final=True)

    claim = waiting.to(claimed, on="take_ownership")
    # The owner hands it back to the queue.
    release = claimed.to(waiting, cond="by_owner", on="give_back")
    # Any agent may give a waiting handoff to a colleague; a claimed one only its owner.
    assign = waiting.to(claimed, on="take_ownership") | claimed.to.itself(cond="by_owner", on="take_ownership")
    close = claimed.to(closed, cond="by_owner", on="record_outcome")
    reopen = closed.to(claimed, on="take_back")
    # The prospect no longer needs a person: only while nobody has taken it.
    cancel = waiting.to(cancelled, on="stamp")

    def __init__(self, record: HandoffRecord) -> None:
        super().__init__(model=record, state_field="status")

    @property
    def record(self) -> HandoffRecord:
        return self.model

    def take_ownership(self, agent_id: str, agent_name: str, now: float, **_: object) -> None:
        r = self.record
        r.agent_id, r.agent_name, r.updated_at = agent_id, agent_name, now
        if r.claimed_at is None:
            r.claimed_at = now

    def by_owner(self, by: str, **_: object) -> bool:
        return by == self.record.agent_id

    def give_back(self, now: float, **_: object) -> None:
        r = self.record
        r.agent_id, r.agent_name, r.in_thread, r.updated_at = None, None, False, now
        r.waiting_since, r.reminders, r.next_remind_at = now, 0, None  # a new wait: reminders start over

    def record_outcome(self, outcome: str, now: float, note: str | None = None, **_: object) -> None:
        r = self.record
        r.outcome, r.note, r.updated_at, r.closed_at = outcome, note or None, now, now

    def take_back(self, agent_id: str, agent_name: str, now: float, **_: object) -> None:
        r = self.record
        r.agent_id, r.agent_name, r.updated_at, r.reopened = agent_id, agent_name, now, r.reopened + 1
        r.outcome = r.closed_at = None

    def stamp(self, now: float, **_: object) -> None:
        self.record.updated_at = now
