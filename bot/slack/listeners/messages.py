"""Prospects' messages: channel threads, DMs, Slack Connect, and mentions of the app."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import conversation, metrics
from bot.slack import handoffs, relay
from bot.slack.context import SlackContext
from bot.slack.floor import Situation, Verdict, decide
from bot.slack.people import Kind, Person
from bot.limits import Admission
from bot.normalize import detect_language
from bot.slack.outbox import send
from bot.slack.text import mentions_others, plain_text, scrub
from bot.slack.web import post_with_retry
from bot.turn import Inbound
from bot.understanding.reading import Reading

log = logging.getLogger(__name__)

# Message subtypes that are a person writing. Everything else (edits, deletions, joins,
# channel topic changes, bot messages...) is not a turn of the conversation.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
SEEN_TTL_SECONDS = 24 * 3600


def register(app: App, ctx: SlackContext) -> None:
    # Reached only when events are not queued in the inbox (bot/slack/intake.py takes them
    # first when it is on).
    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        key = handle_prospect_message(ctx, event)
        if key is not None:
            send(ctx, key)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        key = handle_prospect_message(ctx, event)
        if key is not None:
            send(ctx, key)


def is_person_message(ctx: SlackContext, event: dict[str, Any]) -> bool:
    return (
        event.get("subtype") in PERSON_SUBTYPES
        and not event.get("bot_id")
        and not event.get("hidden")
        and bool(event.get("user"))
        and event.get("user") != ctx.bot_user_id
    )


CHANGE_SUBTYPES = {"message_changed", "message_deleted"}


def is_agent_change(ctx: SlackContext, event: dict[str, Any]) -> bool:
    """An edit or deletion in the agent channel: a relayed message's copy must follow it."""
    if event.get("channel") != ctx.settings.agent_channel_id or event.get("subtype") not in CHANGE_SUBTYPES:
        return False
    inner = event.get("message") or event.get("previous_message") or {}
    return not inner.get("bot_id") and inner.get("user") != ctx.bot_user_id  # not the bot's own cards


def place_of(event: dict[str, Any]) -> tuple[str, str | None]:
    """Where a message belongs: (channel, thread root), the root None in a DM (one
    conversation per DM) and the message's own ts for a top-level channel message."""
    channel = event.get("channel", "")
    if event.get("channel_type") == "im" or channel.startswith("D"):
        return channel, None
    return channel, event.get("thread_ts") or event.get("ts", "")


def handle_prospect_message(ctx: SlackContext, event: dict[str, Any], rank: int | None = None) -> str | None:
    """One person's message, processed once however often it arrives.

    Whether it is the bot's to answer at all is `floor.decide`'s call: chatter between people,
    staff writing to their customers and threads nobody called the bot into get silence; an
    agent writing in a prospect's thread takes the conversation over.

    A message reaches the app up to twice (a `message` event and, when it mentions the app,
    an `app_mention`), Slack redelivers what it did not see acknowledged, and the inbox hands
    an entry out again after a crash: the turn is keyed by the message's own identity (channel
    and ts), so a second processing changes nothing and says nothing, and the outbox posts what
    the first one committed but could not send. `rank` is the message's place among the
    person's messages this minute when the intake has ranked it already. Returns the key of the conversation whose
    outbox now holds replies (the caller drains it), or None when the bot says nothing.
    """
    if is_agent_change(ctx, event):
        relay.mirror_change(ctx, event)
        return None
    if not is_person_message(ctx, event):
        return None
    channel, ts = event.get("channel", ""), event.get("ts", "")
    thread_ts = event.get("thread_ts")
    if channel == ctx.settings.agent_channel_id:
        if thread_ts:  # taken before: relayed only if the prospect's thread doesn't show it yet
            again = not ctx.store.first_time(f"msg:{channel}:{ts}", SEEN_TTL_SECONDS)
            relay.relay_from_agent(ctx, event, again=again)
        return None
    _, root = place_of(event)
    key = ctx.conversation_key(channel, root)
    raw = scrub(event.get("text") or "")
    text = plain_text(raw, ctx.bot_user_id)
    user = event.get("user") or ""
    conv = ctx.store.load(key)
    reading: Reading | None = None

    def serves() -> bool:
        nonlocal reading
        reading = ctx.engine.read(text)
        return conversation.serves(reading)

    author = _author(ctx, event, root is None)
    verdict = decide(_situation(ctx, event, author, raw, conv), serves, _bot_in_thread(ctx, event))
    if verdict is Verdict.IGNORE:
        return None
    if verdict is Verdict.TAKE_OVER:
        handoffs.agent_took_over(ctx, key, author, text, f"{channel}:{ts}")
        return None
    if not text:
        files = event.get("files") or []
        if not files or conv is None or conv.state != "with_person":
            return None  # a file alone, or an empty message: nothing for the bot to answer
        text = ctx.say("file_shared", conv.lang, files=", ".join(_file_ref(f) for f in files))
        reading = None
    if ctx.rate_limit is not None and not _admitted(ctx, user, f"{channel}:{ts}", channel, root, text, conv, rank):
        return None
    if verdict is Verdict.TURN_LOST:
        post_with_retry(ctx, channel=channel, thread_ts=root, text=ctx.say("state_lost", detect_language(text)))
    inbound = Inbound(text=text, user=user, team=author.team, id=f"{channel}:{ts}")
    ctx.engine.handle(key, inbound, outbox=True, reading=reading)
    return key


