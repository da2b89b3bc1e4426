"""End to end, as an operator would measure it: the served bot against Bolt's own floor.

Run from the repository root (it starts its own redis-server, the Slack simulator and the
servers, and stops them after):

    .venv/bin/python benchmarks/e2e.py [--prospects 200] [--rate 20] [--saturate 50] [--workers 1,2]
                                       [--seconds 20] [--json benchmarks/results/e2e.json]

For each worker count, twice: `python -m bot serve`, and benchmarks/echo_app.py (a minimal Bolt
app that echoes each message on the same server stack: gunicorn gthread, the same workers and
threads, Bolt's WSGI adapter). Each gets, as signed Slack events over HTTP:

- **open loop**: `--prospects` prospects, each in their own DM, going through a six-message
  dialogue (greeting, quote request, sales, industry: the quote, an FAQ question, thanks).
  Messages are offered at `--rate` a second in all (Poisson arrivals; each goes to a prospect
  who has had the answer to their previous one). For every message: the time from its delivery
  being sent until the reply reaches the simulator's Web API (p50, p95, p99, max);
- **saturated**: `--saturate` prospects, each sending its next message as soon as it has the
  reply to the last, for `--seconds`: replies per second. Several messages a second into one
  DM is what Slack's per-channel pace holds back by design, and the floor does not pace, so
  the bot runs this part with POST_INTERVAL_SECONDS=0 (the open loop runs as served, paced);
- CPU milliseconds per message (the server's processes: master and workers, from /proc) and
  peak RSS per worker (VmHWM);
- Redis commands per message (`INFO commandstats`) and round trips per message (the bot's own
  `bot_redis_round_trips_total` on /metrics: one per command or pipeline sent, blocking reads and
  the background sweeper included), and Redis bytes per finished conversation (`MEMORY USAGE`
  over the conversation's keys, its transcript included) with the whole of `used_memory` divided
  by the conversations for comparison;
- each worker's time from fork to ready (the bot logs "worker ready" with its duration).

It prints a table of both and their ratios and writes the figures as JSON. The targets are
ratios to the floor measured in the same run: p99 at the offered rate <= 1.5x, saturated
throughput >= 85%, <= 4 Redis round trips per message, <= 3 KB per conversation, workers ready
within 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bot.slack.codec import conversation_key  # noqa: E402
from tests.redis_server import RedisServer, free_port, stop_process  # noqa: E402
from tests.slack_app import wait_until_healthy  # noqa: E402
from tests.slack_sim import FakeSlackAPI  # noqa: E402
from tests.slack_sim.driver import SlackDriver  # noqa: E402
from tests.slack_sim.inproc import AGENT_CHANNEL, SIGNING_SECRET  # noqa: E402

HOME = "T_HOME"
REPLY_TIMEOUT = 30.0
GREETINGS = ["こんにちは", "はじめまして。サイバー保険について伺いたいです", "お世話になっております", "Hello"]
SALES = ["売上は1億円です", "年商3億円です", "売上5億円です", "売上高は8億円ほどです", "年間売上は20億円です"]
INDUSTRIES = ["製造業です", "小売業です", "卸売業です", "建設業です", "飲食業です"]
QUESTIONS = ["ランサムウェアの被害は補償されますか?", "保険料の支払い方法を教えてください", "補償の対象になる事故は?",
             "自己負担額はいくらですか", "加入の手続きはどうすればいいですか"]
THANKS = ["ありがとうございます", "助かりました", "検討します。ありがとうございました"]


def dialogue(rng: random.Random) -> list[str]:
    return [rng.choice(GREETINGS), "見積もりをお願いします", rng.choice(SALES), rng.choice(INDUSTRIES),
            rng.choice(QUESTIONS), rng.choice(THANKS)]


class TimedSlack(FakeSlackAPI):
    """The Slack simulator, also noting when the reply to each message arrives (by the
    `reply_id` both apps put in their replies' metadata: `channel:ts#n`)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.arrived: dict[str, float] = {}
        self.texts: dict[str, str] = {}
        self.arrival = threading.Condition()

    def _m_chat_postMessage(self, p: dict) -> dict:  # noqa: N802 (the fake's naming)
        now = time.monotonic()
        out = super()._m_chat_postMessage(p)
        reply_id = str(((p.get("metadata") or {}).get("event_payload") or {}).get("reply_id") or "")
        if reply_id:
            inbound = reply_id.rsplit("#", 1)[0]
            with self.arrival:
                if inbound not in self.arrived:
                    self.arrived[inbound] = now
                    self.texts[inbound] = p.get("text") or ""
                self.arrival.notify_all()
        return out

    def wait_reply(self, inbound: str, timeout: float = REPLY_TIMEOUT) -> float | None:
        with self.arrival:
            self.arrival.wait_for(lambda: inbound in self.arrived, timeout)
            return self.arrived.get(inbound)

    def forget(self) -> None:
        """Drop what earlier phases recorded (a long run would otherwise keep every call)."""
        with self._cond:
            self.calls.clear()
            self._store.clear()


class Server:
    """One served app (`kind` "bot" or "echo") under gunicorn, its log in a temp file."""

    def __init__(self, kind: str, workers: int, fake: FakeSlackAPI, redis_url: str, extra: dict[str, str]) -> None:
        self.kind, self.port = kind, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CONTENT_DIR")}
        env.update({
            "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url, "REDIS_URL": redis_url, "AGENT_CHANNEL_ID": AGENT_CHANNEL,
            "PORT": str(self.port), "WEB_CONCURRENCY": str(workers), "BUSINESS_HOURS": "always",
            "RATE_LIMIT_PER_MINUTE": "10000", **extra,
        })
        cmd = [sys.executable, "-m", "bot", "serve"] if kind == "bot" else [sys.executable, str(ROOT / "benchmarks" / "echo_app.py")]
        self.log = tempfile.NamedTemporaryFile(prefix=f"e2e-{kind}-", suffix=".log", delete=False)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_healthy(self.proc, self.url, 120, kind, self.output, self.stop)
        self.healthy_after = time.monotonic() - self.started
        # every worker up (gunicorn answers /healthz from the first one that is)
        deadline = time.monotonic() + 60
        while len(self.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.05)

    def output(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def workers(self) -> list[int]:
        return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == self.proc.pid]

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.proc.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total / tick

    def peak_rss_mb(self) -> list[float]:
        out = []
        for pid in self.workers():
            try:
                m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
                if m:
                    out.append(round(int(m.group(1)) / 1024, 1))
            except OSError:
                pass
        return out

    def ready_ms(self) -> list[float]:
        """Each worker's fork-to-ready time, from the bot's "worker ready" log lines."""
        out = []
        for line in self.output().splitlines():
            if '"worker ready"' in line or "worker ready" in line:
                try:
                    rec = json.loads(line[line.index("{"):])
                except ValueError:
                    continue
                ms = rec.get("duration_ms") or (rec.get("fields") or {}).get("duration_ms")
                if ms is not None:
                    out.append(float(ms))
        return out

    def metric(self, name: str) -> float | None:
        """A counter's value summed over its label sets, from /metrics (None: not served)."""
        try:
            with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return None
        values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                  if line.startswith(name) and not line.startswith("#") and re.match(rf"{name}(\{{.*\}})? ", line)]
        return sum(values) if values else None

    def stop(self) -> None:
        stop_process(self.proc, timeout=15)


