"""Redis round trips of one quote dialogue, message by message, with the commands each sent.

Run from the repository root: `.venv/bin/python benchmarks/round_trips.py`

It starts a throwaway redis-server, the in-process app as served (durable inbox, outbox,
channel pacing on) against the fake Slack Web API, and sends a prospect's six-message
dialogue in a shared channel's thread. Every packet redis-py sends (one command, one pipeline
or one script call) is a round trip; they are attributed to the message being handled and
printed with their command names, so what stands between a message and its reply is visible.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis.connection  # noqa: E402

from tests.redis_server import RedisServer  # noqa: E402
from tests.slack_sim.fake_api import FakeSlackAPI  # noqa: E402
from tests.slack_sim.inproc import InProcessApp  # noqa: E402

DIALOGUE = ["見積もりをお願いします", "売上は5億円です", "製造業です", "補償内容を教えてください",
            "プラン2との違いは何ですか", "ありがとうございました"]
CHANNEL = "CSHARED1"
PROSPECT = "UPROS1"
_NAME = re.compile(rb"\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n")

log: list[tuple[float, str, list[str]]] = []
lock = threading.Lock()


def _patch() -> None:
    original = redis.connection.AbstractConnection.send_packed_command

    def send(self, command, check_health=True):  # type: ignore[no-untyped-def]
        data = b"".join(command) if isinstance(command, (list, tuple)) else command
        names = [n.decode().upper() for n in _NAME.findall(data)]
        with lock:
            log.append((time.monotonic(), threading.current_thread().name, names))
        return original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = send


def main() -> int:
    server = RedisServer()
    try:
        from bot.app_context import build_runtime

        runtime = build_runtime(require_redis=True, redis_url=server.url)
        with FakeSlackAPI(users={PROSPECT: {"name": "hanako", "team_id": "T_CUST"}}) as fake:
            bot = InProcessApp(runtime, fake, server.url, durable=True, post_interval_seconds=1.0, settle=False)
            try:
                _patch()
                time.sleep(2.5)  # let the reader settle into its blocking read
                root = None
                per_message: dict[int, list[list[str]]] = defaultdict(list)
                for n, text in enumerate(DIALOGUE):
                    posts = len(fake.calls_to("chat.postMessage"))
                    start = len(log)
                    if root is None:
                        _, _, root = bot.slack.message(CHANNEL, PROSPECT, text)
                    else:
                        bot.slack.message(CHANNEL, PROSPECT, text, thread_ts=root)
                    deadline = time.monotonic() + 10
                    while len(fake.calls_to("chat.postMessage")) <= posts and time.monotonic() < deadline:
                        time.sleep(0.005)
                    time.sleep(1.2)  # the finish and anything after the post; and the pace
                    per_message[n] = [names for _, thread, names in log[start:] if names != ["XREADGROUP"] or thread != "inbox-reader"]
                    idle = [names for _, thread, names in log[start:] if names == ["XREADGROUP"] and thread == "inbox-reader"]
                    print(f"message {n + 1}: {len(per_message[n])} round trips (+{len(idle)} idle reader polls)")
                    for names in per_message[n]:
                        print("   ", " ".join(names))
                total = sum(len(v) for v in per_message.values())
                print(f"mean {total / len(DIALOGUE):.2f} round trips per message (idle reader polls not counted)")
                client = bot.ctx.store.redis
                keys = sorted(k.decode() for k in client.scan_iter("conv:*"))
                sizes = {k: int(client.memory_usage(k) or 0) for k in keys}
                print(f"the conversation's keys: {sum(sizes.values())} B (MEMORY USAGE)")
                for k, size in sizes.items():
                    print(f"    {size:6d} B  {k}  ({client.type(k).decode()})")
                if "--entries" in sys.argv:
                    for raw in client.lrange(next(k for k in keys if k.endswith(":transcript")), 0, -1):
                        print(f"    {len(raw):5d} B  {raw.decode()[:160]}")
            finally:
                bot.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
