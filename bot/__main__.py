"""`python -m bot <command>` and the `cyber-quote` console script: see bot/cli/."""

from bot.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