def floor_without_redis(ctx: SlackContext, event: dict[str, Any], text: str) -> Verdict:
    """The floor as far as it can be told without the conversation (Redis is away): taken as
    a thread the bot knows nothing of, so only a mention or a thread the bot posted in counts."""
    _, root = place_of(event)
    situation = _situation(ctx, event, _author(ctx, event, root is None), event.get("text") or "", None)
    return decide(situation, lambda: conversation.serves(ctx.engine.read(text)), _bot_in_thread(ctx, event))


def _author(ctx: SlackContext, event: dict[str, Any], is_dm: bool) -> Person:
    """Who wrote it. In a DM the writer is the app's prospect whoever they are (staff try it
    out), and nobody needs looking up."""
    user = event.get("user") or ""
    if is_dm:
        return Person(user, Kind.PROSPECT, event.get("user_team") or event.get("team"))
    return ctx.who(user, event.get("user_team"))


def _situation(ctx: SlackContext, event: dict[str, Any], author: Person, raw: str, conv: Any) -> Situation:
    channel, ts, thread_ts = event.get("channel", ""), event.get("ts", ""), event.get("thread_ts")
    mentioned = event.get("type") == "app_mention" or bool(ctx.bot_user_id and f"<@{ctx.bot_user_id}>" in raw)
    return Situation(
        dm=place_of(event)[1] is None, top_level=not thread_ts or thread_ts == ts, mentioned=mentioned,
        answer_all=channel in ctx.settings.answer_all_channels, author=author,
        to_others=mentions_others(raw, ctx.bot_user_id),
        starter=conv.meta.get("user") if conv else None, starter_team=conv.meta.get("team") if conv else None,
    )


def _bot_in_thread(ctx: SlackContext, event: dict[str, Any]) -> Any:
    channel, thread_ts = event.get("channel", ""), event.get("thread_ts") or ""
    return lambda: ctx.threads.bot_posted_in(ctx.client, ctx.bot_user_id, channel, thread_ts)


def _admitted(ctx: SlackContext, user: str, message_id: str, channel: str, root: str | None, text: str, conv: Any,
              rank: int | None = None) -> bool:
    """The per-person limit: over it, told once, then ignored until the minute is over."""
    assert ctx.rate_limit is not None
    admission = ctx.rate_limit.admit(user, message_id) if rank is None else ctx.rate_limit.judge(int(rank))
    if admission is Admission.ALLOWED:
        return True
    if admission is Admission.NOTIFY:
        lang = conv.lang if conv is not None else detect_language(text)
        post_with_retry(ctx, channel=channel, thread_ts=root, text=ctx.say("rate_limited", lang))
    log.info("message over the rate limit (%s)", admission.value)
    metrics.event("rate_limited")
    return False


def _file_ref(file: dict[str, Any]) -> str:
    """A shared file as the agent sees it relayed: its name and link (the file stays in Slack)."""
    name = file.get("name") or file.get("title") or "file"
    link = file.get("permalink")
    return f"{name} ({link})" if link else name
