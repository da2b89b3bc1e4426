"""`python -m bot serve`: the Slack app over HTTP (Events API, interactivity, commands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve Slack over HTTP on $PORT (requests at /slack/events)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.logs import configure
    from bot.slack.server import serve

    configure()
    return serve()
