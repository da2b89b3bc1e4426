"""What agents read: the handoff card, its notification text, reminders, refusals, the close modal.

Pure builders from a conversation, the content and what the transport looked up (`CardFacts`:
who the prospect is, their company, the clock and business hours), in the agents' language, so
a card can be built, and tested, without Slack or Redis.

A card is read in five seconds: its header says the state and urgency and who it is
(「🟡 待機中 12分 | 株式会社タナカ精工 田中様」), the next line where and since when, the fields what
they want and the facts, then the conversation as a summary (the bot's replies by what they
were, not their raw text), what writing in the thread does, and the controls its state allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.content.bundle import Content
from bot.flows.model import Conversation, HandoffRecord
from bot.handoffs import HandoffRefused
from bot.hours import BusinessHours
from bot.money import format_price, format_yen
from bot.rating import Reason, quote
from bot.slack import blocks
from bot.slack.blocks import CardButton, CardPicker
from bot.slack.codec import AgentAction, button_value, split_key
from bot.when import waited_minutes

AGENT_LANG = "ja"
HISTORY_LINES = 12
LINE_CHARS = 160
ASK_CHARS = 500
RATING_REASONS = {r.value for r in Reason}

Permalink = Callable[[str, str], str | None]  # (channel, message ts) -> link, if Slack gives one


@dataclass(frozen=True)
class CardFacts:
    """What the transport looked up for a card."""

    prospect: str | None  # the prospect's display name
    company: str | None   # their workspace's name (Slack Connect), if known
    now: float
    hours: BusinessHours
    permalink: Permalink


def _say(content: Content, key: str, /, **values: object) -> str:
    return content.messages.say(key, AGENT_LANG, **values)


# -- who and how long ----------------------------------------------------------------------------


def who(content: Content, facts: CardFacts) -> str:
    """「株式会社タナカ精工 田中様」, or as much of it as is known."""
    if facts.prospect:
        name = _say(content, "card_who", name=facts.prospect)
        return f"{facts.company} {name}" if facts.company else name
    return facts.company or _say(content, "card_who_unknown")


def waited(handoff: HandoffRecord, facts: CardFacts) -> int:
    """Minutes waited so far (until claimed): business time for a normal handoff."""
    until = handoff.claimed_at if handoff.claimed_at and handoff.status != "waiting" else facts.now
    return waited_minutes(facts.hours, handoff.created_at, until, handoff.urgent)


def header(content: Content, handoff: HandoffRecord, facts: CardFacts) -> str:
    agent = handoff.agent_name or ""
    if handoff.status == "waiting":
        key = "card_header_urgent" if handoff.urgent else "card_header_waiting"
        state = _say(content, key, minutes=waited(handoff, facts))
    elif handoff.status == "claimed":
        state = _say(content, "card_header_claimed_urgent" if handoff.urgent else "card_header_claimed", agent=agent)
    elif handoff.status == "closed":
        state = _say(content, "card_header_closed", agent=agent)
    else:
        state = _say(content, "card_header_cancelled")
    return f"{state} | {who(content, facts)}"


def notification(content: Content, handoff: HandoffRecord, facts: CardFacts, mention: str = "") -> str:
    """The card's `text`, which is what a notification shows: 「【至急】株式会社タナカ精工 田中様: 事故のご連絡」."""
    key = "card_notify_urgent" if handoff.urgent else "card_notify"
    text = _say(content, key, who=who(content, facts), reason=reason_label(content, handoff.reason))
    return f"{mention} {text}" if mention else text


def reminder_text(content: Content, handoff: HandoffRecord, facts: CardFacts, link: str | None, mention: str = "") -> str:
    key = "reminder_urgent" if handoff.urgent else "reminder"
    text = _say(content, key, count=handoff.reminders + 1, who=who(content, facts), minutes=waited(handoff, facts),
                reason=reason_label(content, handoff.reason), link=link or "")
    return f"{mention} {text}" if mention else text


# -- the card ------------------------------------------------------------------------------------


def card_blocks(content: Content, conv: Conversation, handoff: HandoffRecord, transcript: list[dict[str, Any]],
                facts: CardFacts) -> list[dict[str, Any]]:
    """The card for `handoff`, from the conversation and its transcript (oldest first)."""
    say = _say
    channel, root = split_key(conv.key)
    user = conv.meta.get("user")
    link = facts.permalink(channel, root) if root else None
    received = facts.hours.local(handoff.created_at)
    where = say(content, "card_in_dm") if root is None else f"<#{channel}>"
    intro = say(content, "card_intro", who=blocks.escape(who(content, facts)), user=f"<@{user}>" if user else "—",
                where=where, lang=say(content, f"lang_{conv.lang}"),
                received=f"{received.month}/{received.day} {received.hour}:{received.minute:02d}",
                minutes=waited(handoff, facts))
    fields = [
        (say(content, "label_reason"), blocks.escape(reason_text(content, handoff))),
        (say(content, "label_ask"), blocks.escape(_ask(transcript)) or "—"),
        (say(content, "label_sales"), format_yen(conv.sales_yen, AGENT_LANG) if conv.sales_yen else say(content, "not_yet")),
        (say(content, "label_industry"), _industry(content, conv)),
        (say(content, "label_quote"), _quote_summary(content, conv)),
        (say(content, "label_thread"), f"<{link}|{say(content, 'open_thread')}>" if link else where),
    ]
    history = [line for line in (summary_line(content, e) for e in transcript) if line][-HISTORY_LINES:]
    return blocks.handoff_card(header(content, handoff, facts), intro, fields, say(content, "label_history"), history,
                               status_line(content, handoff), controls(content, conv, handoff))


