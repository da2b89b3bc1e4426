"""`python -m bot forget <conversation-key>`: delete one conversation (a prospect's deletion
request): its state, transcript, outbox, handoff index entries and handoff card index.

Prints the key names and counts it deleted, never what they held. Exit 0 when something was
deleted, 1 when nothing was stored under the key, 2 when Redis can't be used.
"""

from __future__ import annotations

import argparse
import json

from bot.app_context import StartupError
from bot.erasure import forget_conversation
from bot.store import StoreUnavailable, connect


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forget", help="delete everything stored for one conversation (needs REDIS_URL)")
    p.add_argument("key", metavar="conversation-key",
                   help="the conversation's key, as `handoffs` lists it (e.g. T123:C456:1700000000.000100)")
    p.add_argument("--json", action="store_true", help="print {key name: count} as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    key = args.key.strip()
    if not key:
        raise StartupError("the conversation key is empty")
    try:
        store = connect()
    except StoreUnavailable as exc:
        raise StartupError(str(exc)) from None
    removed = forget_conversation(store.redis, key)
    if args.json:
        print(json.dumps(removed, ensure_ascii=False))
        return 0 if removed else 1
    if not removed:
        print(f"Nothing is stored for conversation {key}: nothing to delete "
              "(it may have expired, been forgotten already, or the key is mistyped).")
        return 1
    width = max(len(name) for name in removed)
    print(f"Forgot conversation {key}: deleted {len(removed)} key(s) or index entries.")
    for name, count in removed.items():
        print(f"  {name:<{width}}  {count}")
    card = next((name for name in removed if name.startswith("card:")), None)
    if card is not None:
        print("Note: the handoff card message itself is in Slack's agent channel; delete it there "
              "if the request covers it.")
    return 0
