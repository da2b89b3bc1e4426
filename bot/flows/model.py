"""The conversation as plain data: what the store saves and the flows are bound to."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.lang import Lang


class HandoffRecord(BaseModel):
    """One hand-over to a person. Kept on the conversation it belongs to, so it is written in
    the same atomic turn as the conversation (recorded before it is announced)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    reason: str                      # a Reason value or "requested", "incident", "faq_abstained"
    urgent: bool = False
    status: str = "waiting"          # handoff flow state: waiting, claimed, closed, cancelled
    created_at: float
    updated_at: float
    after: str | None = None         # for a request the prospect made on the bot's offer: why it was offered
    announced: bool = False          # the agent channel has the card
    reminders: int = 0               # re-announcements sent while nobody claimed it (this wait)
    waiting_since: float | None = None  # this wait's start: created, or released back to the queue
    alerted: bool = False            # an urgent handoff's on-call agents were mentioned
    next_remind_at: float | None = None  # when the next one is due (business time for a normal handoff)
    card_channel: str | None = None
    card_ts: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    in_thread: bool = False          # the agent took it by writing in the prospect's thread
    claimed_at: float | None = None  # first claim: the wait the figures count
    closed_at: float | None = None
    outcome: str | None = None
    note: str | None = None          # the owner's internal closing note (agents only)
    survey_asked: bool = False       # the prospect was asked how satisfied they were
    satisfaction: int | None = None  # their answer, 1-5
    reopened: int = 0

    @property
    def reminded(self) -> bool:
        return self.reminders > 0

    @property
    def is_open(self) -> bool:
        """Waiting for or with a person: the bot relays instead of answering."""
        return self.status in ("waiting", "claimed")

    @property
    def is_waiting(self) -> bool:
        return self.status == "waiting"


class Conversation(BaseModel):
    """Facts collected so far, where the dialogue stands, and the current handoff if any."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    key: str
    state: str = "new"               # quote flow state (the machine's state_field)
    lang: Lang = "ja"
    sales_yen: int | None = None
    sales_low_yen: int | None = None  # lower bound when the prospect gave a range
    industry: str | None = None      # an industry key from content/industries.yaml
    other_industry: str | None = None  # an industry the prospect named that we do not rate
    plan: Literal["plan1", "plan2"] = "plan1"
    offered_handoff: str | None = None  # the last reply offered a person (why); "yes" accepts
    misses: int = 0                  # answers in a row the bot could not read (a person after 2)
    handoff: HandoffRecord | None = None
    handoff_count: int = 0
    turns: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0
    meta: dict[str, str] = Field(default_factory=dict)  # transport details: who started it ("user") and their organisation ("team")
    # The reply whose buttons are the live ones. A click on any other reply's buttons (an older
    # quote card, a question already answered) changes nothing: buttons act on what they show.
    buttons_id: str | None = None
    # The transport ids of the latest inbounds this conversation has taken, kept in the same
    # write as the turn, so a redelivered message or click is recognised and changes nothing.
    inbound_ids: list[str] = Field(default_factory=list)

    def buttons_current(self, reply_id: str | None) -> bool:
        """Is `reply_id` the reply whose buttons are live?"""
        return reply_id == self.buttons_id
