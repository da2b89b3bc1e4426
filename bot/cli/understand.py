"""`python -m bot understand`: what the bot reads in a message (language, sales, industry,
intent, urgent).

A stable JSON-lines interface for QA scripts: feed many phrasings on stdin and compare, without
Slack or Redis. Each input line gives exactly one output line, flushed at once, so a script can
drive it interactively through a pipe.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.content import ContentError
from bot.content.bundle import Content, load_content
from bot.understanding.amounts import find_amount
from bot.understanding.industries import find_industry
from bot.understanding.intent_model import IntentModel
from bot.understanding.reading import build_intent_model, decide_intent, signals
from bot.normalize import detect_language


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "understand",
        help="print what the bot understands in a message (language, sales, industry, intent) as JSON",
        description='One JSON object per message: {"text", "lang", "sales_yen", "industry", "intent", "urgent"}.',
    )
    parser.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
    parser.add_argument("--jsonl", action="store_true", help="read one message per line on stdin")
    parser.set_defaults(func=run)


def understand(text: str, content: Content, model: IntentModel) -> dict[str, Any]:
    """The interface object for one message. `industry` is null both when none is named and
    when an industry we do not rate is named (the flow tells those apart, not QA). `intent` is
    what the message asks: an intent of content/intents.yaml, or `question` (about the product),
    `facts` or `other`; `urgent` says it reports an incident."""
    amount = find_amount(text)
    industry = find_industry(text, content.industries)
    verdict = decide_intent(text, signals(text, content), model)  # as the engine reads it
    return {
        "text": text,
        "lang": detect_language(text),
        "sales_yen": amount.yen if amount is not None else None,
        "industry": industry.key if industry is not None else None,
        "intent": verdict.intent.value if verdict.intent is not None else verdict.kind,
        "urgent": verdict.intent is not None and verdict.intent.value == "incident",
    }


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    try:
        content = load_content()
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 2
    model = build_intent_model(content)
    if args.jsonl:
        for line in sys.stdin:
            _emit(understand(line.rstrip("\r\n"), content, model))
        return 0
    if args.text is None:
        print("understand: give a message, or --jsonl to read messages from stdin", file=sys.stderr)
        return 2
    _emit(understand(args.text, content, model))
    return 0
