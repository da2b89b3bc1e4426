"""Soak: many conversations through two served processes while a worker is killed and Redis
stalls; then every conversation is checked for its expected end, no reply posted twice and no
handoff lost.

Run from the repository root (it starts its own redis-server / 3-master Redis Cluster, the fake
Slack Web API and two `python -m bot serve` processes, and stops them after):

    .venv/bin/python benchmarks/soak.py [--conversations 1000] [--backend redis|cluster|both]

What it does, per backend:
- conversations of three kinds, each in its own DM (Slack paces posts per channel, the bot too):
  a quote in two messages (60%), an FAQ question (25%), a handoff the bot records, an agent
  claims and closes (15%); each message goes to one of the two processes at random, and one in
  ten is delivered a second time to the other (Slack's retry after a lost acknowledgement);
- a delivery answered with anything but 200 is delivered again as Slack would (retry 1, 2, 3;
  compressed here to 2 s, 4 s, 8 s apart instead of Slack's immediately / 1 min / 5 min);
- a third of the way in, one process's worker is killed with SIGKILL (gunicorn starts another;
  what it held is reclaimed by the other process after INBOX_CLAIM_IDLE_SECONDS);
- two thirds of the way in, Redis is stopped for 5 s (SIGSTOP/SIGCONT; on the cluster, one
  master);
- then: each conversation's bot replies (notices of the outage aside) are what its kind expects,
  no reply id was posted twice, every handoff reached "closed" with one card.
It prints the counts and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.slack.codec import button_value, conversation_key  # noqa: E402
from bot.store import connect  # noqa: E402
from tests.redis_cluster import RedisClusterServers  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402
from tests.slack_app import AGENT_CHANNEL, AppProcess, click  # noqa: E402
from tests.slack_sim import FakeSlackAPI  # noqa: E402

AGENTS = ["UAGENT1", "UAGENT2"]
HOME = "T_HOME"
NOTICE = "少し時間をおいて"
KINDS = [("quote", 0.60), ("faq", 0.25), ("handoff", 0.15)]
RETRY_GAPS = (2.0, 4.0, 8.0)
WAIT_REPLY = 60.0


class Posts:
    """The fake's chat.postMessage calls indexed by channel, read incrementally (the fake's own
    look-ups scan every call, which is slow with tens of thousands)."""

    def __init__(self, fake: FakeSlackAPI) -> None:
        self.fake, self.seen = fake, 0
        self.by_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.lock = threading.Lock()

    def refresh(self) -> None:
        with self.lock:
            calls = self.fake.calls[self.seen:]
            self.seen += len(calls)
            for c in calls:
                if c.method == "chat.postMessage" and isinstance(c.response, dict) and c.response.get("ok"):
                    self.by_channel[c.params.get("channel", "")].append(dict(c.params, ts=c.response["ts"]))

    def replies(self, channel: str) -> list[dict[str, Any]]:
        self.refresh()
        with self.lock:
            return [p for p in self.by_channel.get(channel, []) if NOTICE not in p.get("text", "")]

    def wait(self, channel: str, count: int, timeout: float = WAIT_REPLY) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.replies(channel)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise TimeoutError(f"{channel}: {len(self.replies(channel))} of {count} replies")


class Soak:
    def __init__(self, backend: str, conversations: int, seed: int) -> None:
        self.backend, self.n, self.rng = backend, conversations, random.Random(seed)
        self.counts: Counter[str] = Counter()
        self.ids = itertools.count(1)
        self.failures: list[str] = []

    # -- set-up -----------------------------------------------------------------------------

    def start(self) -> None:
        if self.backend == "cluster":
            self.cluster = RedisClusterServers()
            self.redis_url = self.cluster.url.replace("redis://", "redis+cluster://", 1)
            self.stall_pid = self.cluster.procs[0].pid
        else:
            self.server = RedisServer()
            self.redis_url = self.server.url
            self.stall_pid = self.server.proc.pid
        self.fake = FakeSlackAPI(users={a: {"name": a.lower(), "real_name": f"Agent {a[-1]}"} for a in AGENTS},
                                 channel_members={AGENT_CHANNEL: AGENTS + ["U_BOT"]}).start()
        env = {"WEB_CONCURRENCY": "2", "INBOX_CLAIM_IDLE_SECONDS": "3", "RATE_LIMIT_PER_MINUTE": "1000"}
        self.apps = [AppProcess(self.fake, self.redis_url, **env) for _ in range(2)]
        first = self.apps[0].driver(self.fake)
        self.drivers = [first, first.pointed_at(self.apps[1].events_url)]  # one Slack: either can redeliver
        self.posts = Posts(self.fake)
        self.store = connect(self.redis_url)

    def stop(self) -> None:
        for app in getattr(self, "apps", []):
            app.stop()
        self.fake.stop()
        (self.cluster if self.backend == "cluster" else self.server).stop()

    # -- Slack, delivering ------------------------------------------------------------------

    def deliver(self, channel: str, user: str, text: str) -> None:
        """One message as Slack sends it: to either process, retried on a non-200, sometimes
        delivered twice."""
        a, b = self.rng.sample(self.drivers, 2)
        event_id = f"EvS{next(self.ids):08d}"
        status = _status(lambda: a.message(channel, user, text, channel_type="im", event_id=event_id).response)
        self.counts["messages"] += 1
        for n, gap in enumerate(RETRY_GAPS, start=1):
            if status == 200:
                break
            self.counts[f"answered {status or 'nothing (connection lost)'}"] += 1
            time.sleep(gap)
            status = _status(lambda: b.redeliver(event_id, retry_num=n))
            self.counts["slack retries"] += 1
        if status != 200:
            self.counts["given up by slack"] += 1
            self.failures.append(f"{channel}: Slack gave up after {len(RETRY_GAPS)} retries")
        elif self.rng.random() < 0.10:
            _status(lambda: b.redeliver(event_id, retry_num=1))
            self.counts["duplicate deliveries"] += 1

    # -- conversations ----------------------------------------------------------------------

    def converse(self, n: int, kind: str) -> None:
        channel, user = f"DS{n:05d}", f"UP{n:05d}"
        try:
            if kind == "quote":
                self.deliver(channel, user, "見積もりをお願いします")
                self.posts.wait(channel, 1)
                self.deliver(channel, user, "売上5億の製造業です")
                got = self.posts.wait(channel, 2)
                if "5,860円" not in got[1]["text"]:
                    self.failures.append(f"{channel}: no quote")
            elif kind == "faq":
                self.deliver(channel, user, "ランサムウェアの被害は補償されますか?")
                self.posts.wait(channel, 1)
            else:
                self.deliver(channel, user, "担当者と話したい")
                self.posts.wait(channel, 1)
                self.work_handoff(channel)
            self.counts[f"{kind} done"] += 1
        except Exception as exc:  # recorded, then checked below
            self.failures.append(f"{channel} ({kind}): {type(exc).__name__}: {exc}")

    def work_handoff(self, channel: str) -> None:
        key = conversation_key(HOME, channel, None)
        conv = self._until(lambda: (c := self.store.load(key)) and c.handoff and c.handoff.card_ts and c)
        card_ts = conv.handoff.card_ts
        card = self._until(lambda: next((p for p in self.posts.by_channel.get(AGENT_CHANNEL, [])
                                         if p.get("ts") == card_ts), None) or self.posts.refresh())
        agent = self.rng.choice(AGENTS)
        click(self.rng.choice(self.drivers), agent, dict(card, channel=AGENT_CHANNEL), "担当する")
        self._until(lambda: (c := self.store.load(key)) and c.handoff.status == "claimed")
        selected = {"value": "answered", "text": {"type": "plain_text", "text": "answered"}}
        self.rng.choice(self.drivers).view_submission(
            agent, "handoff_close", private_metadata=button_value(key, conv.handoff.id),
            values={"outcome": {"value": {"type": "static_select", "selected_option": selected}}})
        self._until(lambda: (c := self.store.load(key)) and c.handoff.status == "closed")

    def _until(self, probe: Any, timeout: float = WAIT_REPLY) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = probe()
            except Exception:  # Redis stalled for a moment: look again
                got = None
            if got:
                return got
            time.sleep(0.05)
        raise TimeoutError("handoff did not get there")

    # -- faults -----------------------------------------------------------------------------

    def kill_a_worker(self) -> None:
        pid = self.apps[0].proc.pid
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == pid]
        if children:
            os.kill(children[0], signal.SIGKILL)
            self.counts["workers killed"] += 1

    def stall_redis(self, seconds: float = 5.0) -> None:
        os.kill(self.stall_pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.kill(self.stall_pid, signal.SIGCONT)
        self.counts["redis stalls (5 s)"] += 1

    # -- the run ----------------------------------------------------------------------------

    def run(self, concurrency: int = 24) -> bool:
        kinds = self.rng.choices([k for k, _ in KINDS], [w for _, w in KINDS], k=self.n)
        started = time.monotonic()
        with ThreadPoolExecutor(concurrency) as pool:
            futures = []
            for n, kind in enumerate(kinds):
                futures.append(pool.submit(self.converse, n, kind))
                if n == self.n // 3:
                    pool.submit(self.kill_a_worker)
                if n == 2 * self.n // 3:
                    threading.Thread(target=self.stall_redis, daemon=True).start()
            for f in futures:
                f.result()
        elapsed = time.monotonic() - started
        self.check(kinds)
        self.report(elapsed)
        return not self.failures

    def check(self, kinds: list[str]) -> None:
        time.sleep(2.0)  # anything still to come (a duplicate) would arrive now
        self.posts.refresh()
        expected = {"quote": 2, "faq": 1, "handoff": None}
        reply_ids: Counter[str] = Counter()
        for n, kind in enumerate(kinds):
            channel = f"DS{n:05d}"
            got = self.posts.replies(channel)
            for p in got:
                rid = ((p.get("metadata") or {}).get("event_payload") or {}).get("reply_id")
                if rid:
                    reply_ids[rid] += 1
            want = expected[kind]
            if kind == "handoff":
                conv = self.store.load(conversation_key(HOME, channel, None))
                if conv is None or conv.handoff is None or conv.handoff.status != "closed":
                    self.failures.append(f"{channel}: handoff lost or not closed")
                else:
                    self.counts["handoffs closed"] += 1
            elif len(got) != want:
                self.failures.append(f"{channel} ({kind}): {len(got)} replies, expected {want}")
        cards = [p for p in self.posts.by_channel.get(AGENT_CHANNEL, []) if not p.get("thread_ts")]
        self.counts["handoff cards"] = len(cards)
        self.counts["handoffs"] = kinds.count("handoff")
        if len(cards) != kinds.count("handoff"):
            self.failures.append(f"{len(cards)} cards for {kinds.count('handoff')} handoffs")
        twice = [rid for rid, c in reply_ids.items() if c > 1]
        self.counts["replies posted twice"] = len(twice)
        self.counts["replies"] = sum(reply_ids.values())
        if twice:
            self.failures.append(f"{len(twice)} replies posted twice, e.g. {twice[:3]}")
        notices = sum(1 for posts in self.posts.by_channel.values() for p in posts if NOTICE in p.get("text", ""))
        self.counts["outage notices"] = notices

    def report(self, elapsed: float) -> None:
        print(f"\n== soak on {self.backend}: {self.n} conversations in {elapsed:.1f} s ==")
        for name in sorted(self.counts):
            print(f"  {name:28s} {self.counts[name]}")
        print(f"  {'failures':28s} {len(self.failures)}")
        for f in self.failures[:20]:
            print(f"    - {f}")


def _status(send: Any) -> int:
    """The HTTP status of a delivery; 0 when the connection broke (a killed worker), which
    Slack treats like a timeout: it delivers again."""
    try:
        return send().status
    except OSError:
        return 0


def _ppid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--backend", choices=["redis", "cluster", "both"], default="both")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", help="also write the counts to this file")
    args = parser.parse_args()
    ok, results = True, {}
    for backend in (["redis", "cluster"] if args.backend == "both" else [args.backend]):
        soak = Soak(backend, args.conversations, args.seed)
        soak.start()
        try:
            ok = soak.run() and ok
        finally:
            soak.stop()
        results[backend] = {"counts": dict(soak.counts), "failures": soak.failures}
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
