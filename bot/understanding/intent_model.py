"""What a message asks the bot to do, learned from labelled examples (content/intent_examples.yaml).

Regular expressions (content/intents.yaml) are exact on the wording they were written for and
blind to the rest: a Japanese business customer asks for a person in 敬語 in a hundred ways
(「担当の方からご連絡いただけますか」「一度お時間を頂戴できますでしょうか」), and an incident report
differs from a question about incidents by who it happened to and by tense, not by a keyword.
So the decision is a softmax classifier (bot/understanding/softmax.py) over:

- Japanese character bigrams and trigrams of the hiragana-folded text (endings like
  いただけますか / ました / たら / そうです carry the register, the tense and the hedging);
- English word stems and stem bigrams (talk to a person / is it covered);
- what the exact rules say: each intent regex that matches (`re:<intent>`), and the question,
  statement, other-insurance, topic and addressee patterns;
- whether the message holds an amount or an industry (facts), and its length;
- cues (bot/understanding/cues.py): word classes of who, when and how a message asks (a person,
  an act of contact, a way of asking; an incident word, a third party as the subject, hearsay,
  worry, a hypothetical, long ago, just now, a symptom, a call for help...), with their pairs
  and triples around a person or an incident word: 「人間の担当っています?」 is a person, a
  presence and a question, 「近所の店が乗っ取られたらしい」 an incident word, a third party and
  hearsay told as a statement.

Requests are weighed against the non-requests in the same decision: a product question, facts
about the business, and everything else are classes of their own (`READING_CLASSES`), so
「電話でご説明いただけますか」 (a request) and 「電話での事故受付はありますか」 (a question) are told
apart by what the examples show, not by which rule comes first.

Staff teach it by adding labelled messages to intent_examples.yaml, no code needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.content.intents import CLASSES, IntentContent, IntentExample
from bot.normalize import normalize, to_hiragana
from bot.understanding.cues import cues
from bot.understanding.intents import IntentReading
from bot.understanding.softmax import Sample, SoftmaxRegression
from bot.understanding.stemming import Stemmer

MODEL_C = 8.0
"""Inverse regularisation strength. Chosen by leave-one-set-out cross-validation
(benchmarks/intent_eval.py --cv)."""

MIN_FEATURE_COUNT = 2
"""A feature seen in one training message only says more about that writer than the class."""

RULE_WEIGHT = 1.0
"""Value of an exact rule's feature: a rule that matches is strong evidence, worth more than
one n-gram, though the examples can still overrule it."""

CUE_WEIGHT = 1.0
"""Value of a cue's feature (bot/understanding/cues.py) and of each pair and anchored triple of
cues: a word class seen across writers, worth one n-gram (CV: 0.5 and 2 read fewer requests and
incidents)."""

CUE_ANCHORS = frozenset({"incident_word", "person", "re=incident", "re=handoff"})
"""Triples of cues are formed only when one of them is one of these: what a request for a person
or an incident turns on is who and when and how around the person or the incident word (a
friend's shop + hacked + hearsay), and triples of anything with anything add features without
reading better (CV)."""

_LATIN_WORD = re.compile(r"[a-z][a-z']*")
_JA_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶー]")
_STEMMER = Stemmer()


@dataclass(frozen=True)
class Signals:
    """What the rest of the reading already knows of the message, as features."""

    rules: IntentReading
    has_amount: bool
    has_industry: bool


def features(text: str, signals: Signals) -> dict[str, float]:
    prepared = to_hiragana(normalize(text))
    feats: dict[str, float] = {}
    squeezed = re.sub(r"\s+", "", prepared)
    ja = "".join(ch if _JA_CHAR.match(ch) or ch in "?!。、" else " " for ch in squeezed)
    for run in ja.split():
        padded = f"^{run}$"
        for n in (2, 3):
            for i in range(len(padded) - n + 1):
                feats[f"j{n}:{padded[i:i + n]}"] = 1.0
    words = [_STEMMER.stem(w) for w in _LATIN_WORD.findall(prepared)]
    for i, w in enumerate(words):
        feats[f"w:{w}"] = 1.0
        if i:
            feats[f"w2:{words[i - 1]}_{w}"] = 1.0
    if words:
        feats[f"w0:{words[0]}"] = 1.0
    rules = signals.rules
    for intent in rules.matched:
        feats[f"re:{intent.value}"] = RULE_WEIGHT
    if rules.intent is not None:
        feats[f"re1:{rules.intent.value}"] = RULE_WEIGHT
    for name, on in (("question", rules.question), ("statement", rules.statement), ("other", rules.other_insurance),
                     ("topic", rules.topic), ("addressed", rules.addressed), ("third", rules.third_party), ("own", rules.own_company), ("amount", signals.has_amount),
                     ("industry", signals.has_industry), ("qmark", "?" in prepared)):
        if on:
            feats[f"s:{name}"] = RULE_WEIGHT / 2
    # Conjunctions a linear model can't form by itself: an incident rule that fires on a story
    # about someone else, or on a question, is evidence of a question rather than a report.
    for intent in rules.matched:
        if rules.third_party:
            feats[f"x:{intent.value}+third"] = RULE_WEIGHT / 2
            if not rules.own_company:
                feats[f"x:{intent.value}+third-only"] = RULE_WEIGHT / 2
        if rules.own_company and not rules.third_party:
            feats[f"x:{intent.value}+own-only"] = RULE_WEIGHT / 2
        if rules.question:
            feats[f"x:{intent.value}+question"] = RULE_WEIGHT / 2
    # Word classes of who, when and how (cues.py), what the rules matched, and the form; with
    # their pairs and anchored triples, which a linear model cannot form by itself: a person and
    # a contact act and a way of asking make a request; a third party or hearsay with an
    # incident word makes a story, a symptom told now makes a report.
    found = sorted([*cues(prepared), *(f"re={intent.value}" for intent in rules.matched),
                    "asks" if rules.question or "?" in prepared else "tells"])
    for i, a in enumerate(found):
        feats[f"c:{a}"] = CUE_WEIGHT
        for j in range(i + 1, len(found)):
            b = found[j]
            feats[f"c2:{a}+{b}"] = CUE_WEIGHT
            for d in found[j + 1:]:
                if a in CUE_ANCHORS or b in CUE_ANCHORS or d in CUE_ANCHORS:
                    feats[f"c3:{a}+{b}+{d}"] = CUE_WEIGHT
    length = len(squeezed)
    feats["len:" + ("1" if length <= 4 else "2" if length <= 10 else "3" if length <= 25 else "4")] = 1.0
    return feats


@dataclass(frozen=True)
class IntentGuess:
    """The model's verdict: the most likely class and its probability, and every class's."""

    name: str
    probability: float
    probabilities: dict[str, float]

    def at_least(self, probability: float) -> frozenset[str]:
        return frozenset(name for name, p in self.probabilities.items() if p >= probability)


class IntentModel:
    def __init__(self, model: SoftmaxRegression) -> None:
        self._model = model

    @classmethod
    def train(cls, examples: list[IntentExample], signals_of, c: float = MODEL_C) -> "IntentModel":
        """Fit on labelled examples; `signals_of(text)` gives each text's Signals (the same
        function reading uses, so training and reading see a text alike). Classes are
        balanced: a class with many examples must not win on its prior alone."""
        label = {name: i for i, name in enumerate(CLASSES)}
        counts = {name: 0 for name in CLASSES}
        for e in examples:
            counts[e.intent] += 1
        mean = len(examples) / max(1, sum(1 for n in counts.values() if n))
        samples = [Sample(features(e.text, signals_of(e.text)), label[e.intent], min(3.0, mean / counts[e.intent]))
                   for e in examples]
        return cls(SoftmaxRegression.fit(samples, len(CLASSES), c, MIN_FEATURE_COUNT))

    @classmethod
    def build(cls, intents: IntentContent, signals_of) -> "IntentModel":
        return cls.train(intents.examples, signals_of)

    def guess(self, text: str, signals: Signals) -> IntentGuess:
        p = self._model.probabilities(features(text, signals))
        best = int(np.argmax(p))
        return IntentGuess(CLASSES[best], float(p[best]), {name: float(p[i]) for i, name in enumerate(CLASSES)})
