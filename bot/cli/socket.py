"""`python -m bot socket`: the Slack app over Socket Mode (no public URL needed)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("socket", help="connect to Slack with Socket Mode (SLACK_APP_TOKEN)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.logs import configure
    from bot.slack.server import socket

    configure()
    return socket()
