"""App Home: the queue and the figures for agents; what the bot does for everyone else.

An agent's Home shows the waiting handoffs (urgent first, then the oldest) with a claim button
each, the handoffs they own, and the figures for today and the last 7 days. It is drawn when
opened and redrawn, for agents who opened it in the last HOME_VIEWER_MINUTES, when the queue
changes (a card posted, claimed, released, closed, cancelled). Everyone else sees what the bot
does, a button to start an estimate in a DM, and the FAQ topics.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.flows.model import Conversation
from bot.slack import blocks
from bot.slack.codec import AgentAction, button_value
from bot.slack.context import SlackContext
from bot.slack.people import Kind

log = logging.getLogger(__name__)

HOME_VIEWERS = "home:viewers"  # agents who opened Home lately (sorted set: user -> when)
HOME_VIEWER_MINUTES = 30
QUEUE_SHOWN = 20
_REDRAWS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="home-redraw")
AGENT_LANG = "ja"


def opened(ctx: SlackContext, user: str) -> None:
    """Someone opened the Home tab: draw theirs; remember agents, to redraw theirs later."""
    try:
        person = ctx.who(user)
    except SlackApiError:
        return
    if person.kind is Kind.AGENT:
        ctx.store.redis.zadd(HOME_VIEWERS, {user: ctx.clock()})
        view = agent_view(ctx, user)
    else:
        view = prospect_view(ctx)
    publish(ctx, user, view)


def publish(ctx: SlackContext, user: str, view: dict[str, Any]) -> None:
    try:
        ctx.client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed (%s)", exc.response.get("error"))


def queue_changed(ctx: SlackContext) -> None:
    """Redraw the Home of every agent who looked at it recently (off the caller's path)."""
    _REDRAWS.submit(_redraw_viewers, ctx)


def _redraw_viewers(ctx: SlackContext) -> None:
    try:
        now = ctx.clock()
        ctx.store.redis.zremrangebyscore(HOME_VIEWERS, "-inf", now - HOME_VIEWER_MINUTES * 60)
        viewers = [v.decode() if isinstance(v, bytes) else v for v in ctx.store.redis.zrange(HOME_VIEWERS, 0, -1)]
        for user in viewers:
            publish(ctx, user, agent_view(ctx, user))
    except Exception:  # a stale Home is not worth a failed click
        log.exception("redrawing App Home failed")


# -- the agent's Home ----------------------------------------------------------------------------


def agent_view(ctx: SlackContext, user: str) -> dict[str, Any]:
    from bot.slack import cards
    from bot.slack.card_facts import card_facts

    say = lambda key, **v: ctx.say(key, AGENT_LANG, **v)  # noqa: E731
    open_ = ctx.store.open_handoffs()
    waiting = sorted((c for c in open_ if c.handoff and c.handoff.is_waiting),
                     key=lambda c: (not c.handoff.urgent, c.handoff.created_at))  # type: ignore[union-attr]
    mine = [c for c in open_ if c.handoff and c.handoff.status == "claimed" and c.handoff.agent_id == user]
    out: list[Block] = [HeaderBlock(text=PlainTextObject(text=say("home_agent_title")[:150], emoji=True))]

    out.append(SectionBlock(text=MarkdownTextObject(text=f"*{blocks.escape(say('home_queue', count=len(waiting)))}*")))
    if not waiting:
        out.append(ContextBlock(elements=[MarkdownTextObject(text=say("home_queue_empty"))]))
    for conv in waiting[:QUEUE_SHOWN]:
        h = conv.handoff
        assert h is not None
        title = f"*{blocks.escape(cards.header(ctx.content, h, card_facts(ctx, conv)))}*\n"
        out.append(SectionBlock(text=MarkdownTextObject(text=_line(ctx, conv, title)), accessory=ButtonElement(
            text=PlainTextObject(text=say("button_claim")), action_id=AgentAction.CLAIM.value,
            value=button_value(conv.key, h.id), style="danger" if h.urgent else "primary")))
    out.append(DividerBlock())
    out.append(SectionBlock(text=MarkdownTextObject(text=f"*{blocks.escape(say('home_mine', count=len(mine)))}*")))
    if not mine:
        out.append(ContextBlock(elements=[MarkdownTextObject(text=say("home_mine_empty"))]))
    for conv in mine[:QUEUE_SHOWN]:
        title = f"{blocks.escape(cards.who(ctx.content, card_facts(ctx, conv)))} · "
        out.append(SectionBlock(text=MarkdownTextObject(text=_line(ctx, conv, title))))
    out.append(DividerBlock())
    out += figures_blocks(ctx)
    return {"type": "home", "blocks": [b.to_dict() for b in out][:100]}


def _line(ctx: SlackContext, conv: Conversation, title: str) -> str:
    """One handoff in a Home list: `title` (escaped mrkdwn), the reason, a link to its card."""
    from bot.slack import cards
    from bot.slack.web import permalink

    h = conv.handoff
    assert h is not None
    line = title + blocks.escape(cards.reason_text(ctx.content, h))
    link = permalink(ctx, h.card_channel, h.card_ts)
    if link:
        line += f" · <{link}|{ctx.say('home_open_card', AGENT_LANG)}>"
    return line[:3000]


def figures_blocks(ctx: SlackContext) -> list[Block]:
    """Today and the last 7 days, side by side."""
    if ctx.figures is None:
        return []
    say = lambda key, **v: ctx.say(key, AGENT_LANG, **v)  # noqa: E731
    days = ctx.figures.last_days(7, today=ctx.hours.local(ctx.clock()).date())
    periods = [(say("home_today"), days[-1]), (say("home_week"), ctx.figures.total(days))]
    fields = [MarkdownTextObject(text=f"*{blocks.escape(title)}*\n{figures_text(ctx, d)}"[:2000]) for title, d in periods]
    return [SectionBlock(text=MarkdownTextObject(text=f"*{say('home_figures')}*")), SectionBlock(fields=fields)]


def figures_text(ctx: SlackContext, d: Any) -> str:
    say = lambda key, **v: ctx.say(key, AGENT_LANG, **v)  # noqa: E731
    median = "—" if d.claim_median is None else f"{d.claim_median / 60:.1f}"
    p90 = "—" if d.claim_p90 is None else f"{d.claim_p90 / 60:.1f}"
    satisfaction = "—" if d.satisfaction_mean is None else f"{d.satisfaction_mean:.1f}"
    return say("home_figures_lines", started=d.started, quotes=d.quotes, handoffs=d.handoffs_total, claimed=d.claimed,
               median=median, p90=p90, closed=d.closed_total, cancelled=d.cancelled, satisfaction=satisfaction,
               rated=d.satisfaction_count)


# -- everyone else's Home ------------------------------------------------------------------------


def prospect_view(ctx: SlackContext) -> dict[str, Any]:
    """Japanese first, English below: what the bot does, a start button, the FAQ topics."""
    out: list[Block] = []
    for lang in ("ja", "en"):
        say = lambda key, **v: ctx.say(key, lang, **v)  # noqa: E731, B023
        if out:
            out.append(DividerBlock())
        out.append(HeaderBlock(text=PlainTextObject(text=say("home_title")[:150], emoji=True)))
        out += [SectionBlock(text=MarkdownTextObject(text=blocks.escape(say("home_body"))[:3000]))]
        out.append(ActionsBlock(block_id=f"home-start-{lang}", elements=[ButtonElement(
            text=PlainTextObject(text=say("button_start_quote")[:75]), action_id=AgentAction.START_QUOTE.value,
            value=lang, style="primary")]))
        out.append(SectionBlock(text=MarkdownTextObject(text=blocks.escape(say("home_steps"))[:3000])))
        topics = "\n".join(f"• {blocks.escape(e.questions_in(lang)[0])}" for e in ctx.content.faq.entries)
        out.append(SectionBlock(text=MarkdownTextObject(text=f"*{blocks.escape(say('home_faq_topics'))}*\n{topics}"[:3000])))
    return {"type": "home", "blocks": [b.to_dict() for b in out]}
