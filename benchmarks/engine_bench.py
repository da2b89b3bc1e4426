"""Engine benchmark: turn latency over the embedded store and a real Redis, start-up time, peak RSS.

Run from the repository root:

    .venv/bin/python benchmarks/engine_bench.py [--conversations 300]

Why these numbers: every prospect message is one Engine.handle call (understand, step the
flow, one optimistic Redis transaction, render), so its p50/p99 is what a prospect waits for
on top of Slack; the embedded (fakeredis) figure isolates the engine, the real-Redis figure
adds the network round trips a deployment pays. Start-up (content load and validation, FAQ
index build) is paid on every process start and by every CLI command. Peak RSS tells whether
the bot fits a small instance. The Redis used for (b) is a throwaway redis-server this script
starts on a free port and stops afterwards; it never touches an existing Redis.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app_context import build_runtime  # noqa: E402
from bot.content.bundle import load_content  # noqa: E402
from bot.conversation import Engine  # noqa: E402
from bot.store import Store, connect, embedded  # noqa: E402
from bot.turn import Inbound  # noqa: E402
from bot.understanding.faq import FaqIndex  # noqa: E402

IMPORTED = time.perf_counter()

# A typical conversation: greeting, the two facts, a product question, a correction.
# Varied across conversations so understanding and rating see more than one input.
GREETINGS = {"ja": ["こんにちは", "見積もりをお願いしたいです", "はじめまして"],
             "en": ["Hello", "Hi, I'd like a quote", "Good morning"]}
FACTS = {"ja": ["売上5億の製造業です", "年商3億円の小売業です", "売上は12億円、物流業です", "飲食業で売上8,000万円です",
                "建設業、売上20億です"],
         "en": ["We are a manufacturer with sales of 500 million yen", "Retail, annual sales of 300 million yen",
                "Logistics company, sales 1.2 billion yen", "We run restaurants, sales of 80 million yen"]}
QUESTIONS = {"ja": ["個人事業主でも入れますか?", "罰金は補償されますか?", "罰則は最大いくらですか", "どんな費用が補償されますか?"],
             "en": ["Are fines covered by the policy?", "Can a sole proprietor apply?", "What costs are covered?"]}
CORRECTIONS = {"ja": ["やっぱり卸売業でした", "すみません、売上は4億でした", "やっぱり建設業です"],
               "en": ["Actually we are a wholesaler", "Sorry, our sales are 400 million yen"]}
KINDS = ("greeting", "facts", "faq", "correction")


def conversation(i: int) -> list[str]:
    lang = "en" if i % 4 == 3 else "ja"  # about a quarter in English
    pick = lambda options: options[i % len(options)]  # noqa: E731
    return [pick(GREETINGS[lang]), pick(FACTS[lang]), pick(QUESTIONS[lang]), pick(CORRECTIONS[lang])]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-pct * len(ordered) // 100) - 1))
    return ordered[int(k)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def run_mix(engine: Engine, label: str, conversations: int) -> dict[str, object]:
    """Every conversation's turns, interleaved round by round as a live bot would see them."""
    scripts = [conversation(i) for i in range(conversations)]
    by_kind: dict[str, list[float]] = defaultdict(list)
    quoted = faqs = 0
    # Warm-up on separate keys: first-call costs (regex compilation, connection) aren't a turn's.
    for i in range(10):
        for text in conversation(i):
            engine.handle(f"bench:warmup:{label}:{i}", Inbound(text=text))
    started = time.perf_counter()
    for turn, kind in enumerate(KINDS):
        for i, script in enumerate(scripts):
            t0 = time.perf_counter()
            outs = engine.handle(f"bench:{label}:{i}", Inbound(text=script[turn], user="U0BENCH"))
            by_kind[kind].append(time.perf_counter() - t0)
            quoted += any(o.quote is not None for o in outs)
            faqs += any(o.faq_id is not None for o in outs)
    wall = time.perf_counter() - started
    every = [x for values in by_kind.values() for x in values]
    return {"label": label, "by_kind": by_kind, "all": every, "wall": wall, "quoted": quoted, "faqs": faqs}


def report(result: dict[str, object]) -> None:
    every: list[float] = result["all"]  # type: ignore[assignment]
    by_kind: dict[str, list[float]] = result["by_kind"]  # type: ignore[assignment]
    n = len(every)
    print(f"\n[{result['label']}] {n} turns in {result['wall']:.2f} s ({n / result['wall']:.0f} turns/s); "  # type: ignore[operator]
          f"replies with a quote: {result['quoted']}, with an FAQ answer: {result['faqs']}")
    print(f"  {'turn':<11} {'p50':>10} {'p90':>10} {'p99':>10} {'max':>10}")
    for kind in (*KINDS, "all"):
        values = every if kind == "all" else by_kind[kind]
        print(f"  {kind:<11} {ms(percentile(values, 50))} {ms(percentile(values, 90))} "
              f"{ms(percentile(values, 99))} {ms(max(values))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=300, help="conversations per store (4 turns each)")
    parser.add_argument("--no-redis", action="store_true", help="skip the real redis-server run")
    args = parser.parse_args(argv)

    print("engine benchmark")
    print(f"  python {sys.version.split()[0]}, {args.conversations} conversations x {len(KINDS)} turns per store")

    # -- start-up ----------------------------------------------------------------------------
    print("\n[start-up]")
    print(f"  imports (bot.app_context, engine, store):  {ms(IMPORTED - STARTED)}")
    t0 = time.perf_counter()
    content = load_content()
    first_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    faq_index = FaqIndex.build(content.faq)
    first_index = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_runtime(require_redis=False, redis_url=None)  # content again + embedded store + engine
    first_runtime = time.perf_counter() - t0
    loads, indexes, runtimes = [], [], []
    for _ in range(5):
        t0 = time.perf_counter()
        load_content()
        loads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        FaqIndex.build(content.faq)
        indexes.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        build_runtime(require_redis=False)
        runtimes.append(time.perf_counter() - t0)
    print(f"  content load + validation:   first {ms(first_load)}, then median {ms(statistics.median(loads))}")
    print(f"  FAQ index build:             first {ms(first_index)}, then median {ms(statistics.median(indexes))}")
    print(f"  build_runtime (embedded):    first {ms(first_runtime)}, then median {ms(statistics.median(runtimes))}"
          "  (content + FAQ index + store + engine)")
    print(f"  peak RSS after start-up:     {peak_rss_mb():.1f} MB")

    # -- (a) embedded store ----------------------------------------------------------------
    store: Store = embedded()
    report(run_mix(Engine(store, content, faq_index), "a: embedded fakeredis", args.conversations))

    # -- (b) real redis-server -------------------------------------------------------------
    if args.no_redis:
        print("\n[b: real redis-server] skipped (--no-redis)")
    else:
        try:
            from tests.redis_server import RedisServer

            server = RedisServer()
        except RuntimeError as exc:
            print(f"\n[b: real redis-server] skipped: {exc}")
        else:
            try:
                real = connect(server.url)
                result = run_mix(Engine(real, content, faq_index), f"b: redis-server on 127.0.0.1:{server.port}",
                                 args.conversations)
                real.redis.close()
                report(result)
            finally:
                server.stop()

    print(f"\n[memory] peak RSS: {peak_rss_mb():.1f} MB")
    print(f"[total] {time.perf_counter() - STARTED:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
