"""Run the real Slack app (`python -m bot serve`) against the simulator and a test Redis; helpers
for reading what the app posted, shared with the in-process tests."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.conftest import ROOT, cli_env
from tests.redis_server import free_port, stop_process
from tests.slack_sim import FakeSlackAPI, SlackDriver
from tests.slack_sim.inproc import AGENT_CHANNEL, SIGNING_SECRET


def app_env(fake: FakeSlackAPI, redis_url: str, port: int, **extra: str) -> dict[str, str]:
    settings = {
        "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
        "REDIS_URL": redis_url, "AGENT_CHANNEL_ID": AGENT_CHANNEL, "PORT": str(port),
        "WEB_CONCURRENCY": "1", "WEB_THREADS": "4",
    }
    return cli_env(**{**settings, **extra})  # a test's own value wins


class AppProcess:
    """One `python -m bot serve` process; its log goes to a temp file shown on failure."""

    def __init__(self, fake: FakeSlackAPI, redis_url: str, **extra_env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bot-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=ROOT,
            env=app_env(fake, redis_url, self.port, **extra_env),
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        # start-up builds the FAQ index twice; slow on a busy machine
        wait_until_healthy(self.proc, self.url, 90, "app", self.output, self.stop)

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def driver(self, fake: FakeSlackAPI) -> SlackDriver:
        return SlackDriver(self.events_url, SIGNING_SECRET, fake_api=fake, bot_user_id="U_BOT")

    def output(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-5000:]

    def stop(self) -> None:
        stop_process(self.proc, timeout=10)


def wait_until_healthy(proc: subprocess.Popen, url: str, timeout: float, what: str,
                       output: Callable[[], str], stop: Callable[[], None]) -> None:
    """Until a served process answers 200 on /healthz. It exiting, or `timeout` seconds
    passing (then it is stopped), is a RuntimeError that shows its log."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited {proc.returncode}:\n{output()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"{what} did not become healthy:\n{output()}")
        time.sleep(0.05)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button element of a posted message, in order."""
    return [e for b in message.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]
            if e.get("type") == "button"]


def button_labels(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(message)]


def click(slack: SlackDriver, user: str, message: dict[str, Any], label: str, **kw: Any):
    """Click the button labelled `label` on a message the fake API recorded as posted (Slack
    sends the button's action id, value and the id of the block it sits in)."""
    matches = [(blk.get("block_id"), b) for blk in message.get("blocks") or [] if blk.get("type") == "actions"
               for b in blk["elements"] if b.get("type") == "button" and b["text"]["text"] == label]
    assert matches, f"no button {label!r} in {button_labels(message)}"
    block_id, b = matches[0]
    if block_id:
        kw.setdefault("block_id", block_id)
    original = {"type": "message", "user": "U_BOT", "bot_id": "B_BOT", "text": message.get("text", ""),
                "ts": message["ts"], "blocks": message.get("blocks") or []}
    if message.get("thread_ts"):
        original["thread_ts"] = message["thread_ts"]
    return slack.block_action(user, b["action_id"], b.get("value"), channel=message["channel"],
                              message_ts=message["ts"], thread_ts=message.get("thread_ts"),
                              message=original, text=label, **kw)


def message_text(message: dict[str, Any]) -> str:
    """Everything a person reads in a posted message: fallback text and block texts."""
    parts = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                parts.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(message.get("blocks") or [])
    return "\n".join(parts)


def eventually(probe, timeout: float = 8.0, interval: float = 0.02):
    """Poll `probe` until it returns something truthy (the app works after its HTTP ack)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


def posts(fake, channel, thread_ts=None, count=1, timeout=8.0):
    calls = fake.wait_for("chat.postMessage",
                          lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts,
                          count=count, timeout=timeout)
    return [dict(c.params, ts=c.response["ts"]) for c in calls if c.response.get("ok")]


def card_for(fake, count=1):
    """The handoff cards posted to the agent channel (top-level messages with a header)."""
    calls = fake.wait_for("chat.postMessage",
                          lambda c: c.params.get("channel") == AGENT_CHANNEL and c.response.get("ok")
                          and any(b.get("type") == "header" for b in c.params.get("blocks") or []),
                          count=count, timeout=10)
    return [dict(c.params, ts=c.response["ts"]) for c in calls]


def handoff_of(redis_server, channel, root):
    from bot.store import connect

    conv = connect(redis_server.url).load(f"T_HOME:{channel}:{root}")
    return conv.handoff if conv else None
