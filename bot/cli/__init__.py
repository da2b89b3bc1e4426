"""Command line: one module per command, each exposing `register(subparsers)`.

A command's parser sets `func`, a callable taking the parsed args and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["chat", "understand", "quote", "faq", "check_content", "serve", "socket", "handoffs"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Cyber-insurance quote bot")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"bot.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
