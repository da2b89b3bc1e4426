"""Block Kit builders: small pure functions from the engine's Outbound to Slack blocks.

Blocks are built with slack_sdk.models so Slack's limits (text lengths, element counts) are
checked when a message is built, not discovered as an API error in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)

from bot.slack.codec import CLOSE_VIEW, block_prefix, encode_action
from bot.turn import Choice, Outbound

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75


def escape(text: str) -> str:
    """Slack's three control characters; anything a prospect typed is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_text(text: str, limit: int = 3900) -> str:
    """The plain-text `text` every message carries (notifications, screen readers)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sections(text: str) -> list[Block]:
    """Text split on line boundaries into sections within Slack's 3,000-character limit."""
    blocks: list[Block] = []
    chunk = ""
    for line in escape(text).split("\n"):
        while len(line) > SECTION_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=line[:SECTION_LIMIT])))
            line = line[SECTION_LIMIT:]
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk.strip():
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    return blocks


def button(choice: Choice, index: int) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=choice.label[:BUTTON_TEXT_LIMIT], emoji=True),
        action_id=encode_action(choice.action, index),
        value=choice.value,
        style="primary" if choice.primary else None,
    )


def actions(choices: list[Choice], block_id: str = "choices") -> list[Block]:
    """Buttons in rows of at most 25 (Slack's per-block limit)."""
    rows = [choices[i : i + 25] for i in range(0, len(choices), 25)]
    return [
        ActionsBlock(block_id=f"{block_id}-{n}", elements=[button(c, n * 25 + i) for i, c in enumerate(row)])
        for n, row in enumerate(rows)
    ]


def reply_blocks(out: Outbound, reply_id: str | None = None) -> list[dict[str, Any]]:
    """Any reply: the quote as a card, everything else as text with its buttons. The buttons'
    block ids carry `reply_id`, so a click says which reply it was on (`parse_click`)."""
    if out.quote is not None and out.fields:
        return quote_blocks(out, reply_id)
    blocks = _sections(out.text) + actions(out.choices, block_prefix(reply_id, "choices"))
    return [b.to_dict() for b in blocks]


def retired_blocks(out: Outbound, note: str) -> list[dict[str, Any]]:
    """A reply as it was, without its buttons, and a short line saying a newer one took over."""
    kept = [b for b in reply_blocks(out) if b.get("type") != "actions"]
    kept.append(ContextBlock(elements=[MarkdownTextObject(text=escape(note)[:SECTION_LIMIT])]).to_dict())
    return kept


def quote_blocks(out: Outbound, reply_id: str | None = None) -> list[dict[str, Any]]:
    """The quote card, in reading order (a phone shows it top to bottom): the monthly premium
    as the header, both plans side by side (one field each), what it is based on, the notes,
    the caveat in small print, the buttons."""
    headline = out.headline or out.text.split("\n", 1)[0]
    fields = [MarkdownTextObject(text=f"*{escape(title)}*\n{escape(column)}"[:2000]) for title, column in out.fields]
    skip = {headline, out.note, out.basis}
    bullets = ("・", "• ")
    extra = [line for line in out.text.split("\n")[1:] if line and line not in skip and not line.startswith(bullets)]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=headline[:150], emoji=True)),
        SectionBlock(fields=fields[:10]),
    ]
    if out.basis:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(out.basis)[:SECTION_LIMIT])]))
    if extra:
        blocks += _sections("\n".join(extra))
    if out.note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(out.note)[:SECTION_LIMIT])]))
    blocks += actions(out.choices, block_prefix(reply_id, "quote"))
    return [b.to_dict() for b in blocks]


def answered_blocks(message_blocks: list[dict[str, Any]], receipt: str) -> list[dict[str, Any]]:
    """The clicked message with its buttons replaced by who chose what, so nothing can be
    clicked twice and the thread still reads well."""
    kept = [b for b in message_blocks if b.get("type") != "actions"]
    kept.append(ContextBlock(elements=[MarkdownTextObject(text=escape(receipt)[:SECTION_LIMIT])]).to_dict())
    return kept


@dataclass(frozen=True)
class CardButton:
    action_id: str
    label: str
    value: str
    style: str | None = None  # "primary", "danger" or None


@dataclass(frozen=True)
class CardPicker:
    """A users_select: the card's "assign to" control (Slack sends the chosen user)."""

    action_id: str
    placeholder: str


def handoff_card(
    header: str,
    intro: str,
    fields: list[tuple[str, str]],
    history_label: str,
    history: list[str],
    status: str,
    controls: list[CardButton | CardPicker],
) -> list[dict[str, Any]]:
    """The agent channel's card for one handoff: its state in the header, who and where in one
    line, the facts as fields, the conversation so far, what writing in the thread does, and
    the controls its state allows. `intro`, field values and `history` lines are mrkdwn the
    caller has escaped (so prospect text can't ping @channel or fake a link)."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=header[:150], emoji=True)),
        SectionBlock(text=MarkdownTextObject(text=intro[:SECTION_LIMIT])),
        SectionBlock(fields=[MarkdownTextObject(text=f"*{escape(l)}*\n{v}"[:2000]) for l, v in fields][:10]),
    ]
    if history:
        lines, size = [], len(history_label) + 4
        for line in reversed(history):  # the newest lines are the ones that must fit
            if size + len(line) + 3 > SECTION_LIMIT:
                break
            lines.insert(0, line)
            size += len(line) + 3
        quoted = "\n".join(f"> {line}" for line in lines)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{escape(history_label)}*\n{quoted}"[:SECTION_LIMIT])))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=status[:SECTION_LIMIT])]))
    elements: list[Any] = []
    for c in controls:
        if isinstance(c, CardButton):
            elements.append(ButtonElement(text=PlainTextObject(text=c.label[:BUTTON_TEXT_LIMIT], emoji=True),
                                          action_id=c.action_id, value=c.value[:2000], style=c.style))
        else:
            elements.append(UserSelectElement(action_id=c.action_id,
                                              placeholder=PlainTextObject(text=c.placeholder[:150], emoji=True)))
    if elements:
        blocks.append(ActionsBlock(block_id="handoff", elements=elements))
    return [b.to_dict() for b in blocks]


def close_modal(title: str, outcome_label: str, note_label: str, note_hint: str, submit: str, cancel: str,
                outcomes: list[tuple[str, str]], metadata: str) -> dict[str, Any]:
    """The modal an owner fills in to close a handoff: the outcome is required, an internal
    note (agents only; never shown to the prospect) is optional."""
    from slack_sdk.models.blocks import InputBlock, Option, PlainTextInputElement, StaticSelectElement
    from slack_sdk.models.views import View

    view = View(
        type="modal", callback_id=CLOSE_VIEW, private_metadata=metadata[:3000],
        title=PlainTextObject(text=title[:24]), submit=PlainTextObject(text=submit[:24]),
        close=PlainTextObject(text=cancel[:24]),
        blocks=[
            InputBlock(
                block_id="outcome", label=PlainTextObject(text=outcome_label[:2000]),
                element=StaticSelectElement(action_id="value", options=[
                    Option(value=key, text=PlainTextObject(text=label[:75])) for key, label in outcomes
                ]),
            ),
            InputBlock(
                block_id="note", label=PlainTextObject(text=note_label[:2000]), optional=True,
                hint=PlainTextObject(text=note_hint[:2000]),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            ),
        ],
    )
    return view.to_dict()
