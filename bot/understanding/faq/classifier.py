"""The second stage, which decides: a softmax over the question's features.

That retrieval score (retrieval.py) is the first stage. The second is a softmax classifier
(bot/understanding/softmax.py) over the same features plus Japanese character trigrams and the
retrieval scores themselves, trained on the curated question forms and on labelled example
questions in people's own words (content/faq_examples.yaml), with an extra class for questions
the bot must not answer. It learns where neighbouring entries part (a fine the policy pays vs
how large fines are) and what the bot must not answer, which the retrieval scores alone cannot.
"""

from __future__ import annotations

import numpy as np

from bot.content.faq import FaqContent
from bot.normalize import to_hiragana
from bot.understanding.faq.analyzer import Analysis, Analyzer, flatten
from bot.understanding.faq.retrieval import Retrieval, entry_sources
from bot.understanding.faq.tokens import JA_RUN
from bot.understanding.softmax import Sample, SoftmaxRegression

CLASSIFIER_C = 1.0
"""Inverse regularisation strength of the classifier. Chosen by leave-one-set-out
cross-validation over the labelled example sets (benchmarks/faq_eval.py --cv; 0.3-10 tried,
each at its best threshold): weaker regularisation fits one asker's context (a crypto
exchange, 従業員20名) and answers more out-of-scope questions, stronger blurs neighbouring
entries."""

MIN_FEATURE_COUNT = 2
"""A feature found in a single training text is not learned: it says more about that one
asker than about the topic. Halves the model and its training time (cross-validated figures
within 0.2 points of learning every feature)."""

TRIGRAM_WEIGHT = 0.5
"""Value of a Japanese character-trigram feature for the classifier (bigrams are 0.2-1.0)."""


class ClassifierFeatures:
    """What the classifier sees of a text: the analyzer's features and the retrieval scores."""

    def __init__(self, analyzer: Analyzer, retrieval: Retrieval) -> None:
        self._analyzer = analyzer
        self._retrieval = retrieval

    def of_text(self, text: str) -> dict[str, float]:
        """What the classifier sees of a text: the retrieval features, Japanese character
        trigrams (a word's shape beyond two characters: 報告義務 vs 報告費用), how well each
        entry's curated content explains the text, and how much of it no entry knows (a
        question mostly in words the content never uses is about something else)."""
        return self.of(Analysis.of(self._analyzer, text))

    def of(self, analysis: Analysis) -> dict[str, float]:
        """`of_text` for a text already analysed."""
        feats = flatten(analysis.segments)
        for run in JA_RUN.findall(to_hiragana(analysis.prepared)):
            for i in range(len(run) - 2):
                feats["t:" + run[i : i + 3]] = TRIGRAM_WEIGHT
        hits, unknown = self._retrieval.scores(analysis.segments)
        for hit in hits:
            feats["r:" + hit.id] = hit.score
        feats["r:best"] = hits[0].score if hits else 0.0
        feats["r:unknown"] = unknown
        return feats


class FaqClassifier:
    """Entry probabilities for a text, the last class being out of scope."""

    def __init__(self, features: ClassifierFeatures, model: SoftmaxRegression) -> None:
        self._features = features
        self._model = model

    @classmethod
    def train(cls, faq: FaqContent, features: ClassifierFeatures, analysed: dict[str, Analysis]) -> FaqClassifier:
        """Fit the classifier: every question form and keyword of an entry, its answer at lower
        weight (`analysed`: each content text's analysis, shared with retrieval), every labelled
        example; out-of-scope examples are the last class.

        The classes are balanced: out of scope, one class with as many examples as several
        entries together (everything the bot must not answer looks different), weighs in total
        what an average entry does. Unweighted, its prior alone outvotes an entry the question
        is only moderately sure of, and the bot abstains on answerable questions
        (benchmarks/faq_eval.py --cv at the shipped threshold, ten example sets: unweighted 94.5%
        right in scope, 95.7% of out of scope abstained; balanced 95.5% and 93.2%)."""
        ids = [e.id for e in faq.entries]
        out_class = len(ids)
        samples: list[Sample] = []
        for label, entry in enumerate(faq.entries):
            for text, weight in entry_sources(entry):
                samples.append(Sample(features.of(analysed[text]), label, weight))
        label_of = {entry_id: i for i, entry_id in enumerate(ids)}
        labelled = [(example, out_class if example.id is None else label_of[example.id]) for example in faq.examples]
        out_count = sum(1 for _, label in labelled if label == out_class)
        per_entry = (sum(s.weight for s in samples) + len(labelled) - out_count) / len(ids)
        out_weight = min(1.0, per_entry / out_count) if out_count else 1.0
        for example, label in labelled:
            weight = out_weight if label == out_class else 1.0
            samples.append(Sample(features.of_text(example.q), label, weight))
        return cls(features, SoftmaxRegression.fit(samples, out_class + 1, CLASSIFIER_C, MIN_FEATURE_COUNT))

    def probabilities(self, text: str) -> np.ndarray:
        """One probability per entry in file order, then out of scope's."""
        return self._model.probabilities(self._features.of_text(text))
