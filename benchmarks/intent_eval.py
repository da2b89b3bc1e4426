"""Intent benchmark: how well messages are read as requests, incidents and questions.

Run from the repository root:

    .venv/bin/python benchmarks/intent_eval.py --cv [--c 0.5,1,2,4] [--thresholds 0.4,0.5,0.6]
    .venv/bin/python benchmarks/intent_eval.py --sets DIR [--errors]

`--cv` measures the method: each example set of content/intent_examples.yaml is left out in
turn, the model is trained without it and scored on it, each message read as the engine reads it
(reading.decide_intent); the totals over every set are printed for each regularisation strength
and threshold, with the figures the product promises: person requests recognised (person),
product questions taken for requests (q->person), incident reports taken as urgent (incident),
questions taken as urgent (q->urgent over every question, inc-q->urg over the questions that
speak of an incident, which is what the promise is about), the other classes' accuracy (other),
and chatter that would start a conversation unasked (chat->req: an `other` message read as a
request or incident at least conversation.UNASKED_CONFIDENCE sure). Then the same figures per
held-out set, and with `--errors` the held-out misses. That is the figure to tune on.

`--sets DIR` scores the shipped model on evaluation sets written by people who saw neither the
content nor each other's sets. Files it knows, each `items: [{text, lang}]`:
person_requests, product_questions, incident_reports, incident_questions, channel_chatter,
channel_requests, and off_topic_vs_unanswerable (`off_topic:` and `cyber_unanswerable:`).
A blind set's misses must not be used to change content or method; once they are, it is a dev
set, and the next honest figure needs a new set. benchmarks/intent_blind and intent_blind2 were
measured once each and then retired into training (retired_blind1, retired_blind2); their
READMEs keep the figures of that one look. benchmarks/intent_blind3 was measured once, at
a51c0b2; its README has the figures.
"""

from __future__ import annotations

import argparse
import re
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
from bot.content.intents import CLASSES, INTENT_NAMES  # noqa: E402
from bot.understanding import intent_model, reading  # noqa: E402
from bot.understanding.faq import FaqIndex  # noqa: E402
from bot.understanding.intent_model import IntentModel  # noqa: E402


INCIDENT_WORDS = re.compile(
    r"ランサム|ウイルス|ウィルス|マルウェア|エモテット|emotet|感染|漏え|漏洩|漏れ|流出|不正|乗っ取|のっと|ハッキング|ハッカー|攻撃|"
    r"詐欺|紛失|盗|改ざん|暗号化|身代金|脅迫|事故|被害|誤送信|なりすまし|フィッシング|"
    r"ransom|malware|virus|hack|breach|leak|attack|phish|stole|lost|lose|fraud|scam|incident|infect|compromis|"
    r"defac|encrypt|extort|ddos|insider|\bbec\b",
    re.IGNORECASE)
"""Words of an incident. A product question that holds one is what the urgent promise is about
("ランサムウェアに感染したら補償されますか", a friend's hacked shop): the blind sets' incident_questions.
q->urgent counts every question; inc-q->urgent these only (the figure the target is for)."""


def cross_validate(content, cs: list[float], thresholds: list[float], errors: bool = False,
                   skip: frozenset[str] = frozenset()) -> None:
    """Leave each set out in turn; the verdict is the reading's own (reading.decide_intent).
    Sets in `skip` are trained on but not scored (a set written after reading the CV's misses
    says little of unseen phrasings when held out)."""
    examples = content.intents.examples
    sets = sorted({e.source for e in examples} - skip)
    signals = {e.text: reading.signals(e.text, content) for e in examples}
    print(f"{len(examples)} examples in {len({e.source for e in examples})} sets")
    scored = [e for e in examples if e.source in sets]
    incq = [e for e in scored if e.intent == "question" and INCIDENT_WORDS.search(e.text)]
    print(f"scored: {', '.join(sets)}; incident-like questions: {len(incq)} of {sum(e.intent == 'question' for e in scored)}")
    print(f"{'C':>5} {'thr':>5} {'acc':>6} {'person':>7} {'q->person':>10} {'incident':>9} {'q->urgent':>10} "
          f"{'inc-q->urg':>11} {'other':>6} {'chat->req':>9}")
    for c in cs:
        guesses = []
        for held in sets:
            train = [e for e in examples if e.source != held]
            # (a skipped set is always in training)
            model = IntentModel.train(train, lambda t: signals[t], c=c)
            guesses += [(e, model.guess(e.text, signals[e.text])) for e in examples if e.source == held]
        for thr in thresholds:
            got = [(e, reading.decide_intent(e.text, signals[e.text], None, thr, g)) for e, g in guesses]
            rows = [(e.intent, _acted(v)) for e, v in got]
            acc = sum(a == b for a, b in rows) / len(rows)
            person = _share(rows, lambda l: l == "handoff", "handoff")
            q_person = _share(rows, lambda l: l == "question", "handoff")
            inc = _share(rows, lambda l: l == "incident", "incident")
            q_urgent = _share(rows, lambda l: l == "question", "incident")
            incq_urgent = _share([(e.intent, _acted(v)) for e, v in got if e.intent == "question"
                                  and INCIDENT_WORDS.search(e.text)], lambda l: True, "incident")
            rest = [(a, b) for a, b in rows if a not in ("handoff", "incident", "question")]
            other = sum(a == b for a, b in rest) / len(rest)
            chatter = [e for e, v in got if e.intent == "other"]
            chat_req = sum(_unasked(e, v, signals[e.text]) for e, v in got) / len(chatter)
            print(f"{c:>5g} {thr:>5.2f} {acc:>6.1%} {person:>7.1%} {q_person:>10.1%} {inc:>9.1%} {q_urgent:>10.1%} "
                  f"{incq_urgent:>11.1%} {other:>6.1%} {chat_req:>9.1%}")
        if c == cs[0]:
            acted = [(e.intent, _acted(reading.decide_intent(e.text, signals[e.text], None, thresholds[0], g)))
                     for e, g in guesses]
            per = {name: _share(acted, lambda l, n=name: l == n, name) for name in CLASSES}
            print("  per class: " + ", ".join(f"{n} {p:.0%}" for n, p in per.items() if p == p))
            _by_set(sets, [(e, reading.decide_intent(e.text, signals[e.text], None, thresholds[0], g)) for e, g in guesses])
            if errors:
                _cv_misses([(e, reading.decide_intent(e.text, signals[e.text], None, thresholds[0], g)) for e, g in guesses],
                           signals)


