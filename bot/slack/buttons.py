"""Buttons act on what they show: only the newest message with buttons in a conversation is live.

The engine records which reply's buttons are live (`Conversation.buttons_id`, in the turn's own
write) and refuses a click on any other (`Superseded`). This module keeps Slack showing the
same thing: once a newer message with buttons is posted, or a person takes the conversation,
the older message's buttons are replaced by a short line (`buttons_retired`), so a thread never
holds two quote cards whose buttons both look live. Redis remembers the live message
(`conv:{K}:buttons`: reply id, ts and the reply itself, to redraw it without its buttons).
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from slack_sdk.errors import SlackApiError

from bot.slack import blocks
from bot.slack.codec import split_key
from bot.slack.context import SlackContext
from bot.slack.web import permalink
from bot.turn import Outbound

log = logging.getLogger(__name__)


class Shown(NamedTuple):
    """A reply the outbox posted: its id, where it landed, what it shows."""

    reply_id: str
    ts: str
    out: Outbound


def batch(posted: list[Shown]) -> tuple[str, dict[str, Any] | None] | None:
    """What the live-buttons record becomes after `posted` went out, in order: ("set", the
    newest message with buttons), ("del", None) if a reply after it ended the buttons, or None
    (unchanged). Pure: the outbox writes it with its last write (Store.finish)."""
    op: tuple[str, dict[str, Any] | None] | None = None
    for p in posted:
        if p.out.choices:
            op = ("set", {"id": p.reply_id, "ts": p.ts, "out": _to_redraw(p.out)})
        elif p.out.ends_buttons:
            op = ("del", None)
    return op


def replaced(posted: list[Shown], before: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The messages whose buttons are no longer live once `posted` went out: the one live
    before (if a reply replaced it) and any of `posted` a later one replaced. Pure."""
    op = batch(posted)
    if op is None:
        return []
    live_ts = op[1]["ts"] if op[0] == "set" and op[1] else None
    out = [] if before is None or before.get("ts") == live_ts else [before]
    out += [{"id": p.reply_id, "ts": p.ts, "out": _to_redraw(p.out)} for p in posted
            if p.out.choices and p.ts != live_ts]
    return out


def _to_redraw(out: Outbound) -> dict[str, Any]:
    """What redrawing the message without its buttons needs: the reply without its choices and
    empty fields (kept in Redis as long as the conversation: every byte counts that long)."""
    record = {k: v for k, v in out.to_record().items() if v not in (None, False, [], "")}
    record.pop("choices", None)
    return {"kind": out.kind, "text": out.text, "lang": out.lang, "state": out.state, **record}


def retire_replaced(ctx: SlackContext, key: str, posted: list[Shown], before: dict[str, Any] | None) -> None:
    """Redraw without buttons what `replaced` says is no longer live."""
    for old in replaced(posted, before):
        _redraw_without_buttons(ctx, key, old)


def retire(ctx: SlackContext, key: str) -> None:
    """No message of the conversation has live buttons any more (a person has it)."""
    before = ctx.store.swap_buttons(key, None)
    if before is not None:
        _redraw_without_buttons(ctx, key, before)


def answered(ctx: SlackContext, key: str, ts: str) -> None:
    """The live message was clicked and shows its receipt instead of buttons: it needs no
    retiring when the next one is posted."""
    live = ctx.store.live_buttons(key)
    if live is not None and live.get("ts") == ts:
        ctx.store.swap_buttons(key, None)


def live_link(ctx: SlackContext, key: str) -> str | None:
    """A link to the message whose buttons are live, if there is one."""
    live = ctx.store.live_buttons(key)
    if live is None:
        return None
    channel, _ = split_key(key)
    return permalink(ctx, channel, live.get("ts"))


def _redraw_without_buttons(ctx: SlackContext, key: str, before: dict[str, Any]) -> None:
    channel, _ = split_key(key)
    try:
        out = Outbound.from_record(before["out"])
        note = ctx.say("buttons_retired", out.lang)
        ctx.client.chat_update(channel=channel, ts=before["ts"], text=blocks.fallback_text(out.text),
                               blocks=blocks.retired_blocks(out, note))
    except SlackApiError as exc:  # the buttons still refuse clicks (the engine checks); only the look is stale
        log.warning("retiring older buttons failed (%s)", exc.response.get("error"))
    except (KeyError, TypeError, ValueError):
        log.warning("retiring older buttons skipped: the stored message could not be read")
