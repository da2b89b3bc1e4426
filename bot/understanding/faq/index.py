"""FaqIndex: the FAQ's two stages built once from content, and the questions asked of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.content.faq import FaqContent
from bot.normalize import normalize, to_hiragana
from bot.understanding.faq.analyzer import Analysis, Analyzer
from bot.understanding.faq.classifier import ClassifierFeatures, FaqClassifier
from bot.understanding.faq.hit import FaqHit
from bot.understanding.faq.retrieval import Retrieval, entry_sources
from bot.understanding.faq.typos import typo_vocabulary


def _curated_phrases(faq: FaqContent, documents: list[list[tuple[str, float]]]) -> Iterator[str]:
    """Every phrase the curated content writes: English synonyms (members and canonical forms),
    English fillers, and every entry text."""
    for phrases in [*faq.synonyms.en.values(), list(faq.synonyms.en), faq.fillers.en]:
        yield from phrases
    for sources in documents:
        for text, _ in sources:
            yield text


class FaqIndex:
    """Ranks FAQ entries for a question and abstains when it is not confident enough.

    Two stages, both built once from content at start-up:
    - retrieval: each entry scored by the share of the question its curated question forms,
      keywords and answer explain (see bot/understanding/faq/retrieval.py); robust for wording
      the content never saw, and a strong signal that a question is about something else;
    - a classifier (bot/understanding/softmax.py) over the same features, Japanese character
      trigrams and the retrieval scores, trained on the curated forms and the labelled examples
      (content/faq_examples.yaml), with one more class for out of scope. It decides: it learns
      where neighbouring entries part (a fine the policy pays vs how large fines are) and what
      the bot must not answer, which the retrieval scores alone cannot.
    An entry's score is the classifier's probability that it answers the question.
    """

    def __init__(self, faq: FaqContent, classifier: FaqClassifier) -> None:
        self._ids = [e.id for e in faq.entries]
        self._answers = {e.id: e.answer for e in faq.entries}
        self._classifier = classifier
        self.threshold = faq.abstain_threshold
        self.statement_threshold = faq.statement_threshold
        patterns = [to_hiragana(p) for p in [*faq.out_of_scope.ja, *faq.out_of_scope.en]]
        self._out_of_scope = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    @classmethod
    def build(cls, faq: FaqContent) -> FaqIndex:
        """Analyse every entry once (question forms and keywords fully, answers at lower
        weight), then train the classifier on them and the labelled examples."""
        analyzer = Analyzer(faq)
        documents = [entry_sources(entry) for entry in faq.entries]
        # The typo vocabulary is the curated content's alone: labelled examples are written as
        # people type, typos included (covrage, permium), and a typo in the vocabulary is never
        # corrected. Examples go through the same correction as questions do.
        analyzer.set_vocabulary(typo_vocabulary(_curated_phrases(faq, documents)))
        # content text -> its analysis, shared by retrieval and training
        analysed = {text: Analysis.of(analyzer, text) for sources in documents for text, _ in sources}
        retrieval = Retrieval.build(
            [e.id for e in faq.entries],
            [[(analysed[text], weight) for text, weight in sources] for sources in documents],
        )
        classifier = FaqClassifier.train(faq, ClassifierFeatures(analyzer, retrieval), analysed)
        return cls(faq, classifier)

    def rank(self, text: str) -> list[FaqHit]:
        """Every entry with its probability of answering the question, best first (ties by file
        order). A question about another product (content `out_of_scope`) ranks nothing."""
        scored = self._ranked(text)
        return scored[0] if scored else []

    def _ranked(self, text: str) -> tuple[list[FaqHit], float] | None:
        """The entries by probability, and the probability that the question is out of scope;
        None for an empty question or one about another product (content `out_of_scope`)."""
        if self.is_out_of_scope(text) or not normalize(text):
            return None
        probs = self._classifier.probabilities(text)
        hits = [FaqHit(entry_id, round(float(p), 4)) for entry_id, p in zip(self._ids, probs)]
        hits.sort(key=lambda h: -h.score)
        return hits, float(probs[-1])

    def is_out_of_scope(self, text: str) -> bool:
        """True when the question is about something the content marks as another product."""
        if self._out_of_scope is None:
            return False
        return self._out_of_scope.search(to_hiragana(normalize(text))) is not None

    def match(self, text: str, statement: bool = False) -> FaqHit | None:
        """The most probable entry if the classifier gives it at least the content's
        `abstain_threshold` and prefers it to out of scope; None means abstain. A `statement`
        (not phrased as a question, said while the bot waits for a fact) must clear the
        content's higher `statement_threshold`."""
        scored = self._ranked(text)
        if scored is None:
            return None
        hits, out_of_scope = scored
        bar = self.statement_threshold if statement else self.threshold
        best = hits[0]
        if best.score >= bar and best.score > out_of_scope:
            return best
        return None

    def has(self, entry_id: str) -> bool:
        return entry_id in self._answers

    def answer(self, entry_id: str, lang: str) -> str:
        """The entry's answer in `lang` ('en', else Japanese). Unknown id: KeyError."""
        return self._answers[entry_id](lang)
