"""Reading a misspelt English word as the content word it is a typo of.

In a question, a word whose stem the content never uses is first read as the content word it is
a typo of, when there is one: one edit away (a swap of neighbouring letters is one edit), same
first letter, at least five letters, and for words under seven letters no substituted letter,
since prime/price and police/policy are real words, not typos. The vocabulary for this is every
English word faq.yaml writes, synonym members included (covrage -> coverage -> the coverage
concept); not the labelled examples, which are written as people type, typos and all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Levenshtein

from bot.normalize import normalize
from bot.understanding.faq.tokens import STOPWORDS, raw_words

MIN_TYPO_LENGTH = 5
"""Shorter unknown words are left alone: one edit turns too many short words into others
(sues -> smes, boss -> loss)."""

SUBSTITUTION_MIN_LENGTH = 7
"""From this length a typo may be a substituted letter; shorter words one substitution from a
content word are usually other real words (prime/price)."""

MAX_FUZZY_LOOKUPS = 24
"""Typo correction is cheap per word but a pasted essay has hundreds; past this many unknown
words the rest stay unknown (they are off-topic text anyway)."""

CACHE_LIMIT = 10_000
"""Distinct unknown words whose correction is remembered."""


def typo_vocabulary(texts: Iterable[str]) -> set[str]:
    """The English words `texts` (content phrases) write, stop words left out."""
    vocab: set[str] = set()
    for text in texts:
        vocab.update(raw_words(normalize(text)))
    return {w for w in vocab if w not in STOPWORDS}


class TypoCorrector:
    """The content's English words, and the nearest of them for a word the content never uses."""

    def __init__(self) -> None:
        self.vocabulary: list[str] = []
        self._words: frozenset[str] = frozenset()
        self._stems: frozenset[str] = frozenset()
        self._cache: dict[str, str | None] = {}

    def set_vocabulary(self, words: Iterable[str], stem: Callable[[str], str]) -> None:
        """English words the content uses (synonyms included), so a typo can be read as the
        nearest of them."""
        self._words = frozenset(words)
        self.vocabulary = sorted(self._words)
        self._stems = frozenset(stem(w) for w in self._words)
        self._cache.clear()

    def may_correct(self, word: str) -> bool:
        """Whether `word` is long enough to be a typo and not itself a content word."""
        return len(word) >= MIN_TYPO_LENGTH and word not in self._words

    def known_stem(self, stem: str) -> bool:
        """Whether some content word has this stem (an inflection, not a typo)."""
        return stem in self._stems

    def correct(self, word: str) -> str | None:
        """The content word `word` is most likely a typo of, if any: one edit away (a swap of
        neighbouring letters counts as one), same first letter. A short word one letter
        substitution away from a content word is more likely another real word (prime/price,
        police/policy), so below SUBSTITUTION_MIN_LENGTH only a dropped, added or swapped letter
        counts as a typo."""
        if word in self._cache:
            return self._cache[word]
        result = None
        found = process.extract(word, self.vocabulary, scorer=OSA.distance, score_cutoff=1, limit=None)
        for candidate, _, _ in sorted(found, key=lambda f: (f[1], f[0])):
            if candidate[0] != word[0]:
                continue
            if len(word) < SUBSTITUTION_MIN_LENGTH and Indel.distance(word, candidate) == 2 and len(candidate) == len(word):
                if Levenshtein.distance(word, candidate) == 1:
                    continue  # one substituted letter; a swap of two letters is fine
            result = candidate
            break
        if len(self._cache) < CACHE_LIMIT:
            self._cache[word] = result
        return result