def status_line(content: Content, handoff: HandoffRecord) -> str:
    """What the thread is for in this state, and who may speak to the prospect from it."""
    agent = blocks.escape(handoff.agent_name or "")
    if handoff.status == "waiting":
        text = _say(content, "card_waiting")
        if handoff.reminders:
            text += _say(content, "card_reminded", count=handoff.reminders)
        return text
    if handoff.status == "claimed":
        return _say(content, "card_claimed_in_thread" if handoff.in_thread else "card_claimed", agent=agent)
    if handoff.status == "cancelled":
        return _say(content, "card_cancelled")
    text = _say(content, "card_closed", agent=agent, outcome=outcome_label(content, handoff.outcome))
    if handoff.note:
        text += "\n" + _say(content, "card_closing_note", note=blocks.escape(handoff.note))
    if handoff.satisfaction is not None:
        text += "\n" + _say(content, "card_satisfaction", score=handoff.satisfaction)
    return text


def controls(content: Content, conv: Conversation, handoff: HandoffRecord) -> list[CardButton | CardPicker]:
    value = button_value(conv.key, handoff.id)
    say = _say
    picker = CardPicker(AgentAction.ASSIGN.value, say(content, "button_assign"))
    if handoff.status == "waiting":
        style = "danger" if handoff.urgent else "primary"
        return [CardButton(AgentAction.CLAIM.value, say(content, "button_claim"), value, style), picker]
    if handoff.status == "claimed":
        return [CardButton(AgentAction.CLOSE.value, say(content, "button_close"), value, "primary"),
                CardButton(AgentAction.RELEASE.value, say(content, "button_release"), value), picker]
    if handoff.status == "closed":
        return [CardButton(AgentAction.REOPEN.value, say(content, "button_reopen"), value)]
    return []


def reason_label(content: Content, reason: str) -> str:
    """Why a person is needed, in the agents' words (rating reasons have their own keys:
    the prospect-facing `reason_<code>` sentences are worded for the prospect)."""
    key = f"reason_code_{reason}" if reason in RATING_REASONS else f"reason_{reason}"
    return _say(content, key) if key in content.messages.messages else reason


def reason_text(content: Content, handoff: HandoffRecord) -> str:
    """The reason as it happened: a request made on the bot's offer says what led to it."""
    text = reason_label(content, handoff.reason)
    if handoff.after:
        text += _say(content, "reason_after", after=reason_label(content, handoff.after))
    return text


def outcome_label(content: Content, outcome: str | None) -> str:
    for o in content.messages.handoff_outcomes:
        if o.key == outcome:
            return o.label(AGENT_LANG)
    return outcome or "—"


def refusal_text(content: Content, refused: HandoffRefused) -> str:
    key = {"taken": "refuse_taken", "closed": "refuse_closed", "not_owner": "refuse_not_owner",
           "cancelled": "refuse_cancelled", "not_claimed": "refuse_not_claimed",
           "already_theirs": "refuse_already_theirs"}.get(refused.why, "refuse_closed")
    return _say(content, key, agent=refused.owner or "—")


def close_dialog(content: Content, value: str) -> dict[str, Any]:
    """The modal an owner closes a handoff with; `value` (the card button's) is its metadata."""
    outcomes = [(o.key, o.label(AGENT_LANG)) for o in content.messages.handoff_outcomes]
    return blocks.close_modal(_say(content, "close_title"), _say(content, "close_outcome"), _say(content, "close_note"),
                              _say(content, "close_note_hint"), _say(content, "close_submit"), _say(content, "cancel"),
                              outcomes, value)


# -- the conversation, summarised ----------------------------------------------------------------


def summary_line(content: Content, e: dict[str, Any]) -> str:
    """One transcript entry as the card shows it: what people wrote, and what the bot did
    (「見積りを提示」) rather than its full text; system lines are left out."""
    role, text = e.get("role", ""), " ".join((e.get("text") or "").split())
    if role == "bot":  # a quote or an FAQ answer is kept as its figures or entry, not its text
        kind = e.get("kind") or ""
        key = f"summary_{kind}"
        if key in content.messages.messages:
            return f"*{_say(content, 'role_bot')}*: {_say(content, key)}"
    if not text or role not in ("prospect", "bot", "agent", "note"):
        return ""
    label = _say(content, f"role_{role}")
    return f"*{label}*: {blocks.escape(_clip(text, LINE_CHARS))}"


def _ask(transcript: list[dict[str, Any]]) -> str:
    """The prospect's last message: what they want from a person."""
    for e in reversed(transcript):
        if e.get("role") == "prospect" and (e.get("text") or "").strip():
            return _clip(" ".join(e["text"].split()), ASK_CHARS)
    return ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _industry(content: Content, conv: Conversation) -> str:
    if conv.other_industry:
        return blocks.escape(conv.other_industry)
    if conv.industry:
        return content.industries.label(conv.industry, AGENT_LANG)
    return _say(content, "not_yet")


def _quote_summary(content: Content, conv: Conversation) -> str:
    if conv.industry is None or conv.sales_yen is None or conv.other_industry:
        return _say(content, "no_quote")
    try:
        q = quote(content.rates, conv.industry, conv.sales_yen, conv.plan)
    except Exception:  # QuoteUnavailable: the reason field already says why
        return _say(content, "no_quote")
    lang = AGENT_LANG
    return _say(content, "quote_summary", plan=_say(content, f"plan_{q.plan}"),
                monthly=format_price(q.monthly_yen, lang), annual=format_price(q.annual_yen, lang))
