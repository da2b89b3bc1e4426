"""What agents do to a handoff (claim, release, assign, relay, close, reopen), transport-free.

Each action is one atomic turn on the conversation (store.transact): the handoff machine
decides whether it is allowed, the transcript records it, and only then does the transport
tell anyone. What the prospect is told goes into the conversation's outbox in that same write
(`outbox=True`), so a crash after the commit still delivers it. Refusals are exception types
the transport turns into a private notice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from statemachine.exceptions import TransitionNotAllowed

from bot.content.bundle import Content
from bot.flows.handoff import HandoffFlow
from bot.flows.model import Conversation, HandoffRecord
from bot.flows.quote import QuoteFlow
from bot.replies import satisfaction_choices
from bot.store import INBOUND_IDS_KEPT, Store, Turn
from bot.transcript import entry
from bot.turn import Outbound

Clock = Callable[[], float]


class HandoffRefused(Exception):
    """The action is not possible now; `owner` names who holds the handoff, if anyone."""

    def __init__(self, why: str, owner: str | None = None) -> None:
        self.why, self.owner = why, owner
        super().__init__(why)


@dataclass(frozen=True)
class AgentResult:
    conversation: Conversation
    handoff: HandoffRecord
    to_prospect: Outbound | None


def _as_owner(handoff: HandoffRecord, event: str, **values: object) -> None:
    """Step the handoff machine on an action only its owner may take (`by` is who acts); the
    machine's refusal is the desk's "not_owner"."""
    try:
        HandoffFlow(handoff).send(event, **values)
    except TransitionNotAllowed:
        raise HandoffRefused("not_owner", handoff.agent_name) from None


class HandoffDesk:
    def __init__(self, store: Store, content: Content, clock: Clock = time.time, outbox: bool = False) -> None:
        self.store, self.content, self.clock, self.outbox = store, content, clock, outbox

    def _open(self, current: Conversation | None, handoff_id: str) -> tuple[Conversation, HandoffRecord]:
        if current is None or current.handoff is None or current.handoff.id != handoff_id:
            raise HandoffRefused("gone")
        conv = current.model_copy(deep=True)
        assert conv.handoff is not None
        return conv, conv.handoff

    def _turn(self, conv: Conversation, lines: list[dict], out: Outbound | None, tag: str) -> Turn:
        """The turn, with what the prospect is told queued in the outbox (its id names the
        handoff and the action, so a redelivered action is recognised in Slack)."""
        queued = []
        if out is not None and self.outbox:
            reply_id = f"desk:{conv.handoff.id if conv.handoff else '-'}:{tag}:{conv.turns}"
            queued = [{"id": reply_id, "out": out.to_record()}]
            if out.choices:
                conv.buttons_id = reply_id
        conv.turns += 1
        return Turn(conv, lines, queued)

    def _refuse_unless(self, handoff: HandoffRecord, *allowed: str) -> None:
        if handoff.status not in allowed:
            why = {"closed": "closed", "cancelled": "cancelled", "waiting": "not_claimed"}.get(handoff.status, "taken")
            raise HandoffRefused(why, handoff.agent_name)

    def claim(self, key: str, handoff_id: str, agent_id: str, agent_name: str) -> AgentResult:
        """Exactly one agent wins; a second is refused with the owner's name."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            self._refuse_unless(handoff, "waiting")
            now = self.clock()
            HandoffFlow(handoff).send("claim", agent_id=agent_id, agent_name=agent_name, now=now)
            conv.buttons_id = None  # the notice's cancel button: a person has it now
            text = self.content.messages.say("handoff_claimed", conv.lang, agent=agent_name)
            out = Outbound("handoff_claimed", text, conv.lang, conv.state)
            lines = [entry("system", "handoff claimed", agent=agent_id, handoff=handoff_id), entry("bot", text, kind=out.kind)]
            return self._turn(conv, lines, out, "claim"), AgentResult(conv, handoff, out)

        return self.store.transact(key, step)

    def release(self, key: str, handoff_id: str, agent_id: str) -> AgentResult:
        """The owner gives it back to the queue; the prospect is told nothing (they still wait
        for a person, and the reminders start counting again)."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            self._refuse_unless(handoff, "claimed")
            now = self.clock()
            _as_owner(handoff, "release", by=agent_id, now=now)
            lines = [entry("system", "handoff released", agent=agent_id, handoff=handoff_id)]
            return self._turn(conv, lines, None, "release"), AgentResult(conv, handoff, None)

        return self.store.transact(key, step)

    def assign(self, key: str, handoff_id: str, by: str, agent_id: str, agent_name: str) -> AgentResult:
        """Give the handoff to `agent_id` (checked to be an agent by the transport): any agent
        for a waiting one, only the owner for a claimed one. The prospect is told who helps."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            self._refuse_unless(handoff, "waiting", "claimed")
            if handoff.agent_id == agent_id:
                raise HandoffRefused("already_theirs", handoff.agent_name)
            now = self.clock()
            _as_owner(handoff, "assign", by=by, agent_id=agent_id, agent_name=agent_name, now=now)
            handoff.in_thread = False
            conv.buttons_id = None
            text = self.content.messages.say("handoff_claimed", conv.lang, agent=agent_name)
            out = Outbound("handoff_claimed", text, conv.lang, conv.state)
            lines = [entry("system", "handoff assigned", agent=agent_id, by=by, handoff=handoff_id), entry("bot", text, kind=out.kind)]
            return self._turn(conv, lines, out, f"assign-{agent_id}"), AgentResult(conv, handoff, out)

        return self.store.transact(key, step)

    def close(self, key: str, handoff_id: str, agent_id: str, outcome: str, note: str | None = None) -> AgentResult:
        """Only the owner closes; the conversation goes back to the bot, and the prospect is
        asked once how satisfied they were."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            if handoff.status == "closed":
                raise HandoffRefused("closed", handoff.agent_name)
            if handoff.status != "claimed" or handoff.agent_id != agent_id:
                raise HandoffRefused("not_owner", handoff.agent_name)
            now = self.clock()
            _as_owner(handoff, "close", by=agent_id, outcome=outcome, note=note, now=now)
            QuoteFlow(conv, self.content.rates).send("release")
            say = self.content.messages.say
            out = Outbound("handoff_closed", say("handoff_closed", conv.lang), conv.lang, conv.state)
            if not handoff.survey_asked:
                handoff.survey_asked = True
                out.text = f"{out.text}\n{say('survey_question', conv.lang)}"
                out.choices = satisfaction_choices(self.content, conv.lang)
            lines = [entry("system", "handoff closed", agent=agent_id, outcome=outcome, handoff=handoff_id),
                     entry("bot", out.text, kind=out.kind)]
            if note:
                lines.insert(1, entry("note", note, agent=agent_id, handoff=handoff_id))
            return self._turn(conv, lines, out, f"close-{handoff.reopened}"), AgentResult(conv, handoff, out)

        return self.store.transact(key, step)

    def reopen(self, key: str, handoff_id: str, agent_id: str, agent_name: str) -> AgentResult:
        """A closed handoff taken up again by `agent_id`: the conversation is with a person again."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            self._refuse_unless(handoff, "closed")
            now = self.clock()
            HandoffFlow(handoff).send("reopen", agent_id=agent_id, agent_name=agent_name, now=now)
            flow = QuoteFlow(conv, self.content.rates)
            if not flow.is_with_person:
                flow.send("hand_over")
            conv.buttons_id = None
            text = self.content.messages.say("handoff_reopened", conv.lang, agent=agent_name)
            out = Outbound("handoff_reopened", text, conv.lang, conv.state)
            lines = [entry("system", "handoff reopened", agent=agent_id, handoff=handoff_id), entry("bot", text, kind=out.kind)]
            return self._turn(conv, lines, out, f"reopen-{handoff.reopened}"), AgentResult(conv, handoff, out)

        return self.store.transact(key, step)

    def take_over(self, key: str, agent_id: str, agent_name: str, text: str, message_id: str) -> AgentResult | None:
        """An agent wrote in the prospect's own thread: the agent has the conversation. A
        waiting handoff becomes theirs; with none open, one is recorded as already theirs
        (reason `agent_joined`), so the bot stays silent there until it is closed. The agent
        is there in person: the prospect is told nothing. Once per message (`message_id`);
        None when there is no conversation or the message was taken before."""

        def step(current: Conversation | None) -> tuple[Turn | None, AgentResult | None]:
            if current is None or message_id in current.inbound_ids:
                return None, None
            conv = current.model_copy(deep=True)
            now = self.clock()
            conv.inbound_ids = [*conv.inbound_ids, message_id][-INBOUND_IDS_KEPT:]
            conv.updated_at, conv.buttons_id = now, None
            lines = [entry("agent", text, agent=agent_id)]
            handoff = conv.handoff
            if handoff is not None and handoff.is_waiting:
                HandoffFlow(handoff).send("claim", agent_id=agent_id, agent_name=agent_name, now=now)
                handoff.in_thread = True
                lines.insert(0, entry("system", "handoff claimed in the thread", agent=agent_id, handoff=handoff.id))
            elif handoff is None or not handoff.is_open:
                conv.handoff_count += 1
                handoff = conv.handoff = HandoffRecord(
                    id=f"{conv.handoff_count}-{uuid.uuid4().hex[:8]}", reason="agent_joined", status="claimed",
                    created_at=now, updated_at=now, agent_id=agent_id, agent_name=agent_name, in_thread=True,
                    claimed_at=now)
                flow = QuoteFlow(conv, self.content.rates)
                if not flow.is_with_person:
                    flow.send("hand_over")
                lines.insert(0, entry("system", "agent joined the thread", agent=agent_id, handoff=handoff.id))
            return Turn(conv, lines), AgentResult(conv, handoff, None)

        return self.store.transact(key, step)

    def agent_said(self, key: str, handoff_id: str, agent_id: str, text: str) -> AgentResult:
        """Record an owner's message for the prospect; anyone else is refused."""

        def step(current: Conversation | None) -> tuple[Turn, AgentResult]:
            conv, handoff = self._open(current, handoff_id)
            if handoff.status != "claimed" or handoff.agent_id != agent_id:
                raise HandoffRefused("not_owner", handoff.agent_name)
            return Turn(conv, [entry("agent", text, agent=agent_id)]), AgentResult(conv, handoff, None)

        return self.store.transact(key, step)

    def reminded(self, key: str, handoff_id: str, number: int, next_at: float) -> HandoffRecord | None:
        """Reminder `number` went out to the agents. After the first, the prospect, still
        waiting, is told once that the agents have been reminded (not left with the first
        promise); None if the handoff is no longer waiting."""

        def step(current: Conversation | None) -> tuple[Turn | None, HandoffRecord | None]:
            if current is None or current.handoff is None or current.handoff.id != handoff_id or not current.handoff.is_waiting:
                return None, None
            conv = current.model_copy(deep=True)
            handoff = conv.handoff
            assert handoff is not None
            handoff.reminders, handoff.next_remind_at = number, next_at
            out = None
            if number == 1 and not handoff.urgent:
                text = self.content.messages.say("handoff_delayed", conv.lang)
                out = Outbound("handoff_delayed", text, conv.lang, conv.state)
            lines = [entry("bot", out.text, kind=out.kind)] if out else []
            return self._turn(conv, lines, out, f"remind-{int(handoff.waiting_since or handoff.created_at)}-{number}"), handoff

        return self.store.transact(key, step)

    def mark(self, key: str, handoff_id: str, **changes: object) -> HandoffRecord | None:
        """Record transport facts about a handoff (card posted, reminder sent)."""

        def step(current: Conversation | None) -> tuple[Turn, HandoffRecord | None]:
            if current is None or current.handoff is None or current.handoff.id != handoff_id:
                raise HandoffRefused("gone")
            conv = current.model_copy(deep=True)
            assert conv.handoff is not None
            for name, value in changes.items():
                setattr(conv.handoff, name, value)
            return Turn(conv), conv.handoff

        try:
            return self.store.transact(key, step)
        except HandoffRefused:
            return None
