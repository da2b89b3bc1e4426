"""The handoff lifecycle: waiting -> claimed -> closed, or waiting -> cancelled by the prospect
(either way the conversation goes back to the bot).

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
    closed = State("closed", final=True)
    cancelled = State("cancelled", final=True)

    claim = waiting.to(claimed, on="take_ownership")
    close = claimed.to(closed, cond="is_owner", on="record_outcome")
    # The prospect no longer needs a person: only while nobody has taken it.
    cancel = waiting.to(cancelled, on="stamp")

    def __init__(self, record: HandoffRecord) -> None:
        super().__init__(model=record, state_field="status")

    @property
    def record(self) -> HandoffRecord:
        return self.model

    def take_ownership(self, agent_id: str, agent_name: str, now: float) -> None:
        self.record.agent_id, self.record.agent_name, self.record.updated_at = agent_id, agent_name, now

    def is_owner(self, agent_id: str, **_: object) -> bool:
        return agent_id == self.record.agent_id

    def record_outcome(self, outcome: str, now: float, **_: object) -> None:
        self.record.outcome, self.record.updated_at = outcome, now

    def stamp(self, now: float, **_: object) -> None:
        self.record.updated_at = now
