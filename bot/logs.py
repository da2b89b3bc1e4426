"""Logging set-up. Logs carry kinds, states and hashed keys: no message text, no names."""

from __future__ import annotations

import logging
import os


def configure() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # slack_sdk logs request bodies at DEBUG; keep it above that even when we debug.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, logging.getLogger().level))
