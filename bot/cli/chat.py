"""`python -m bot chat`: talk to the bot in a terminal, or drive it line by line (--jsonl).

What each line does is TerminalChat's (bot/cli/terminal_agent.py); this module reads lines and
shows replies: `bot:`, `agent:` (what the terminal's user wrote as the agent) and `note:` (the
terminal's own remarks), or one JSON object each."""

from __future__ import annotations

import argparse
import json
import sys
import uuid

from bot.app_context import build_runtime
from bot.cli.terminal_agent import AGENT, NOTE, TerminalChat
from bot.turn import Choice, Inbound, Outbound

EMBEDDED_NOTE = "(REDIS_URL is not set: using an embedded in-process store; conversations end when this program does)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="chat with the bot in the terminal")
    p.add_argument("--jsonl", action="store_true", help="one message per stdin line; one JSON object per reply")
    p.add_argument("--conversation", help="conversation id to continue (default: a new one)")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="language of the opening greeting")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runtime = build_runtime(require_redis=False)
    if runtime.embedded:
        print(EMBEDDED_NOTE, file=sys.stderr)
    key = f"local:terminal:{args.conversation or uuid.uuid4().hex[:12]}"
    terminal = TerminalChat(runtime, key, args.lang)
    if args.jsonl:
        return _jsonl(terminal)
    return _interactive(terminal)


def _jsonl(terminal: TerminalChat) -> int:
    for line in sys.stdin:
        for out in terminal.turn(Inbound(text=line.rstrip("\r\n"))):
            sys.stdout.write(json.dumps(_as_json(out), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _as_json(out: Outbound) -> dict[str, object]:
    """A reply's fields; the agent's lines add "from", the terminal's own notes "kind"."""
    data = out.as_json()
    if out.kind == AGENT:
        data["from"] = "agent"
    elif out.kind == NOTE:
        data["kind"] = NOTE
    return data


def _interactive(terminal: TerminalChat) -> int:
    print("(type a message; a number picks a button; Ctrl-D to quit)", file=sys.stderr)
    choices = _show(terminal.start())
    while True:
        try:
            text = input("> ")
        except EOFError:
            print()
            return 0
        picked = _pick(choices, text)
        inbound = Inbound(text=picked.label, action=picked.action, value=picked.value) if picked else Inbound(text=text)
        choices = _show(terminal.turn(inbound)) or choices


SPEAKERS = {AGENT: "agent", NOTE: "note"}


def _show(outs: list[Outbound]) -> list[Choice]:
    choices: list[Choice] = []
    for out in outs:
        print(f"\n{SPEAKERS.get(out.kind, 'bot')}: {out.text}")
        if out.choices:
            choices = out.choices
            print("     " + "  ".join(f"[{i}] {c.label}" for i, c in enumerate(choices, 1)))
    return choices


def _pick(choices: list[Choice], text: str) -> Choice | None:
    t = text.strip()
    if t.isdigit() and len(t) <= 2 and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1]
    return None