class Load:
    """Prospects sending signed message events to one server."""

    def __init__(self, fake: TimedSlack, server: Server, seed: int, tag: str) -> None:
        self.fake, self.server, self.rng, self.tag = fake, server, random.Random(seed), tag
        self.slack = SlackDriver(f"{server.url}/slack/events", SIGNING_SECRET, fake_api=fake, bot_user_id="U_BOT")
        self.latencies: list[float] = []
        self.lost = 0
        self.quotes = 0
        self.lock = threading.Lock()
        self.channels: list[str] = []

    def send(self, channel: str, user: str, text: str) -> float | None:
        """One message; the seconds until its reply reached the Web API (None: none came)."""
        started = time.monotonic()
        delivered = self.slack.message(channel, user, text, channel_type="im")
        if delivered.response.status != 200:
            with self.lock:
                self.lost += 1
            return None
        arrived = self.fake.wait_reply(f"{channel}:{delivered.ts}")
        if arrived is None:
            with self.lock:
                self.lost += 1
            return None
        latency = arrived - started
        with self.lock:
            self.latencies.append(latency)
            if "月額" in self.fake.texts.get(f"{channel}:{delivered.ts}", ""):
                self.quotes += 1
        return latency

    def open_loop(self, prospects: int, rate: float) -> dict[str, Any]:
        """Poisson arrivals at `rate`; each to a prospect whose previous message is answered."""
        scripts = {n: deque(dialogue(self.rng)) for n in range(prospects)}
        idle = list(range(prospects))
        idle_lock = threading.Condition()
        backlog = 0

        def one(n: int) -> None:
            channel, user = f"D{self.tag}{n:05d}", f"U{self.tag}{n:05d}"
            self.send(channel, user, scripts[n].popleft())
            with idle_lock:
                if scripts[n]:
                    idle.append(n)
                idle_lock.notify_all()

        self.channels = [f"D{self.tag}{n:05d}" for n in range(prospects)]
        total = prospects * 6
        started = time.monotonic()
        due = started
        with ThreadPoolExecutor(max_workers=min(prospects, 128)) as pool:
            for _ in range(total):
                due += self.rng.expovariate(rate)
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                with idle_lock:
                    if not idle:
                        backlog += 1
                        idle_lock.wait_for(lambda: bool(idle), REPLY_TIMEOUT)
                    if not idle:
                        break
                    n = idle.pop(self.rng.randrange(len(idle)))
                pool.submit(one, n)
        elapsed = time.monotonic() - started
        return {"messages": len(self.latencies) + self.lost, "elapsed_s": round(elapsed, 2), "lost": self.lost,
                "offered_per_s": rate, "backlogged": backlog, "quotes": self.quotes, **percentiles(self.latencies)}

    def saturate(self, prospects: int, seconds: float) -> dict[str, Any]:
        """Every prospect sends its next message as soon as the last is answered."""
        stop_at = time.monotonic() + seconds
        done = [0] * prospects

        def prospect(n: int) -> None:
            round_ = 0
            while time.monotonic() < stop_at:
                channel, user = f"DS{self.tag}{n:04d}{round_:03d}", f"US{self.tag}{n:04d}"
                for text in dialogue(self.rng):
                    if time.monotonic() >= stop_at:
                        return
                    if self.send(channel, user, text) is not None:
                        done[n] += 1
                round_ += 1

        started = time.monotonic()
        threads = [threading.Thread(target=prospect, args=(n,), daemon=True) for n in range(prospects)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + REPLY_TIMEOUT + 5)
        elapsed = time.monotonic() - started
        return {"replies": sum(done), "elapsed_s": round(elapsed, 2), "per_s": round(sum(done) / elapsed, 1),
                "lost": self.lost}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    s = sorted(values)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, int(q * len(s)))] * 1000, 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(s[-1] * 1000, 1)}


