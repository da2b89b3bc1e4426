"""What agents read: the handoff card, its fallback text, the labels and refusals, the close modal.

Pure builders from a conversation and the content, in the agents' language; what they need
from Slack or Redis (the thread's permalink, the recent transcript) is passed in, so a card
can be built, and tested, without either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.content.bundle import Content
from bot.flows.model import Conversation, HandoffRecord
from bot.handoffs import HandoffRefused
from bot.money import format_price, format_yen
from bot.rating import Reason, quote
from bot.slack import blocks
from bot.slack.codec import AgentAction, button_value, split_key

AGENT_LANG = "ja"
RECENT_LINES = 8
RECENT_CHARS = 300
RATING_REASONS = {r.value for r in Reason}

Permalink = Callable[[str, str], str | None]  # (channel, message ts) -> link, if Slack gives one


def _say(content: Content, key: str, /, **values: object) -> str:
    return content.messages.say(key, AGENT_LANG, **values)


def card_blocks(content: Content, conv: Conversation, handoff: HandoffRecord, recent: list[dict[str, Any]],
                permalink: Permalink) -> list[dict[str, Any]]:
    """The card for `handoff`: the facts so far, the latest transcript lines (`recent`, oldest
    first) and the button its status allows."""
    say, lang = content.messages.say, AGENT_LANG
    channel, root = split_key(conv.key)
    user = conv.meta.get("user")
    link = permalink(channel, root) if root else None
    fields = [
        (say("label_reason", lang), blocks.escape(reason_label(content, handoff.reason))),
        (say("label_urgency", lang), say("urgency_urgent" if handoff.urgent else "urgency_normal", lang)),
        (say("label_prospect", lang), f"<@{user}>" if user else "—"),
        (say("label_thread", lang), f"<{link}|{say('open_thread', lang)}>" if link else f"<#{channel}>"),
        (say("label_sales", lang), format_yen(conv.sales_yen, lang) if conv.sales_yen else say("not_yet", lang)),
        (say("label_industry", lang), _industry(content, conv)),
        (say("label_quote", lang), _quote_summary(content, conv)),
    ]
    lines = [_transcript_line(content, e) for e in recent]
    title = say("card_title_urgent" if handoff.urgent else "card_title", lang)
    value = button_value(conv.key, handoff.id)
    if handoff.status == "waiting":
        status = say("card_waiting", lang)
        buttons = [(AgentAction.CLAIM.value, say("button_claim", lang), value, True)]
    elif handoff.status == "claimed":
        key = "card_claimed_in_thread" if handoff.in_thread else "card_claimed"
        status = say(key, lang, agent=blocks.escape(handoff.agent_name or ""))
        buttons = [(AgentAction.CLOSE.value, say("button_close", lang), value, False)]
    elif handoff.status == "cancelled":
        status = say("card_cancelled", lang)
        buttons = []
    else:
        status = say("card_closed", lang, agent=blocks.escape(handoff.agent_name or ""),
                     outcome=outcome_label(content, handoff.outcome))
        buttons = []
    return blocks.handoff_card(title, fields, [line for line in lines if line], status, buttons, say("label_recent", lang))


def card_fallback(content: Content, handoff: HandoffRecord) -> str:
    title = _say(content, "card_title_urgent" if handoff.urgent else "card_title")
    return f"{title}: {reason_label(content, handoff.reason)}"


def reason_label(content: Content, reason: str) -> str:
    """Why a person is needed, in the agents' words (rating reasons have their own keys:
    the prospect-facing `reason_<code>` sentences are worded for the prospect)."""
    key = f"reason_code_{reason}" if reason in RATING_REASONS else f"reason_{reason}"
    return _say(content, key) if key in content.messages.messages else reason


def outcome_label(content: Content, outcome: str | None) -> str:
    for o in content.messages.handoff_outcomes:
        if o.key == outcome:
            return o.label(AGENT_LANG)
    return outcome or "—"


def refusal_text(content: Content, refused: HandoffRefused) -> str:
    key = {"taken": "refuse_taken", "closed": "refuse_closed", "not_owner": "refuse_not_owner"}.get(refused.why, "refuse_closed")
    return _say(content, key, agent=refused.owner or "—") if key != "refuse_closed" else _say(content, key)


def close_dialog(content: Content, value: str) -> dict[str, Any]:
    """The modal an owner closes a handoff with; `value` (the card button's) is its metadata."""
    outcomes = [(o.key, o.label(AGENT_LANG)) for o in content.messages.handoff_outcomes]
    return blocks.close_modal(_say(content, "close_title"), _say(content, "close_outcome"), _say(content, "close_submit"),
                              _say(content, "cancel"), outcomes, value)


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


def _transcript_line(content: Content, e: dict[str, Any]) -> str:
    role = {"prospect": "role_prospect", "bot": "role_bot", "agent": "role_agent"}.get(e.get("role", ""))
    text = (e.get("text") or "").replace("\n", " ")
    if role is None or not text:
        return ""
    if len(text) > RECENT_CHARS:
        text = text[: RECENT_CHARS - 1] + "…"
    return f"*{_say(content, role)}*: {blocks.escape(text)}"