def _by_set(sets, got) -> None:
    """The promised figures of each held-out set (first C and threshold): a writer's set the
    others never saw is what a blind set is, so the spread says how far the totals carry."""
    print(f"  by held-out set  {'person':>12} {'q->person':>10} {'incident':>12} {'inc-q->urg':>11}")
    for name in sets:
        rows = [(e, _acted(v)) for e, v in got if e.source == name]
        def part(label, acted, only=lambda e: True):
            mine = [a for e, a in rows if e.intent == label and only(e)]
            return f"{sum(a == acted for a in mine)}/{len(mine)}" if mine else "-"
        print(f"  {name:<16} {part('handoff', 'handoff'):>12} {part('question', 'handoff'):>10} "
              f"{part('incident', 'incident'):>12} {part('question', 'incident', lambda e: bool(INCIDENT_WORDS.search(e.text))):>11}")


def _acted(verdict) -> str:
    """What the engine acts on: an intent, or the model's non-request class when there is none."""
    if verdict.intent is not None:
        return verdict.intent.value
    return verdict.kind if verdict.kind in ("question", "facts", "other") else "other"


def _share(rows, mine, acted: str) -> float:
    got = [b for a, b in rows if mine(a)]
    return sum(b == acted for b in got) / len(got) if got else float("nan")


def _unasked(e, v, sig) -> bool:
    """An `other` message that would start a conversation nobody asked for: read as a request
    or an incident, sure enough for a message not addressed to the bot (conversation.serves'
    first test; a message written to someone else or about other insurance never does)."""
    return (e.intent == "other" and not sig.rules.addressed and not sig.rules.other_insurance
            and v.intent in conversation.ASKS_SOMETHING and v.probability >= conversation.UNASKED_CONFIDENCE)


def _cv_misses(got, signals) -> None:
    """The held-out misses of the figures the product promises, by set."""
    kinds = (("person request missed", lambda e, a: e.intent == "handoff" and a != "handoff"),
             ("question taken for a person", lambda e, a: e.intent == "question" and a == "handoff"),
             ("incident not urgent", lambda e, a: e.intent == "incident" and a != "incident"),
             ("question taken as urgent", lambda e, a: e.intent == "question" and a == "incident"),
             ("other class missed", lambda e, a: e.intent not in ("handoff", "incident", "question") and a != e.intent))
    for what, miss in (*kinds, ("chatter that would start a conversation", None)):
        rows = [(e, v) for e, v in got if (miss(e, _acted(v)) if miss else _unasked(e, v, signals[e.text]))]
        print(f"-- {what}: {len(rows)}")
        for e, v in sorted(rows, key=lambda r: r[0].source):
            print(f"    [{e.source}] {e.text!r} ({e.intent}) -> {_acted(v)} / {v.kind} {v.probability:.2f}")


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
    parser.add_argument("--skip", default="", help="sets to train on but not score in --cv (comma-separated)")
    args = parser.parse_args()
    content = load_content()
    counts = Counter(e.intent for e in content.intents.examples)
    print("examples per class:", ", ".join(f"{k} {counts[k]}" for k in (*INTENT_NAMES, "question", "facts", "other")))
    if args.cv:
        cross_validate(content, [float(x) for x in args.c.split(",")], [float(x) for x in args.thresholds.split(",")],
                       args.errors, frozenset(filter(None, args.skip.split(","))))
    if args.sets:
        score_sets(content, args.sets, args.errors)
    if not args.cv and not args.sets:
        parser.error("give --cv, --sets DIR, or both")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
