"""`python -m bot chat`: talk to the bot in a terminal, or drive it line by line (--jsonl)."""

from __future__ import annotations

import argparse
import json
import sys
import uuid

from bot.app_context import build_runtime
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
    if args.jsonl:
        return _jsonl(runtime.engine, key)
    return _interactive(runtime.engine, key, args.lang)


def _jsonl(engine, key: str) -> int:
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        for out in engine.handle(key, Inbound(text=text)):
            if out.to_agent:
                continue
            sys.stdout.write(json.dumps(out.as_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _interactive(engine, key: str, lang: str) -> int:
    print("(type a message; a number picks a button; Ctrl-D to quit)", file=sys.stderr)
    choices = _show(engine.start(key, lang))
    while True:
        try:
            text = input("> ")
        except EOFError:
            print()
            return 0
        picked = _pick(choices, text)
        inbound = Inbound(text=picked.label, action=picked.action, value=picked.value) if picked else Inbound(text=text)
        choices = _show(engine.handle(key, inbound)) or choices


def _show(outs: list[Outbound]) -> list[Choice]:
    choices: list[Choice] = []
    for out in outs:
        if out.to_agent:
            continue
        print(f"\nbot: {out.text}")
        if out.choices:
            choices = out.choices
            print("     " + "  ".join(f"[{i}] {c.label}" for i, c in enumerate(choices, 1)))
    return choices


def _pick(choices: list[Choice], text: str) -> Choice | None:
    t = text.strip()
    if t.isdigit() and len(t) <= 2 and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1]
    return None
