"""The first stage: each entry scored by the share of the question its content explains.

Each feature is weighted by its inverse entry frequency, so words every entry shares (保険,
insurance) count for little and a topic's own words count for a lot.

The score of an entry is the share of the question's weight that the entry explains (0..1).
A feature the content never uses counts in the question's total at a high weight, so a
question about something else (自動車保険, the weather) explains poorly against every entry.
Robust for wording the content never saw; the classifier (classifier.py) decides, with these
scores among its features.
"""

from __future__ import annotations

import math
from collections import defaultdict

from bot.content.faq import FaqEntry
from bot.understanding.faq.analyzer import Analysis, Segment, flatten, put
from bot.understanding.faq.hit import FaqHit

RUN_EXTRA = 0.25
"""Consecutive unknown bigrams are one unknown word: the first counts fully, each further one
this much. Otherwise a long unfamiliar word (デザイン事務所) would outweigh the whole question."""

SINGLE_SOURCE = 0.8
"""Weight of an entry's feature that occurs in one of its texts; three or more give 1.0."""

SMOOTHING = 3.0
"""Added to the question's total weight: a one-word question explains itself fully against
any entry that shares the word, and should need more than that to be answered confidently."""

ANSWER_WEIGHT = 0.5
"""Features found only in an entry's answer count this much: the answer says what the topic
covers, but people ask with question words, so the question forms and keywords lead."""

OOV_FACTOR = 0.8
"""An unknown Japanese bigram weighs this times the inverse frequency of a feature unique to
one entry: high enough that a question mostly about something else falls below the threshold,
low enough that a prospect's own details (デザイン事務所) do not drown the question."""

OOV_WORD_FACTOR = 1.0
"""The same for an unknown English word. A whole unknown word is stronger evidence that the
question is about something else than one unknown bigram of a Japanese word."""


def entry_sources(entry: FaqEntry) -> list[tuple[str, float]]:
    """An entry's texts with the weight each counts at: question forms and keywords fully,
    answers at ANSWER_WEIGHT. The same list, in the same order, for retrieval and training."""
    sources = [(q, 1.0) for q in [*entry.questions.ja, *entry.questions.en]]
    sources += [(k, 1.0) for k in [*entry.keywords.ja, *entry.keywords.en]]
    sources += [(entry.answer.ja, ANSWER_WEIGHT), (entry.answer.en, ANSWER_WEIGHT)]
    return sources


def _spread(sources: int) -> float:
    """A feature found in several of an entry's questions and keywords is more typical of the
    entry than one mentioned once; this mostly breaks ties between entries."""
    return min(1.0, SINGLE_SOURCE + (1.0 - SINGLE_SOURCE) * (sources - 1) / 2)


def _document_features(sources: list[tuple[Analysis, float]]) -> dict[str, float]:
    """One entry's features: each at the highest weight any of its texts gives it, spread by
    how many of its texts use it."""
    feats: dict[str, float] = {}
    counts: dict[str, int] = defaultdict(int)
    for analysis, weight in sources:
        for key, w in flatten(analysis.segments).items():
            put(feats, key, w * weight)
            counts[key] += 1
    return {key: w * _spread(counts[key]) for key, w in feats.items()}


class Retrieval:
    """Postings and inverse entry frequencies over the entries' analysed content."""

    def __init__(
        self,
        ids: list[str],
        postings: dict[str, list[tuple[int, float]]],
        idf: dict[str, float],
        oov_idf: float,
    ) -> None:
        self._ids = ids
        self._postings = postings
        self._idf = idf
        self._oov_idf = oov_idf

    @classmethod
    def build(cls, ids: list[str], documents: list[list[tuple[Analysis, float]]]) -> Retrieval:
        """Index each entry's analysed texts (`documents`, in the order of `ids`)."""
        doc_feats = [_document_features(sources) for sources in documents]
        n = len(doc_feats)
        df: dict[str, int] = defaultdict(int)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, feats in enumerate(doc_feats):
            for key, w in feats.items():
                df[key] += 1
                postings[key].append((i, w))
        idf = {key: math.log(1 + (n - d + 0.5) / (d + 0.5)) for key, d in df.items()}
        oov_idf = OOV_FACTOR * math.log(1 + (n - 1 + 0.5) / 1.5)
        return cls(ids, dict(postings), idf, oov_idf)

    def scores(self, segments: list[Segment]) -> tuple[list[FaqHit], float]:
        """Entries by the share of the question they explain, and the share no entry's content
        knows at all (words and bigrams the content never uses)."""
        total = unknown_total = 0.0
        scores = [0.0] * len(self._ids)
        seen: set[str] = set()
        for segment in segments:
            unknown: list[float] = []
            for key, qw in segment:
                idf = self._idf.get(key)
                if idf is None:
                    if key.startswith("w:"):
                        unknown_total += qw * self._oov_idf * OOV_WORD_FACTOR / OOV_FACTOR
                    elif not key.startswith("u:"):
                        unknown.append(qw)
                    continue
                unknown_total += self._unknown_cost(unknown)
                unknown = []
                if key in seen:
                    continue
                seen.add(key)
                weight = qw * idf
                total += weight
                for doc, dw in self._postings[key]:
                    scores[doc] += weight * dw
            unknown_total += self._unknown_cost(unknown)
        total += unknown_total
        if total <= 0.0:
            return [], 0.0
        total += SMOOTHING
        hits = [FaqHit(self._ids[i], round(s / total, 4)) for i, s in enumerate(scores) if s > 0.0]
        hits.sort(key=lambda h: -h.score)
        return hits, unknown_total / total

    def _unknown_cost(self, weights: list[float]) -> float:
        """What a run of consecutive unknown bigrams adds to the question's total: one unknown
        word, each bigram after the first at RUN_EXTRA."""
        if not weights:
            return 0.0
        return self._oov_idf * max(weights) * (1 + RUN_EXTRA * (len(weights) - 1))
