"""The terminal chat's turns, and the agent's side of a handoff typed in the same terminal.

No agent is connected to `python -m bot chat`, so once a conversation is handed to a person
the terminal says so (once per handoff) and lets its user act as the agent: `/agent <text>`
answers the prospect as the agent (claiming a waiting handoff first), `/close` ends the
handoff and the bot takes over again. Both go through HandoffDesk, as Slack's agents do.
"""

from __future__ import annotations

from bot.app_context import Runtime
from bot.flows.model import Conversation, HandoffRecord
from bot.handoffs import HandoffDesk, HandoffRefused
from bot.turn import Inbound, Outbound

NOTE = "terminal_note"  # kind of a line from the terminal itself, not from the bot or the agent
AGENT = "agent_message"  # kind of a line the terminal's user wrote as the agent
AGENT_ID = "terminal"
CLOSE_OUTCOME = "answered"
REFUSALS = {"taken": "refuse_taken", "not_owner": "refuse_not_owner", "closed": "refuse_closed"}


class TerminalChat:
    """One terminal conversation: each line in, the lines to show out (bot, agent or note)."""

    def __init__(self, runtime: Runtime, key: str, lang: str = "ja") -> None:
        self.engine, self.store, self.messages = runtime.engine, runtime.store, runtime.content.messages
        self.desk = HandoffDesk(runtime.store, runtime.content)
        self.key, self.lang = key, lang
        self.noted: str | None = None  # the handoff the note was shown for

    def start(self) -> list[Outbound]:
        return self._engine(self.engine.start(self.key, self.lang))

    def turn(self, inbound: Inbound) -> list[Outbound]:
        if inbound.action is None:
            words = inbound.text.split(maxsplit=1)
            if words and words[0] in ("/agent", "/close"):
                return self._command(words[0], words[1] if len(words) > 1 else "")
            if not words and _open(self.store.load(self.key)):
                return []  # an empty line is nothing to pass on to a person
        return self._engine(self.engine.handle(self.key, inbound))

    def _engine(self, outs: list[Outbound]) -> list[Outbound]:
        """The bot's replies, then the note if the conversation has just gone to a person."""
        shown = [out for out in outs if not out.to_agent]
        conv = self.store.load(self.key)
        handoff = _open(conv)
        if conv is not None and handoff is not None and handoff.id != self.noted:
            self.noted = handoff.id
            shown.append(self._note(conv, "terminal_no_agent"))
        return shown

    def _command(self, command: str, text: str) -> list[Outbound]:
        conv = self.store.load(self.key)
        handoff = _open(conv)
        if conv is None or handoff is None:
            return [self._note(conv, "terminal_no_handoff")]
        if command == "/agent" and not text:
            return [self._note(conv, "terminal_agent_usage")]
        try:
            outs = self._claim(conv, handoff)
            if command == "/close":
                closed = self.desk.close(self.key, handoff.id, AGENT_ID, CLOSE_OUTCOME).to_prospect
                return outs + ([closed] if closed else [])
            self.desk.agent_said(self.key, handoff.id, AGENT_ID, text)
            return outs + [Outbound(AGENT, text, conv.lang, conv.state)]
        except HandoffRefused as refused:
            return [self._refusal(conv, refused)]

    def _claim(self, conv: Conversation, handoff: HandoffRecord) -> list[Outbound]:
        """A waiting handoff is claimed for the terminal first; the prospect is told who joined."""
        if handoff.status != "waiting":
            return []
        name = self.messages.say("terminal_agent_name", conv.lang)
        claimed = self.desk.claim(self.key, handoff.id, AGENT_ID, name).to_prospect
        return [claimed] if claimed else []

    def _refusal(self, conv: Conversation, refused: HandoffRefused) -> Outbound:
        key = REFUSALS.get(refused.why)
        if key is None:  # the handoff is gone
            return self._note(conv, "terminal_no_handoff")
        text = self.messages.say(key, conv.lang, agent=refused.owner or "—")
        return Outbound(NOTE, text, conv.lang, conv.state)

    def _note(self, conv: Conversation | None, key: str) -> Outbound:
        lang = conv.lang if conv else self.lang
        return Outbound(NOTE, self.messages.say(key, lang), lang, conv.state if conv else "new")


def _open(conv: Conversation | None) -> HandoffRecord | None:
    """The conversation's handoff, if it is waiting for or with a person."""
    return conv.handoff if conv is not None and conv.handoff is not None and conv.handoff.is_open else None
