"""FAQ matching benchmark: accuracy, abstention, latency and index build time on a labelled set.

Run from the repository root:

    PYTHONPATH=. python benchmarks/faq_eval.py [--dev benchmarks/faq_dev.yaml] [--errors]

Why these numbers: in-scope top-1 accuracy says whether prospects get the right answer;
the out-of-scope abstention share says whether the bot stays quiet instead of answering a
question it does not cover (a confident wrong answer is worse than "I don't know"); latency
and build time keep matching cheap enough to run on every message and at every start-up.
It also reports in-scope questions that abstained, since that is where a person must step in.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.content import content_dir
from bot.content.faq import load_faq
from bot.understanding.faq import FaqIndex

DEFAULT_DEV = Path(__file__).resolve().parent / "faq_dev.yaml"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math_ceil(pct / 100 * len(ordered)) - 1))
    return ordered[k]


def math_ceil(x: float) -> int:
    return int(-(-x // 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="labelled questions (YAML)")
    parser.add_argument("--faq", type=Path, default=None, help="faq.yaml (default: content dir)")
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the set")
    args = parser.parse_args(argv)

    faq = load_faq(args.faq or content_dir() / "faq.yaml")
    builds = []
    for _ in range(5):
        started = time.perf_counter()
        index = FaqIndex.build(faq)
        builds.append(time.perf_counter() - started)

    items = yaml.safe_load(args.dev.read_text(encoding="utf-8"))["questions"]
    in_scope = [(it["q"], it["id"]) for it in items if it.get("id")]
    out_scope = [it["q"] for it in items if not it.get("id")]
    langs = {"ja": 0, "en": 0}
    for it in items:
        langs["en" if it["q"].isascii() else "ja"] += 1

    misses: list[str] = []
    correct = abstained_in = 0
    for question, expected in in_scope:
        hit = index.match(question)
        if hit is not None and hit.id == expected:
            correct += 1
            continue
        if hit is None:
            abstained_in += 1
        best = index.rank(question)[:2]
        misses.append(f"  IN  want {expected:22} got {hit.id if hit else '(abstain)':22} "
                      f"top={[(h.id, h.score) for h in best]}  {question}")
    abstained = 0
    for question in out_scope:
        hit = index.match(question)
        if hit is None:
            abstained += 1
        else:
            misses.append(f"  OUT answered {hit.id:22} {hit.score:.3f}  {question}")

    index.match("warm-up")
    latencies: list[float] = []
    for _ in range(args.repeat):
        for it in items:
            started = time.perf_counter()
            index.match(it["q"])
            latencies.append((time.perf_counter() - started) * 1000)

    print(f"dev set: {len(items)} questions ({len(in_scope)} in scope, {len(out_scope)} out of scope; "
          f"{langs['ja']} ja, {langs['en']} en)")
    print(f"top-1 accuracy in scope:   {correct / len(in_scope):.1%} ({correct}/{len(in_scope)}; "
          f"{abstained_in} abstained)")
    print(f"out of scope abstained:    {abstained / len(out_scope):.1%} ({abstained}/{len(out_scope)})")
    print(f"latency per question:      p50 {statistics.median(latencies):.3f} ms, "
          f"p99 {_percentile(latencies, 99):.3f} ms (n={len(latencies)})")
    print(f"index build:               {min(builds) * 1000:.1f} ms (best of 5), "
          f"{max(builds) * 1000:.1f} ms worst")
    if args.errors and misses:
        print("misses:")
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
