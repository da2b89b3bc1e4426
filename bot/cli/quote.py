"""`python -m bot quote --sales N --industry KEY [--plan plan2]`: one quote as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from bot.app_context import load_content_or_exit
from bot.rating import PLANS, QuoteUnavailable, quote


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quote", help="price one quote and print it as JSON")
    p.add_argument("--sales", type=int, required=True, help="annual sales in yen")
    p.add_argument("--industry", required=True, help="industry key, e.g. manufacturing")
    p.add_argument("--plan", choices=PLANS, default="plan1")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the quote; 1 with `{"quote": null, "unavailable": reason}` when the bot would
    hand over instead (an unrated industry, sales outside the table). Notes on stderr say when
    a key is unknown (a typo?) and when the floor priced small sales."""
    content = load_content_or_exit()
    known = sorted(set(content.industries.industries) | set(content.rates.industries))
    if args.industry not in known:  # priced like any other unrated industry; the hint catches typos
        print(f"note: '{args.industry}' is not an industry key the bot knows (known: {', '.join(known)})", file=sys.stderr)
    try:
        q = quote(content.rates, args.industry, args.sales, args.plan)
    except QuoteUnavailable as exc:
        print(json.dumps({"quote": None, "unavailable": exc.reason.value}))
        return 1
    if q.rated_sales_yen != q.sales_yen:
        print(f"note: sales below the floor are priced as {q.rated_sales_yen} yen", file=sys.stderr)
    print(json.dumps(q.as_dict()))
    return 0