def redis_commands(client: redis.Redis) -> int:
    return sum(int(v.get("calls", 0)) for v in client.info("commandstats").values())


def conversation_bytes(client: redis.Redis, channels: list[str]) -> dict[str, Any]:
    """MEMORY USAGE over each finished conversation's own keys (state, transcript, buttons...)."""
    sizes, keys_each = [], []
    for channel in channels:
        key = conversation_key(HOME, channel, None)
        keys = list(client.scan_iter(match=f"conv:{{{_glob_escape(key)}}}:*", count=1000))
        sizes.append(sum(int(client.memory_usage(k, samples=0) or 0) for k in keys))
        keys_each.append(len(keys))
    if not sizes:
        return {}
    return {"bytes_per_conversation": round(sum(sizes) / len(sizes)), "max_bytes": max(sizes),
            "keys_per_conversation": round(sum(keys_each) / len(keys_each), 1)}


def _glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?\\])", r"\\\1", text)


def _ppid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def measure(kind: str, workers: int, args: argparse.Namespace, fake: TimedSlack, tag: str) -> dict[str, Any]:
    store = RedisServer()
    client = redis.Redis.from_url(store.url)
    fake.forget()
    server = Server(kind, workers, fake, store.url, {})
    try:
        result: dict[str, Any] = {"app": kind, "workers": workers, "healthy_after_s": round(server.healthy_after, 2)}
        warm = Load(fake, server, args.seed + 1, f"W{tag}")
        warm.open_loop(5, 10.0)  # connections opened, caches and code paths warm
        time.sleep(1.0)
        client.config_resetstat()
        memory_before = int(client.info("memory")["used_memory"])
        trips_before = server.metric("bot_redis_round_trips_total")
        cpu_before = server.cpu_seconds()
        load = Load(fake, server, args.seed, f"O{tag}")
        result["open_loop"] = load.open_loop(args.prospects, args.rate)
        time.sleep(1.0)  # the last replies' acknowledgements
        messages = result["open_loop"]["messages"]
        cpu = server.cpu_seconds() - cpu_before
        trips_after = server.metric("bot_redis_round_trips_total")
        result["cpu_ms_per_message"] = round(cpu * 1000 / max(1, messages), 2)
        result["redis_commands_per_message"] = round(redis_commands(client) / max(1, messages), 2)
        result["redis_round_trips_per_message"] = (
            round((trips_after - trips_before) / max(1, messages), 2)
            if trips_before is not None and trips_after is not None else None)
        redis_cpu = client.info("cpu")
        result["redis_cpu_ms_per_message"] = round(
            (float(redis_cpu["used_cpu_sys"]) + float(redis_cpu["used_cpu_user"])) * 1000 / max(1, messages), 2)
        result["memory"] = conversation_bytes(client, load.channels) if kind == "bot" else {}
        result["memory"]["used_memory_per_conversation"] = round(
            (int(client.info("memory")["used_memory"]) - memory_before) / max(1, args.prospects))
        result["peak_rss_mb_per_worker"] = server.peak_rss_mb()
        result["worker_ready_ms"] = server.ready_ms()
        if kind == "bot":
            # Saturated, each prospect writes again the moment it is answered: several messages
            # a second into one DM, which Slack's pace (about one post a second per channel)
            # would hold back by design. The floor does not pace, so the bot is measured
            # without it here (POST_INTERVAL_SECONDS=0), on a fresh server.
            server.stop()
            server = Server(kind, workers, fake, store.url, {"POST_INTERVAL_SECONDS": "0"})
            Load(fake, server, args.seed + 3, f"V{tag}").open_loop(5, 10.0)
        sat = Load(fake, server, args.seed + 2, f"S{tag}")
        result["saturated"] = sat.saturate(args.saturate, args.seconds)
        result["peak_rss_mb_per_worker"] = [max(a, b) for a, b in zip(result["peak_rss_mb_per_worker"], server.peak_rss_mb())] \
            or server.peak_rss_mb()
    finally:
        server.stop()
        store.stop()
    return result


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def report(results: list[dict[str, Any]]) -> None:
    rows = [
        ("p50 ms (open loop)", lambda r: r["open_loop"].get("p50_ms")),
        ("p95 ms", lambda r: r["open_loop"].get("p95_ms")),
        ("p99 ms", lambda r: r["open_loop"].get("p99_ms")),
        ("max ms", lambda r: r["open_loop"].get("max_ms")),
        ("lost replies", lambda r: r["open_loop"].get("lost")),
        ("saturated replies/s", lambda r: r["saturated"].get("per_s")),
        ("CPU ms / message", lambda r: r.get("cpu_ms_per_message")),
        ("Redis CPU ms / message", lambda r: r.get("redis_cpu_ms_per_message")),
        ("Redis commands / message", lambda r: r.get("redis_commands_per_message")),
        ("Redis round trips / message", lambda r: r.get("redis_round_trips_per_message")),
        ("Redis bytes / conversation", lambda r: (r.get("memory") or {}).get("bytes_per_conversation")),
        ("used_memory / conversation", lambda r: (r.get("memory") or {}).get("used_memory_per_conversation")),
        ("peak RSS MB / worker", lambda r: max(r.get("peak_rss_mb_per_worker") or [0]) or None),
        ("worker ready ms (max)", lambda r: max(r.get("worker_ready_ms") or [0]) or None),
    ]
    by = {(r["app"], r["workers"]): r for r in results}
    for workers in sorted({r["workers"] for r in results}):
        bot, echo = by.get(("bot", workers)), by.get(("echo", workers))
        print(f"\n== {workers} worker(s): bot vs Bolt echo floor ==")
        print(f"{'':30s} {'bot':>10s} {'floor':>10s} {'ratio':>8s}")
        for name, get in rows:
            b = get(bot) if bot else None
            e = get(echo) if echo else None
            print(f"{name:30s} {_fmt(b):>10s} {_fmt(e):>10s} {ratio(b, e) if e else '':>8s}")
        if bot and echo:
            p99 = bot["open_loop"].get("p99_ms", 0) / max(1e-9, echo["open_loop"].get("p99_ms", 0))
            tput = bot["saturated"]["per_s"] / max(1e-9, echo["saturated"]["per_s"])
            trips = bot.get("redis_round_trips_per_message")
            mem = (bot.get("memory") or {}).get("bytes_per_conversation")
            ready = max(bot.get("worker_ready_ms") or [float("nan")])
            print("targets: " + "; ".join([
                f"p99 {p99:.2f}x floor ({'met' if p99 <= 1.5 else 'MISSED'}, <= 1.5x)",
                f"throughput {tput:.0%} of floor ({'met' if tput >= 0.85 else 'MISSED'}, >= 85%)",
                f"round trips {trips} ({'met' if trips is not None and trips <= 4 else 'MISSED'}, <= 4)",
                f"bytes/conversation {mem} ({'met' if mem is not None and mem <= 3072 else 'MISSED'}, <= 3072)",
                f"worker ready {ready:.0f} ms ({'met' if ready <= 1000 else 'MISSED'}, <= 1000)",
            ]))


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.2f}" if isinstance(v, float) and v < 100 else str(v)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="offered messages per second, open loop")
    parser.add_argument("--saturate", type=int, default=50, help="prospects in the saturated run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the saturated run")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--apps", default="echo,bot")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "e2e.json"))
    args = parser.parse_args()
    fake = TimedSlack(team_id=HOME, channel_members={AGENT_CHANNEL: ["UAGENT1", "UAGENT2", "U_BOT"]}).start()
    results = []
    try:
        for workers in [int(w) for w in args.workers.split(",")]:
            for kind in args.apps.split(","):
                print(f"-- {kind}, {workers} worker(s)...", flush=True)
                results.append(measure(kind, workers, args, fake, f"{kind[0].upper()}{workers}"))
    finally:
        fake.stop()
    report(results)
    out = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(), "args": vars(args),
           "results": results}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2))
    print(f"\nwritten: {args.json}")
    return 0


def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "redis": subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.strip()}


if __name__ == "__main__":
    raise SystemExit(main())
