"""Button clicks on the bot's messages: the same flow as typed text."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.conversation import Superseded
from bot.slack import blocks, buttons, handoffs
from bot.slack.codec import PROSPECT_PREFIX, AgentAction, Click, parse_click
from bot.slack.context import SlackContext
from bot.slack.listeners.commands import start_dm
from bot.slack.outbox import send
from bot.slack.web import refuse
from bot.turn import Inbound

CLICK_TTL_SECONDS = 7 * 24 * 3600
log = logging.getLogger(__name__)


def register(app: App, ctx: SlackContext) -> None:
    @app.action(re.compile(rf"^{re.escape(PROSPECT_PREFIX)}"))
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handle_click(ctx, body)

    @app.action(AgentAction.CLAIM.value)
    def on_claim(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.claim(ctx, parse_click(body))

    @app.action(AgentAction.CLOSE.value)
    def on_close(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.open_close_dialog(ctx, parse_click(body))

    @app.action(AgentAction.RELEASE.value)
    def on_release(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.release(ctx, parse_click(body))

    @app.action(AgentAction.ASSIGN.value)
    def on_assign(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.assign(ctx, parse_click(body))

    @app.action(AgentAction.REOPEN.value)
    def on_reopen(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handoffs.reopen(ctx, parse_click(body))

    @app.action(AgentAction.START_QUOTE.value)
    def on_start_quote(ack: Ack, body: dict[str, Any]) -> None:
        """App Home's start button: an estimate in the clicker's DM with the app."""
        ack()
        click = parse_click(body)
        lang = click.value if click.value in ("ja", "en") else "ja"
        try:
            channel = ctx.client.conversations_open(users=click.user_id)["channel"]["id"]
        except SlackApiError as exc:
            log.warning("conversations.open failed (%s)", exc.response.get("error"))
            return
        start_dm(ctx, channel, lang)


def handle_click(ctx: SlackContext, body: dict[str, Any]) -> None:
    """A prospect's click: the same flow as typed text, on the buttons it shows.

    Only the prospect and people of the prospect's own workspace may click (anyone else is
    told so privately, once per conversation); only the live buttons act (a click on an older
    message changes nothing, and the clicker is shown where the current one is); and only the
    first click on a message counts: its buttons are replaced by a receipt before the flow
    moves. If the turn fails, the click is given back so the prospect can try again."""
    click = parse_click(body)
    key = ctx.conversation_key(click.channel, click.root)
    conv = ctx.store.load(key)
    if conv is None:
        # A button on a message that belongs to no conversation (forged, or its state is gone):
        # nothing changes; the clicker is told privately.
        refuse(ctx, click.channel, click.user_id, ctx.say("click_expired", "ja"), click.root)
        return
    lang = conv.lang
    if not _may_click(conv.meta, click):
        if ctx.store.first_time(f"refused:{key}:{click.user_id}", CLICK_TTL_SECONDS):
            refuse(ctx, click.channel, click.user_id, ctx.say("refuse_not_your_conversation", lang), click.root)
        return
    if click.reply_id is not None and not conv.buttons_current(click.reply_id):
        _tell_superseded(ctx, key, click, lang)
        return
    once = f"click:{click.channel}:{click.message_ts}"
    if not ctx.store.first_time(once, CLICK_TTL_SECONDS):
        return
    retired = False
    try:
        retired = _retire_buttons(ctx, click, _receipt(ctx, click, lang))
        if retired:
            buttons.answered(ctx, key, click.message_ts)
        # An action this app did not make goes to the engine by its name as sent: the engine
        # answers a click it does not know as not understood (it never reads the label as text).
        inbound = Inbound(text=click.label, action=click.action or click.name, value=click.value, user=click.user_id,
                          team=click.user_team, id=f"click:{click.channel}:{click.message_ts}", reply_id=click.reply_id)
        ctx.engine.handle(key, inbound, outbox=True)
    except Superseded:  # a newer message was posted between the check and the turn
        ctx.store.forget(once)
        if retired:
            _restore_buttons(ctx, click)
        _tell_superseded(ctx, key, click, lang)
        return
    except Exception:
        # Nothing happened: give the click back (and the buttons) so the prospect can retry.
        ctx.store.forget(once)
        if retired:
            _restore_buttons(ctx, click)
        raise
    send(ctx, key)


def _may_click(meta: dict[str, str], click: Click) -> bool:
    """The prospect who started the conversation, or someone of their workspace (a colleague
    who knows the figure). A DM is its owner's alone anyway."""
    starter, team = meta.get("user"), meta.get("team")
    if not starter or click.user_id == starter:
        return True
    return bool(team) and click.user_team == team


def _receipt(ctx: SlackContext, click: Click, lang: str) -> str:
    """Who chose what, by the name people see (never the login handle), or just what."""
    try:
        name = ctx.who(click.user_id, click.user_team).name
    except SlackApiError:
        name = None
    if name:
        return ctx.say("clicked", lang, user=name, label=click.label)
    return ctx.say("clicked_anonymous", lang, label=click.label)


def _tell_superseded(ctx: SlackContext, key: str, click: Click, lang: str) -> None:
    link = buttons.live_link(ctx, key)
    text = ctx.say("click_superseded", lang, link=link) if link else ctx.say("click_superseded_nolink", lang)
    refuse(ctx, click.channel, click.user_id, text, click.root)


def _retire_buttons(ctx: SlackContext, click: Click, receipt: str) -> bool:
    """Replace the clicked message's buttons by the receipt; True if Slack took it."""
    if not click.message_blocks:
        return False
    try:
        ctx.client.chat_update(channel=click.channel, ts=click.message_ts, text=_fallback(click),
                               blocks=blocks.answered_blocks(click.message_blocks, receipt))
        return True
    except SlackApiError as exc:  # the click still counts; only the receipt is missing
        log.warning("retiring clicked buttons failed (%s)", exc.response.get("error"))
        return False


def _restore_buttons(ctx: SlackContext, click: Click) -> None:
    try:
        ctx.client.chat_update(channel=click.channel, ts=click.message_ts, text=_fallback(click), blocks=click.message_blocks)
    except SlackApiError:
        pass


def _fallback(click: Click) -> str:
    return blocks.fallback_text(click.message_text or click.label)
