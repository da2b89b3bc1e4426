"""What the app writes into Slack and reads back: conversation keys, button values, action ids,
and click payloads as typed values.

One module owns each wire format, so the encoder and the decoder can't drift apart. Every
decoder answers None (never an exception) for what this app did not write: a payload is
Slack's, and a forged or stale one is expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.turn import Action

DM_THREAD = "dm"
PROSPECT_PREFIX = "bot."
CLOSE_VIEW = "handoff_close"  # callback_id of the modal an owner closes a handoff with


class AgentAction(StrEnum):
    """The buttons on an agent-channel card; the value is the action id Slack sends back."""

    CLAIM = "handoff.claim"
    RELEASE = "handoff.release"
    ASSIGN = "handoff.assign"   # a users_select: Slack sends the chosen user, not a value
    CLOSE = "handoff.close"
    REOPEN = "handoff.reopen"
    START_QUOTE = "home.start_quote"  # App Home, for prospects: start an estimate in a DM


# -- conversation keys ---------------------------------------------------------------------


def conversation_key(team: str, channel: str, thread_ts: str | None) -> str:
    """team:channel:thread. A DM is one conversation (its thread is `dm`); a channel thread
    is another."""
    return f"{team}:{channel}:{thread_ts or DM_THREAD}"


def split_key(key: str) -> tuple[str, str | None]:
    """Conversation key -> (channel, thread root or None for a DM)."""
    _, channel, thread = key.split(":", 2)
    return channel, None if thread == DM_THREAD else thread


# -- button values -------------------------------------------------------------------------


def button_value(key: str, handoff_id: str) -> str:
    """A card button's value (and the close modal's metadata): which handoff of which
    conversation it acts on."""
    return f"{key}|{handoff_id}"


def parse_value(value: str) -> tuple[str, str]:
    key, _, handoff_id = value.rpartition("|")
    return key, handoff_id


# -- prospect action ids -------------------------------------------------------------------


def encode_action(action: Action, index: int) -> str:
    """`bot.<action>.<index>`: the index keeps ids unique within a message (Slack requires it)."""
    return f"{PROSPECT_PREFIX}{action}.{index}"


def action_name(action_id: str) -> str:
    """The name part of a prospect action id, as sent (`bot.plan.2` -> `plan`); "" if none."""
    parts = action_id.split(".")
    return parts[1] if action_id.startswith(PROSPECT_PREFIX) and len(parts) > 1 else ""


def decode_action(action_id: str) -> Action | None:
    """The Action a prospect button stands for; None for an id this app did not make."""
    return Action.parse(action_name(action_id))


# -- which reply a button belongs to ---------------------------------------------------------

REPLY_BLOCK = "r:"


def block_prefix(reply_id: str | None, name: str) -> str:
    """The block id prefix of a reply's buttons: `r:<reply id>:<name>` (Slack appends the row
    as `-<n>`), or just `name` for a message that is not an outbox reply."""
    return f"{REPLY_BLOCK}{reply_id}:{name}" if reply_id else name


def reply_id_of(block_id: str) -> str | None:
    """The reply id a clicked button's block carries; None for a block this app did not mark."""
    if not block_id.startswith(REPLY_BLOCK):
        return None
    reply_id, sep, _ = block_id[len(REPLY_BLOCK):].rpartition(":")
    return reply_id if sep and reply_id else None


# -- payloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Click:
    """One button click (block_actions), with what every listener reads from it."""

    action_id: str
    value: str
    label: str  # the button's text (or the chosen option's): what the prospect "said"
    channel: str
    message_ts: str
    root: str | None  # the conversation's thread root; None in a DM
    user_id: str
    user_name: str
    user_team: str | None
    trigger_id: str | None
    message_text: str
    message_blocks: list[dict[str, Any]]
    reply_id: str | None = None  # the reply whose button it was (from the block id)
    selected_user: str | None = None  # a users_select's choice (the card's "assign to")
    view_type: str | None = None  # "home" for a click in App Home (no channel, no message)

    @property
    def action(self) -> Action | None:
        return decode_action(self.action_id)

    @property
    def name(self) -> str:
        """The action's name as sent, known or not (see `action_name`)."""
        return action_name(self.action_id)


def parse_click(body: dict[str, Any]) -> Click:
    action = body["actions"][0]
    option = action.get("selected_option") or {}
    container = body.get("container") or {}
    message = body.get("message") or {}
    user = body.get("user") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    message_ts = container.get("message_ts") or message.get("ts", "")
    is_dm = channel.startswith("D")
    return Click(
        action_id=action.get("action_id", ""),
        value=action.get("value") or option.get("value") or "",
        label=((action.get("text") or {}).get("text")) or (option.get("text") or {}).get("text", ""),
        channel=channel,
        message_ts=message_ts,
        root=None if is_dm else (message.get("thread_ts") or container.get("thread_ts") or message_ts),
        user_id=user.get("id", ""),
        user_name=user.get("name") or user.get("username") or "",
        user_team=user.get("team_id"),
        trigger_id=body.get("trigger_id"),
        message_text=message.get("text") or "",
        message_blocks=message.get("blocks") or [],
        reply_id=reply_id_of(action.get("block_id") or ""),
        selected_user=action.get("selected_user"),
        view_type=(body.get("view") or {}).get("type") if container.get("type") == "view" else None,
    )


@dataclass(frozen=True)
class CloseSubmission:
    """The close modal, submitted: who, which handoff (the modal's metadata), which outcome."""

    user_id: str
    user_team: str | None
    value: str
    outcome: str
    note: str | None = None  # the owner's internal note (agents only)


def parse_close(body: dict[str, Any], view: dict[str, Any]) -> CloseSubmission:
    user = body.get("user") or {}
    values = (view.get("state") or {}).get("values") or {}
    outcome = ((values.get("outcome") or {}).get("value") or {}).get("selected_option", {}).get("value") or "answered"
    note = (((values.get("note") or {}).get("value") or {}).get("value") or "").strip() or None
    return CloseSubmission(user.get("id", ""), user.get("team_id"), view.get("private_metadata", ""), outcome, note)
