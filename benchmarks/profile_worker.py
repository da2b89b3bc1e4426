"""Where a saturated `serve` worker spends its time: a py-spy profile, summarised.

Run from the repository root (py-spy is a profiler, not a dependency of the bot:
`.venv/bin/pip install py-spy` first):

    .venv/bin/python benchmarks/profile_worker.py [--prospects 20] [--seconds 10]

It starts a throwaway redis-server, the Slack simulator and `python -m bot serve` with one
worker (POST_INTERVAL_SECONDS=0, as e2e.py's saturated run), keeps `--prospects` prospects
writing as fast as they are answered, and samples the worker with `py-spy record --gil` (only
the thread holding the GIL: the Python work, not the waits). It prints the functions by their
share of those samples, inclusive and self, and the replies per second meanwhile.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import e2e  # noqa: E402

from tests.redis_server import RedisServer  # noqa: E402


def summarise(raw: Path, top: int) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, n = line.rsplit(" ", 1)
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        total += int(n)
        own[frames[-1]] += int(n)
        for f in set(frames):
            inclusive[f] += int(n)
    print(f"{total} samples holding the GIL")
    print("\n-- inclusive")
    for f, n in inclusive.most_common(top):
        print(f"{100 * n / total:5.1f}%  {f[:140]}")
    print("\n-- self")
    for f, n in own.most_common(top // 2):
        print(f"{100 * n / total:5.1f}%  {f[:140]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    fake = e2e.TimedSlack(team_id=e2e.HOME, channel_members={e2e.AGENT_CHANNEL: ["UAGENT1", "U_BOT"]}).start()
    store = RedisServer()
    server = e2e.Server("bot", 1, fake, store.url, {"POST_INTERVAL_SECONDS": "0"})
    raw = Path(tempfile.mkdtemp()) / "raw.txt"
    try:
        e2e.Load(fake, server, 1, "W").open_loop(5, 10.0)
        [pid] = server.workers()
        load = e2e.Load(fake, server, 2, "P")
        result: dict = {}
        t = threading.Thread(target=lambda: result.update(load.saturate(args.prospects, args.seconds + 4)), daemon=True)
        t.start()
        time.sleep(2)
        subprocess.run([spy, "record", "--pid", str(pid), "-d", str(int(args.seconds)), "-r", "200",
                        "--format", "raw", "-o", str(raw), "--gil"], check=False, capture_output=True)
        t.join()
        print(f"saturated: {result.get('per_s')} replies/s with {args.prospects} prospects")
        summarise(raw, args.top)
    finally:
        server.stop()
        store.stop()
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
