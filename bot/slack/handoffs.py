"""The agent channel: handoff cards, claims, relay both ways, close, reminders.

Order is what keeps a prospect from being dropped: the engine has already committed the
handoff to Redis when `announce` runs; the card is posted with retries, and a waiting
handoff whose card never went out is posted again by the sweeper (reminders.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.flows.model import Conversation, HandoffRecord
from bot.handoffs import HandoffDesk, HandoffRefused
from bot.rating import Reason, quote
from bot.slack import blocks
from bot.slack.context import DM_THREAD, SlackContext
from bot.slack.delivery import post_with_retry
from bot.turn import Outbound
from bot.money import format_price, format_yen

log = logging.getLogger(__name__)

AGENT_LANG = "ja"
RECENT_LINES = 8
RECENT_CHARS = 300
MEMBERS_CACHE_SECONDS = 60.0
RATING_REASONS = {r.value for r in Reason}


def desk(ctx: SlackContext) -> HandoffDesk:
    return HandoffDesk(ctx.store, ctx.content)


def split_key(key: str) -> tuple[str, str | None]:
    """Conversation key -> (channel, thread root or None for a DM)."""
    _, channel, thread = key.split(":", 2)
    return channel, None if thread == DM_THREAD else thread


def button_value(key: str, handoff_id: str) -> str:
    return f"{key}|{handoff_id}"


def parse_value(value: str) -> tuple[str, str]:
    key, _, handoff_id = value.rpartition("|")
    return key, handoff_id


# -- announcing ------------------------------------------------------------------------------


def announce(ctx: SlackContext, key: str) -> bool:
    """Post the card for the conversation's handoff unless it is already out. One process
    posts at a time (a short Redis lock); failures are retried with backoff, and whatever
    is still unposted is picked up by the sweeper. Returns True once the card is out."""
    conv = ctx.store.load(key)
    if conv is None or conv.handoff is None or conv.handoff.announced or conv.handoff.status == "closed":
        return True
    with ctx.store.try_lock(f"announce:{conv.handoff.id}", timeout_seconds=30) as locked:
        if not locked:
            return False
        conv = ctx.store.load(key)  # re-read under the lock: another process may have posted
        if conv is None or conv.handoff is None or conv.handoff.announced:
            return True
        handoff = conv.handoff
        card = card_blocks(ctx, conv, handoff)
        text = _card_fallback(ctx, handoff)
        posted = post_with_retry(ctx, channel=ctx.settings.agent_channel_id, text=text, blocks=card)
        if posted is None:
            return False
        ts = posted["ts"]
        ctx.store.put_card(ctx.settings.agent_channel_id, ts, key, handoff.id)
        desk(ctx).mark(key, handoff.id, announced=True, card_channel=ctx.settings.agent_channel_id, card_ts=ts)
        log.info("handoff announced urgent=%s reason=%s", handoff.urgent, handoff.reason)
        return True

def card_blocks(ctx: SlackContext, conv: Conversation, handoff: HandoffRecord) -> list[dict[str, Any]]:
    say, lang = ctx.say, AGENT_LANG
    channel, root = split_key(conv.key)
    user = conv.meta.get("user")
    link = _permalink(ctx, channel, root)
    fields = [
        (say("label_reason", lang), blocks.escape(reason_label(ctx, handoff.reason))),
        (say("label_urgency", lang), say("urgency_urgent" if handoff.urgent else "urgency_normal", lang)),
        (say("label_prospect", lang), f"<@{user}>" if user else "—"),
        (say("label_thread", lang), f"<{link}|{say('open_thread', lang)}>" if link else f"<#{channel}>"),
        (say("label_sales", lang), format_yen(conv.sales_yen, lang) if conv.sales_yen else say("not_yet", lang)),
        (say("label_industry", lang), _industry(ctx, conv, lang)),
        (say("label_quote", lang), _quote_summary(ctx, conv, lang)),
    ]
    recent = [_transcript_line(ctx, e) for e in ctx.store.transcript(conv.key, last=RECENT_LINES)]
    title = say("card_title_urgent" if handoff.urgent else "card_title", lang)
    if handoff.status == "waiting":
        status = say("card_waiting", lang)
        buttons = [("handoff.claim", say("button_claim", lang), button_value(conv.key, handoff.id), True)]
    elif handoff.status == "claimed":
        status = say("card_claimed", lang, agent=blocks.escape(handoff.agent_name or ""))
        buttons = [("handoff.close", say("button_close", lang), button_value(conv.key, handoff.id), False)]
    else:
        status = say("card_closed", lang, agent=blocks.escape(handoff.agent_name or ""), outcome=outcome_label(ctx, handoff.outcome))
        buttons = []
    return blocks.handoff_card(title, fields, [line for line in recent if line], status, buttons, say("label_recent", lang))


def _card_fallback(ctx: SlackContext, handoff: HandoffRecord) -> str:
    title = ctx.say("card_title_urgent" if handoff.urgent else "card_title", AGENT_LANG)
    return f"{title}: {reason_label(ctx, handoff.reason)}"


def reason_label(ctx: SlackContext, reason: str) -> str:
    """Why a person is needed, in the agents' words (rating reasons have their own keys:
    the prospect-facing `reason_<code>` sentences are worded for the prospect)."""
    key = f"reason_code_{reason}" if reason in RATING_REASONS else f"reason_{reason}"
    return ctx.say(key, AGENT_LANG) if key in ctx.content.messages.messages else reason


def outcome_label(ctx: SlackContext, outcome: str | None) -> str:
    for o in ctx.content.messages.handoff_outcomes:
        if o.key == outcome:
            return o.label(AGENT_LANG)
    return outcome or "—"


def _industry(ctx: SlackContext, conv: Conversation, lang: str) -> str:
    if conv.other_industry:
        return blocks.escape(conv.other_industry)
    if conv.industry:
        industry = ctx.content.industries.industries.get(conv.industry)
        return industry.labels(lang) if industry else conv.industry
    return ctx.say("not_yet", lang)


def _quote_summary(ctx: SlackContext, conv: Conversation, lang: str) -> str:
    if conv.industry is None or conv.sales_yen is None or conv.other_industry:
        return ctx.say("no_quote", lang)
    try:
        q = quote(ctx.content.rates, conv.industry, conv.sales_yen, conv.plan)
    except Exception:  # QuoteUnavailable: the reason field already says why
        return ctx.say("no_quote", lang)
    return ctx.say("quote_summary", lang, plan=ctx.say(f"plan_{q.plan}", lang),
                   monthly=format_price(q.monthly_yen, lang), annual=format_price(q.annual_yen, lang))


def _transcript_line(ctx: SlackContext, e: dict[str, Any]) -> str:
    role = {"prospect": "role_prospect", "bot": "role_bot", "agent": "role_agent"}.get(e.get("role", ""))
    text = (e.get("text") or "").replace("\n", " ")
    if role is None or not text:
        return ""
    if len(text) > RECENT_CHARS:
        text = text[: RECENT_CHARS - 1] + "…"
    return f"*{ctx.say(role, AGENT_LANG)}*: {blocks.escape(text)}"


def _permalink(ctx: SlackContext, channel: str, root: str | None) -> str | None:
    if root is None:
        return None
    try:
        return ctx.client.chat_getPermalink(channel=channel, message_ts=root)["permalink"]
    except SlackApiError:
        return None


def refresh_card(ctx: SlackContext, conv: Conversation, clicked: tuple[str, str] | None = None) -> None:
    """Redraw the handoff's card. `clicked` is where an agent clicked it: an agent can click a
    card the moment it appears, before the announcing process has recorded where it posted it."""
    h = conv.handoff
    if h is None:
        return
    channel, ts = (h.card_channel, h.card_ts) if h.card_ts and h.card_channel else (clicked or (None, None))
    if not channel or not ts:
        return
    try:
        ctx.client.chat_update(channel=channel, ts=ts, text=_card_fallback(ctx, h), blocks=card_blocks(ctx, conv, h))
    except SlackApiError as exc:
        log.warning("card update failed (%s)", exc.response.get("error"))


# -- who is an agent ---------------------------------------------------------------------------


@dataclass
class Agent:
    id: str
    name: str
    icon: str | None


_members: dict[str, tuple[float, frozenset[str]]] = {}


def agent_channel_members(ctx: SlackContext) -> frozenset[str]:
    channel = ctx.settings.agent_channel_id
    cached = _members.get(channel)
    if cached and time.monotonic() - cached[0] < MEMBERS_CACHE_SECONDS:
        return cached[1]
    members: set[str] = set()
    cursor = None
    while True:
        page = ctx.client.conversations_members(channel=channel, cursor=cursor, limit=200)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    _members[channel] = (time.monotonic(), frozenset(members))
    return _members[channel][1]


def verified_agent(ctx: SlackContext, user_id: str, claimed_team: str | None) -> Agent | None:
    """A member of the agent channel whose account belongs to the home workspace; else None.
    Slack Connect guests can sit in a shared agent channel, so membership alone is not enough."""
    if claimed_team and claimed_team != ctx.home_team:
        return None
    try:
        if user_id not in agent_channel_members(ctx):
            return None
        info = ctx.client.users_info(user=user_id)["user"]
    except SlackApiError:
        return None
    if info.get("team_id") != ctx.home_team or info.get("is_restricted") or info.get("is_stranger"):
        return None
    profile = info.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or info.get("real_name") or info.get("name") or user_id
    return Agent(user_id, name, profile.get("image_72") or profile.get("image_48"))


def refuse(ctx: SlackContext, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
    try:
        ctx.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except SlackApiError as exc:
        log.warning("ephemeral refusal failed (%s)", exc.response.get("error"))


def refusal_text(ctx: SlackContext, refused: HandoffRefused) -> str:
    key = {"taken": "refuse_taken", "closed": "refuse_closed", "not_owner": "refuse_not_owner"}.get(refused.why, "refuse_closed")
    return ctx.say(key, AGENT_LANG, agent=refused.owner or "—") if key != "refuse_closed" else ctx.say(key, AGENT_LANG)


# -- agent actions -----------------------------------------------------------------------------


def claim(ctx: SlackContext, body: dict[str, Any]) -> None:
    user = body.get("user") or {}
    channel = (body.get("container") or {}).get("channel_id") or ctx.settings.agent_channel_id
    key, handoff_id = parse_value(body["actions"][0].get("value", ""))
    agent = verified_agent(ctx, user.get("id", ""), user.get("team_id"))
    if agent is None:
        refuse(ctx, channel, user.get("id", ""), ctx.say("refuse_not_agent", AGENT_LANG))
        return
    try:
        result = desk(ctx).claim(key, handoff_id, agent.id, agent.name)
    except HandoffRefused as refused:
        if refused.why != "gone":
            refuse(ctx, channel, agent.id, refusal_text(ctx, refused))
        return
    container = body.get("container") or {}
    clicked = (channel, container["message_ts"]) if container.get("message_ts") else None
    refresh_card(ctx, result.conversation, clicked)
    _tell_prospect(ctx, key, result.to_prospect)


def open_close_dialog(ctx: SlackContext, body: dict[str, Any]) -> None:
    user = body.get("user") or {}
    channel = (body.get("container") or {}).get("channel_id") or ctx.settings.agent_channel_id
    value = body["actions"][0].get("value", "")
    key, handoff_id = parse_value(value)
    agent = verified_agent(ctx, user.get("id", ""), user.get("team_id"))
    if agent is None:
        refuse(ctx, channel, user.get("id", ""), ctx.say("refuse_not_agent", AGENT_LANG))
        return
    conv = ctx.store.load(key)
    h = conv.handoff if conv else None
    if h is None or h.id != handoff_id or h.status != "claimed" or h.agent_id != agent.id:
        why = "closed" if h is not None and h.status == "closed" else "not_owner"
        refuse(ctx, channel, agent.id, refusal_text(ctx, HandoffRefused(why, h.agent_name if h else None)))
        return
    say = ctx.say
    outcomes = [(o.key, o.label(AGENT_LANG)) for o in ctx.content.messages.handoff_outcomes]
    view = blocks.close_modal(say("close_title", AGENT_LANG), say("close_outcome", AGENT_LANG), say("close_submit", AGENT_LANG),
                              say("cancel", AGENT_LANG), outcomes, value)
    ctx.client.views_open(trigger_id=body["trigger_id"], view=view)


def close(ctx: SlackContext, body: dict[str, Any], view: dict[str, Any]) -> None:
    user = body.get("user") or {}
    key, handoff_id = parse_value(view.get("private_metadata", ""))
    values = (view.get("state") or {}).get("values") or {}
    outcome = ((values.get("outcome") or {}).get("value") or {}).get("selected_option", {}).get("value") or "answered"
    agent = verified_agent(ctx, user.get("id", ""), user.get("team_id"))
    if agent is None:
        return
    try:
        result = desk(ctx).close(key, handoff_id, agent.id, outcome)
    except HandoffRefused as refused:
        if refused.why != "gone":
            refuse(ctx, ctx.settings.agent_channel_id, agent.id, refusal_text(ctx, refused))
        return
    refresh_card(ctx, result.conversation)
    _tell_prospect(ctx, key, result.to_prospect)


def _tell_prospect(ctx: SlackContext, key: str, out: Outbound | None) -> None:
    if out is None:
        return
    channel, root = split_key(key)
    post_with_retry(ctx, channel=channel, thread_ts=root, text=blocks.fallback_text(out.text),
                    blocks=blocks.reply_blocks(out))


# -- relay -------------------------------------------------------------------------------------


def relay_to_agent(ctx: SlackContext, key: str, out: Outbound) -> None:
    """A prospect's message while a person has the conversation: into the card's thread."""
    conv = ctx.store.load(key)
    h = conv.handoff if conv else None
    if h is None or not h.card_ts or not h.card_channel:
        return  # the card, when it is posted, shows the latest messages
    # Shown literally: a prospect (or an external guest) must not ping @channel or dress up a
    # link in the agent channel.
    text = ctx.say("relay_from_prospect", AGENT_LANG, text=blocks.escape(out.text))
    post_with_retry(ctx, channel=h.card_channel, thread_ts=h.card_ts, text=blocks.fallback_text(text),
                    unfurl_links=False, unfurl_media=False)


def relay_from_agent(ctx: SlackContext, event: dict[str, Any]) -> None:
    """An agent's reply in a card's thread: to the prospect, as the agent, if they own it."""
    channel, thread_ts, user = event.get("channel", ""), event.get("thread_ts", ""), event.get("user", "")
    card = ctx.store.card(channel, thread_ts)
    if card is None:
        return  # agents talking among themselves
    key, handoff_id = card
    agent = verified_agent(ctx, user, event.get("user_team"))
    if agent is None:
        refuse(ctx, channel, user, ctx.say("refuse_not_agent", AGENT_LANG), thread_ts)
        return
    from bot.slack.text import agent_text, plain_text

    if not plain_text(event.get("text") or "", ctx.bot_user_id):
        return
    text = agent_text(event.get("text") or "", ctx.bot_user_id)
    try:
        desk(ctx).agent_said(key, handoff_id, agent.id, text)
    except HandoffRefused as refused:
        conv = ctx.store.load(key)
        waiting = conv is not None and conv.handoff is not None and conv.handoff.status == "waiting"
        message = ctx.say("refuse_claim_first", AGENT_LANG) if waiting else refusal_text(ctx, refused)
        refuse(ctx, channel, user, message, thread_ts)
        return
    prospect_channel, root = split_key(key)
    post_with_retry(ctx, channel=prospect_channel, thread_ts=root, text=text, username=agent.name,
                    icon_url=agent.icon, unfurl_links=False)
