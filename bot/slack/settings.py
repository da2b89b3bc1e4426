"""Settings from the environment, validated before anything starts.

Every variable the served app reads is checked here: the Slack ones, the server's (HOST, PORT,
WEB_CONCURRENCY, WEB_THREADS), logging's (LOG_LEVEL, LOG_MESSAGE_TEXT), Redis's (REDIS_URL,
REDIS_CLUSTER), the inbox's and the limits' (INBOX_SHARDS, RATE_LIMIT_PER_MINUTE,
CONVERSATION_TTL_DAYS), the agent desk's (HANDOFF_REMIND_MINUTES, HANDOFF_REMIND_MAX_MINUTES,
URGENT_REMIND_MINUTES, ONCALL_MENTION,
POST_INTERVAL_SECONDS, BUSINESS_HOURS, BUSINESS_TIMEZONE, CLOSED_DAYS), which
channels the bot answers everything in (ANSWER_ALL_CHANNELS), and whether `serve` answers
GET /metrics (METRICS). A missing or malformed value stops start-up with
a message naming every bad variable, so an operator fixes them in one go rather than one restart
at a time.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

Mode = Literal["http", "socket"]
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_HOST = "0.0.0.0"
REDIS_URL_PATTERN = r"(redis|rediss|unix|redis\+cluster|rediss\+cluster)://.+"  # bot.redis_client.CLUSTER_SCHEMES too

# One DNS label: letters, digits and inner hyphens, 1 to 63 characters (RFC 1123).
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


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
    # Defaults, so settings built by hand (tests) need not name them.
    host: str = DEFAULT_HOST
    web_concurrency: int = 2
    web_threads: int = 8
    log_level: str = "info"
    rate_limit_per_minute: int = 20
    inbox_shards: int = 8
    redis_cluster: bool = False
    inbox_claim_idle_seconds: float = 30.0
    # Channels where every top-level message is a request for the bot (an internal
    # #ask-cyber-insurance); elsewhere only what reads as something the bot serves.
    answer_all_channels: frozenset[str] = frozenset()
    remind_max_minutes: float = 120.0   # the longest gap between reminders of a normal handoff
    urgent_remind_minutes: float = 5.0  # an urgent one is re-announced this often until claimed
    oncall_mention: str = ""            # mrkdwn that notifies the on-call agents (<!subteam^S…>, <@U…>)
    # Slack allows about one message a second per channel; 0 switches the pacing off (a benchmark
    # that measures the bot's own work, or a workspace whose app has a higher allowance).
    post_interval_seconds: float = 1.0
    metrics: bool = True  # GET /metrics on the serving port (Prometheus text); METRICS=0: 404

    @property
    def bind(self) -> str:
        """`host:port` as a server binds it, an IPv6 address in brackets (`[::1]:3000`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


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
    redis_url = need("REDIS_URL", REDIS_URL_PATTERN,
                     "e.g. redis://localhost:6379/0, or redis+cluster://node:6379 for a Redis Cluster. Slack needs a real Redis")
    redis_cluster = _redis(env, redis_url, problems)

    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append("SLACK_API_URL is malformed (an http(s) URL such as https://slack.com/api/)")
    if not api_url.endswith("/"):
        api_url += "/"

    host = _host(env, problems)
    port = _int(env, "PORT", 3000, 1, 65535, problems)
    web_concurrency = _int(env, "WEB_CONCURRENCY", 2, 1, 64, problems)
    web_threads = _int(env, "WEB_THREADS", 8, 1, 256, problems)
    log_level = _logging(env, problems)
    rate_limit = _int(env, "RATE_LIMIT_PER_MINUTE", 20, 1, 1_000_000, problems)
    inbox_shards = _int(env, "INBOX_SHARDS", 8, 1, 64, problems)
    _int(env, "CONVERSATION_TTL_DAYS", 30, 1, 36_500, problems)  # applied by bot.app_context
    remind = _number(env, "HANDOFF_REMIND_MINUTES", 10.0, 0.01, 24 * 60, "minutes", problems)
    # How long an inbox entry a worker took may sit unfinished before another worker takes it
    # over (the worker died): longer than any turn takes.
    claim_idle = _number(env, "INBOX_CLAIM_IDLE_SECONDS", 30.0, 1, 3600, "seconds", problems)
    remind_max = _number(env, "HANDOFF_REMIND_MAX_MINUTES", 120.0, 0.01, 7 * 24 * 60, "minutes", problems)
    urgent_remind = _number(env, "URGENT_REMIND_MINUTES", 5.0, 0.01, 24 * 60, "minutes", problems)
    oncall = _oncall(env, problems)
    post_interval = _number(env, "POST_INTERVAL_SECONDS", 1.0, 0, 60, "seconds", problems)
    _hours(env, problems)  # applied by bot.app_context (the engine tells prospects the hours)
    answer_all = _channel_ids(env, "ANSWER_ALL_CHANNELS", problems)
    metrics = _switch(env, "METRICS", True, "serve GET /metrics", problems)
    if answer_all and agent_channel in answer_all:
        problems.append("ANSWER_ALL_CHANNELS must not include AGENT_CHANNEL_ID (agents talk there; the bot only relays)")
    if problems:
        raise SettingsError("; ".join(problems))
    return SlackSettings(bot_token, signing_secret, app_token, api_url, redis_url, agent_channel, port, remind,
                         host=host, web_concurrency=web_concurrency, web_threads=web_threads, log_level=log_level,
                         rate_limit_per_minute=rate_limit, inbox_shards=inbox_shards, redis_cluster=redis_cluster,
                         inbox_claim_idle_seconds=claim_idle, answer_all_channels=answer_all,
                         remind_max_minutes=remind_max, urgent_remind_minutes=urgent_remind, oncall_mention=oncall,
                         post_interval_seconds=post_interval, metrics=metrics)


def _switch(env: dict[str, str], name: str, default: bool, what: str, problems: list[str]) -> bool:
    """1 or 0 (empty: the default)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw not in ("0", "1"):
        problems.append(f"{name} must be 1 ({what}) or 0 (off), got {raw[:20]!r}")
        return default
    return raw == "1"


def _oncall(env: dict[str, str], problems: list[str]) -> str:
    """ONCALL_MENTION: a user group ID (S…) or user IDs (U…/W…), comma- or space-separated;
    rendered as the mentions Slack notifies (<!subteam^S…>, <@U…>). Empty: nobody is mentioned."""
    raw = env.get("ONCALL_MENTION", "").strip()
    parts = [p.strip("<>@!").removeprefix("subteam^") for p in re.split(r"[\s,]+", raw) if p]
    bad = [p for p in parts if not re.fullmatch(r"[SUW][A-Z0-9]{2,}", p)]
    if bad:
        problems.append("ONCALL_MENTION must list a user group ID (S0123456789) or user IDs (U0123456789), "
                        f"separated by commas; not {bad[0][:20]!r}")
        return ""
    return " ".join(f"<!subteam^{p}>" if p.startswith("S") else f"<@{p}>" for p in parts)


def _hours(env: dict[str, str], problems: list[str]) -> None:
    from bot.hours import HoursError, from_env

    try:
        from_env(env)
    except HoursError as exc:
        problems.append(str(exc))


def _channel_ids(env: dict[str, str], name: str, problems: list[str]) -> frozenset[str]:
    """A comma- or space-separated list of channel IDs (C… or G…); empty by default."""
    raw = env.get(name, "").strip()
    ids = [part for part in re.split(r"[\s,]+", raw) if part]
    bad = [part for part in ids if not re.fullmatch(r"[CG][A-Z0-9]{2,}", part)]
    if bad:
        shown = ", ".join(repr(b[:20]) for b in bad[:3])
        problems.append(f"{name} must list channel IDs such as C0123456789, separated by commas; not {shown}")
        return frozenset()
    return frozenset(ids)


def _int(env: dict[str, str], name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", raw) or not low <= int(raw) <= high:  # ASCII digits only ("²" isdigit)
        problems.append(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
        return default
    return int(raw)


def _number(env: dict[str, str], name: str, default: float, low: float, high: float, unit: str,
            problems: list[str]) -> float:
    """A number of `unit`, decimals allowed (0.5 minutes = 30 s), from `low` to `high`."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not low <= value <= high:  # also refuses nan
        problems.append(f"{name} must be a number of {unit} from {low:g} to {high:g}, got {raw!r}")
        return default
    return value


def _host(env: dict[str, str], problems: list[str]) -> str:
    """HOST: the address to listen on, an IPv4 or IPv6 address (brackets allowed) or a hostname."""
    raw = env.get("HOST", "").strip()
    if not raw:
        return DEFAULT_HOST
    bare = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    labels = raw[:-1].split(".") if raw.endswith(".") else raw.split(".")
    if len(raw) <= 253 and all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit():
        return raw  # a hostname (an all-digit last label would be a mistyped IPv4 address)
    problems.append(f"HOST must be an IP address (e.g. 0.0.0.0 or ::) or a hostname, got {raw!r}")
    return DEFAULT_HOST


def _logging(env: dict[str, str], problems: list[str]) -> str:
    """LOG_LEVEL and LOG_MESSAGE_TEXT, as bot.logs reads them (each checked on its own, so both
    are reported when both are wrong); the level's name in lower case, as gunicorn takes it."""
    from bot.logs import LogSettingsError, read_settings

    for name in ("LOG_LEVEL", "LOG_MESSAGE_TEXT"):
        try:
            read_settings({name: env[name]} if name in env else {})
        except LogSettingsError as exc:
            problems.append(str(exc))
    level = (env.get("LOG_LEVEL") or "").strip().lower() or "info"
    return level if level in ("debug", "info", "warning", "error", "critical") else "info"


def _redis(env: dict[str, str], redis_url: str, problems: list[str]) -> bool:
    """REDIS_CLUSTER as bot.redis_client reads it, and REDIS_URL as redis-py would parse it."""
    from redis.connection import parse_url

    from bot.redis_client import RedisUrlError, is_cluster, plain_url

    try:
        cluster = is_cluster(redis_url, env)
    except RedisUrlError as exc:
        problems.append(f"{exc} (or true/false, yes/no)")
        return False
    if not re.fullmatch(REDIS_URL_PATTERN, redis_url):
        return cluster  # already reported as not set or malformed
    if cluster and redis_url.startswith("unix://"):
        problems.append("REDIS_URL must be redis://, rediss://, redis+cluster:// or rediss+cluster:// "
                        "for a Redis Cluster (REDIS_CLUSTER is on), not a unix socket")
        return cluster
    try:
        parse_url(plain_url(redis_url))
    except ValueError as exc:
        problems.append(f"REDIS_URL is malformed: {exc}")
    return cluster
