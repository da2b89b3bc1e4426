"""Whether a message is the bot's to answer: who has the floor in a channel, a thread, a DM.

Pure: the caller says where the message is, who wrote it and what the conversation there
knows of its prospect; `decide` says what becomes of the message. What needs Slack or the
engine (has the bot posted in this thread? does the text read as something the bot serves?)
is passed as a callable and asked only when the answer matters.

- A DM is the writer's conversation with the app: everything is answered.
- A top-level channel message starts a conversation when the bot is mentioned, in a channel
  listed in ANSWER_ALL_CHANNELS, or when a prospect's message reads as something the bot serves.
  The insurer's staff talking to their customers, and anyone writing to someone else (a
  mention of a person), never start one without a mention of the app.
- In a conversation's thread the prospect and people of the prospect's own workspace take
  turns (unless they write to someone else by mention); an agent who writes there takes the
  conversation over; other staff and other workspaces are left alone.
- In any other thread the bot says nothing unless it is mentioned (or it is a thread the bot
  has spoken in whose conversation Redis has lost: the prospect is answered, not ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from bot.slack.people import Kind, Person


class Verdict(Enum):
    IGNORE = "ignore"          # not the bot's: no reply, no relay
    TURN = "turn"              # the prospect's (or a colleague's) turn in the conversation
    TURN_LOST = "turn_lost"    # a turn in a thread whose conversation Redis no longer has
    TAKE_OVER = "take_over"    # an agent wrote in the prospect's thread: the agent has it now


@dataclass(frozen=True)
class Situation:
    dm: bool
    top_level: bool            # not a reply in a thread
    mentioned: bool            # the message mentions the app
    answer_all: bool           # the channel is in ANSWER_ALL_CHANNELS
    author: Person
    to_others: bool            # the message mentions other people (and not the app): it is theirs
    starter: str | None        # who started the conversation here (None: there is none)
    starter_team: str | None   # their workspace, when known


def decide(s: Situation, serves: Callable[[], bool], bot_in_thread: Callable[[], bool]) -> Verdict:
    if s.dm:
        return Verdict.TURN
    if s.top_level:
        if s.mentioned or s.answer_all:
            return Verdict.TURN
        if s.author.is_staff or s.to_others:
            return Verdict.IGNORE  # the insurer's people talking to their customers; people talking to people
        return Verdict.TURN if serves() else Verdict.IGNORE
    if s.starter is None:  # a thread with no conversation the bot knows of
        if s.mentioned:
            return Verdict.TURN
        if not s.author.is_staff and bot_in_thread():
            return Verdict.TURN_LOST
        return Verdict.IGNORE
    return _in_conversation(s)


def _in_conversation(s: Situation) -> Verdict:
    author = s.author
    if author.kind is Kind.AGENT and author.id != s.starter:
        return Verdict.TAKE_OVER
    if s.to_others and not s.mentioned:
        return Verdict.IGNORE  # "@加藤さん 売上いくらでしたっけ?": to the colleague, not the bot
    if author.id == s.starter:
        return Verdict.TURN
    party = s.starter_team or None
    if party is None:  # a conversation from before teams were kept: anyone not staff
        return Verdict.IGNORE if author.is_staff else Verdict.TURN
    if author.team != party:
        return Verdict.IGNORE  # another company in the channel, or staff in a customer's thread
    return Verdict.TURN  # a colleague of the prospect (in an internal channel: of the staff member)
