"""Command line: one module per command, each exposing `register(subparsers)`.

A command's parser sets `func`, a callable taking the parsed args and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["chat", "understand", "quote", "faq", "check_content", "serve", "socket", "handoffs", "stats", "forget"]


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


def _utf8_streams() -> None:
    """QA scripts pipe UTF-8 whatever the locale says; an undecodable byte becomes U+FFFD and
    gets a polite reply instead of killing the run."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _utf8_streams()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
