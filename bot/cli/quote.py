"""`python -m bot quote --sales N --industry KEY [--plan plan2]`: one quote as JSON."""

from __future__ import annotations

import argparse
import json

from bot.app_context import load_content_or_exit
from bot.rating import PLANS, QuoteUnavailable, quote


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quote", help="price one quote and print it as JSON")
    p.add_argument("--sales", type=int, required=True, help="annual sales in yen")
    p.add_argument("--industry", required=True, help="industry key, e.g. manufacturing")
    p.add_argument("--plan", choices=PLANS, default="plan1")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    content = load_content_or_exit()
    try:
        q = quote(content.rates, args.industry, args.sales, args.plan)
    except QuoteUnavailable as exc:
        print(json.dumps({"quote": None, "unavailable": exc.reason.value}))
        return 1
    print(json.dumps(q.as_dict()))
    return 0
