"""Intent benchmark: how well messages are read as requests, incidents and questions.

Run from the repository root:

    .venv/bin/python benchmarks/intent_eval.py --cv [--c 0.5,1,2,4] [--thresholds 0.4,0.5,0.6]
    .venv/bin/python benchmarks/intent_eval.py --sets DIR [--errors]

`--cv` measures the method: each example set of content/intent_examples.yaml is left out in
turn, the model is trained without it and scored on it; the totals over every set are printed
for each regularisation strength and threshold, with the figures the product promises:
person requests recognised, product questions taken for requests, incident reports taken as
urgent, questions about incidents taken as urgent. That is the figure to tune on.

`--sets DIR` scores the shipped model on evaluation sets written by people who saw neither the
content nor each other's sets (benchmarks/intent_blind/ holds the ones measured so far; see its
README for how often each was looked at). Files it knows, each `items: [{text, lang}]`:
person_requests, product_questions, incident_reports, incident_questions, channel_chatter,
channel_requests, and off_topic_vs_unanswerable (`off_topic:` and `cyber_unanswerable:`).
A blind set's misses must not be used to change content or method; once they are, it is a dev
set, and the next honest figure needs a new set.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import conversation  # noqa: E402
from bot.content.bundle import load_content  # noqa: E402
from bot.content.intents import INTENT_NAMES  # noqa: E402
from bot.understanding import intent_model, reading  # noqa: E402
from bot.understanding.faq import FaqIndex  # noqa: E402
from bot.understanding.intent_model import IntentModel  # noqa: E402


def _verdict(guess, rules_intent, threshold: float) -> str:
    """The class the reading would act on (the model's if sure enough, else the rules')."""
    if guess.probability >= threshold:
        return guess.name
    return rules_intent.value if rules_intent is not None else "other"


def cross_validate(content, cs: list[float], thresholds: list[float]) -> None:
    examples = content.intents.examples
    sets = sorted({e.source for e in examples})
    signals = {e.text: reading.signals(e.text, content) for e in examples}
    print(f"{len(examples)} examples in {len(sets)} sets: {', '.join(sets)}")
    print(f"{'C':>5} {'thr':>5} {'acc':>6} {'person':>7} {'q->person':>10} {'incident':>9} {'q->urgent':>10}")
    for c in cs:
        guesses = []
        for held in sets:
            train = [e for e in examples if e.source != held]
            model = IntentModel.train(train, lambda t: signals[t], c=c)
            guesses += [(e, model.guess(e.text, signals[e.text])) for e in examples if e.source == held]
        for thr in thresholds:
            got = [(e.intent, _verdict(g, signals[e.text].rules.intent, thr)) for e, g in guesses]
            acc = sum(a == b for a, b in got) / len(got)
            person = _share(got, "handoff", lambda v: v == "handoff")
            q_person = _share(got, "question", lambda v: v == "handoff")
            inc = _share(got, "incident", lambda v: v == "incident")
            q_urgent = _share(got, "question", lambda v: v == "incident")
            print(f"{c:>5g} {thr:>5.2f} {acc:>6.1%} {person:>7.1%} {q_person:>10.1%} {inc:>9.1%} {q_urgent:>10.1%}")


def _share(got, label, hit) -> float:
    mine = [v for l, v in got if l == label]
    return sum(map(hit, mine)) / len(mine) if mine else float("nan")


def score_sets(content, directory: Path, errors: bool) -> None:
    faq = FaqIndex.build(content.faq)
    started = time.perf_counter()
    model = reading.build_intent_model(content)
    print(f"intent model trained in {(time.perf_counter() - started) * 1000:.0f} ms")

    def read(text):
        return reading.read(text, content, faq, model)

    def report(name: str, items: list[dict], what: str, hit) -> None:
        results = [(item["text"], read(item["text"])) for item in items]
        ok = [t for t, r in results if hit(r)]
        print(f"{name:<28} {what:<34} {len(ok):>4}/{len(results):<4} {len(ok) / len(results):6.1%}")
        if errors:
            for t, r in results:
                if not hit(r):
                    print(f"    miss: {t!r} -> {r.intent and r.intent.value} / {r.kind} {r.kind_probability:.2f}")

    def items(file: str) -> list[dict] | None:
        path = directory / f"{file}.yaml"
        return yaml.safe_load(path.read_text(encoding="utf-8"))["items"] if path.exists() else None

    handoff = lambda r: r.intent is not None and r.intent.value == "handoff"  # noqa: E731
    if (xs := items("person_requests")) is not None:
        report("person_requests", xs, "recognised as a request for a person", handoff)
    if (xs := items("product_questions")) is not None:
        report("product_questions", xs, "NOT taken for a person request", lambda r: not handoff(r))
        report("product_questions", xs, "NOT urgent", lambda r: not r.urgent)
    if (xs := items("incident_reports")) is not None:
        report("incident_reports", xs, "urgent", lambda r: r.urgent)
    if (xs := items("incident_questions")) is not None:
        report("incident_questions", xs, "NOT urgent", lambda r: not r.urgent)
    if (xs := items("channel_chatter")) is not None:
        report("channel_chatter", xs, "left alone (no conversation)", lambda r: not conversation.serves(r))
    if (xs := items("channel_requests")) is not None:
        report("channel_requests", xs, "taken up", conversation.serves)
    path = directory / "off_topic_vs_unanswerable.yaml"
    if path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        on = lambda r: r.asks_product and not r.other_insurance  # noqa: E731
        report("off_topic", data["off_topic"], "answered as off-topic", lambda r: not on(r) and r.faq is None)
        report("cyber_unanswerable", data["cyber_unanswerable"], "on-topic (FAQ or cannot-answer)",
               lambda r: r.faq is not None or on(r))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--c", default=str(intent_model.MODEL_C))
    parser.add_argument("--thresholds", default=str(reading.INTENT_THRESHOLD))
    parser.add_argument("--sets", type=Path)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    content = load_content()
    counts = Counter(e.intent for e in content.intents.examples)
    print("examples per class:", ", ".join(f"{k} {counts[k]}" for k in (*INTENT_NAMES, "question", "facts", "other")))
    if args.cv:
        cross_validate(content, [float(x) for x in args.c.split(",")], [float(x) for x in args.thresholds.split(",")])
    if args.sets:
        score_sets(content, args.sets, args.errors)
    if not args.cv and not args.sets:
        parser.error("give --cv, --sets DIR, or both")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
