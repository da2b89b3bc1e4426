"""Slack settings from the environment, validated before anything starts.

A missing or malformed value stops start-up with a message naming every bad variable, so an
operator fixes them in one go rather than one restart at a time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

Mode = Literal["http", "socket"]
DEFAULT_API_URL = "https://slack.com/api/"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    app_token: str
    api_url: str
    redis_url: str
    agent_channel_id: str
    port: int
    remind_minutes: float


def load_settings(mode: Mode, env: dict[str, str] | None = None) -> SlackSettings:
    env = dict(os.environ) if env is None else env
    problems: list[str] = []

    def need(name: str, pattern: str, hint: str, required: bool = True) -> str:
        value = env.get(name, "").strip()
        if not value:
            if required:
                problems.append(f"{name} is not set ({hint})")
            return ""
        if not re.fullmatch(pattern, value):
            problems.append(f"{name} is malformed ({hint})")
        return value

    bot_token = need("SLACK_BOT_TOKEN", r"xoxb-[A-Za-z0-9-]+", "a bot token starting with xoxb-")
    signing_secret = need("SLACK_SIGNING_SECRET", r"[A-Za-z0-9]{8,}", "the app's signing secret", required=mode == "http")
    app_token = need("SLACK_APP_TOKEN", r"xapp-[A-Za-z0-9-]+", "an app-level token starting with xapp-, scope connections:write", required=mode == "socket")
    agent_channel = need("AGENT_CHANNEL_ID", r"[CG][A-Z0-9]{2,}", "the agent channel's ID, e.g. C0123456789")
    redis_url = need("REDIS_URL", r"(redis|rediss|unix)://.+", "e.g. redis://localhost:6379/0; Slack needs a real Redis")

    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append("SLACK_API_URL is malformed (an http(s) URL such as https://slack.com/api/)")
    if not api_url.endswith("/"):
        api_url += "/"

    port = _int(env, "PORT", 3000, 1, 65535, problems)
    remind = _minutes(env, "HANDOFF_REMIND_MINUTES", 10.0, problems)
    if problems:
        raise SettingsError("; ".join(problems))
    return SlackSettings(bot_token, signing_secret, app_token, api_url, redis_url, agent_channel, port, remind)


def _int(env: dict[str, str], name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems.append(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
        return default
    return int(raw)


def _minutes(env: dict[str, str], name: str, default: float, problems: list[str]) -> float:
    """Minutes, decimals allowed (0.5 = 30 s), from 0.6 s to a day."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.01 <= value <= 24 * 60:
        problems.append(f"{name} must be a number of minutes from 0.01 to 1440, got {raw!r}")
        return default
    return value
