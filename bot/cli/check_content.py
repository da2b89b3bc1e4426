"""`python -m bot check-content`: validate every content file; non-zero with file and field."""

from __future__ import annotations

import argparse
import time

from bot.app_context import load_content_or_exit
from bot.understanding.faq import FaqIndex


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-content", help="validate every content file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    content = load_content_or_exit()
    started = time.perf_counter()
    FaqIndex.build(content.faq)
    took = (time.perf_counter() - started) * 1000
    print(
        f"content OK ({content.directory}): {len(content.rates.industries)} rated industries, "
        f"{len(content.faq.entries)} FAQ entries, {len(content.messages.messages)} messages; "
        f"FAQ index built in {took:.0f} ms"
    )
    return 0
