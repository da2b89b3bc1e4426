"""Turning text into weighted features: the same analysis for content and for questions.

- Text is normalised (NFKC, case). English words are reduced to their Snowball (Porter2)
  stem, the same for content, synonyms, fillers and questions, so every inflection of a word
  meets the others (join/joining/joined, policy/policies). In a question, a word whose stem the
  content never uses is first read as the content word it is a typo of, when there is one
  (bot/understanding/faq/typos.py).
- Content-supplied synonyms then rewrite wording and spelling variants (見積もり/見積り/みつもり,
  freelancer/self-employed) to one concept, and filler request words (教えてください, please
  tell me) are dropped. Katakana and hiragana spellings of a synonym match alike. A synonym
  group holds true synonyms only: a variant that changes the meaning (対象外 is not 補償,
  "included" is not "covered") makes questions about one thing match another.
- Japanese is compared as character bigrams on hiragana-folded text: no word segmentation is
  needed, and polite/casual endings or a mistyped character only disturb a bigram or two.
  Bigrams made only of hiragana are mostly grammar (ですか, できる), so they weigh less than
  bigrams with a kanji, katakana or digit in them. Inside a katakana word each bigram after the
  first weighs less, so one loanword (サイバー: three bigrams) does not outweigh the rest of the
  question.
- English is compared as stems with stop words (grammar words, prepositions, conjunctions)
  dropped. A synonym concept counts as one feature, a little more than one bigram or word,
  since it stands for a whole word or phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.faq import FaqContent
from bot.normalize import normalize, to_hiragana
from bot.understanding.faq.phrases import is_latin, phrase_pattern, trie_pattern
from bot.understanding.faq.tokens import (
    APOSTROPHES,
    CONCEPT_CLOSE,
    CONCEPT_OPEN,
    CONTRACTION,
    DIGITS_ONLY,
    HIRAGANA,
    KANJI,
    KATAKANA_PAIR,
    STOPWORDS,
    TOKEN,
    WORD,
)
from bot.understanding.faq.typos import MAX_FUZZY_LOOKUPS, TypoCorrector
from bot.understanding.stemming import Stemmer

Segment = list[tuple[str, float]]
"""(feature, weight) pairs of one English word, one concept or one Japanese run's bigrams."""

HIRAGANA_ONLY_WEIGHT = 0.2
"""Weight of a Japanese bigram made only of hiragana (mostly grammar and endings)."""

MIXED_WEIGHT = 0.4
"""Weight of a bigram straddling a kanji/katakana word and a hiragana ending (見積り -> 積り):
part word, part inflection, so less telling than a bigram inside the word."""

UNIGRAM_WEIGHT = 0.4
"""Weight of a single kanji. A kanji alone is ambiguous, but it links inflected and compound
forms the bigrams miss (雇った / 雇用). An unknown kanji adds nothing to the question's total:
its bigrams already count as unknown."""

CONCEPT_WEIGHT = 1.1
"""Question weight of a synonym concept. It stands for a whole word or phrase, where a Japanese
word spelt out gives several bigrams, so it weighs a little more than one feature; not much
more, or a generic concept (いくら -> 金額) alone would outweigh a question's unknown words."""

KATAKANA_EXTRA = 0.5
"""Weight factor of each bigram of a katakana word after its first: a loanword's bigrams say
one thing, not several."""


@dataclass(frozen=True)
class Analysis:
    """A text as the index reads it: prepared (normalised, stemmed, synonyms as concepts) and
    cut into weighted feature segments. Built once per text, for retrieval and classifier alike."""

    prepared: str
    segments: list[Segment]

    @classmethod
    def of(cls, analyzer: Analyzer, text: str) -> Analysis:
        prepared = analyzer.prepare(text, correct=True)
        return cls(prepared, analyzer.segments(prepared))


def flatten(segments: list[Segment]) -> dict[str, float]:
    """Feature -> the highest weight it occurs with (at most 1) over a text's segments."""
    feats: dict[str, float] = {}
    for segment in segments:
        for key, weight in segment:
            put(feats, key, min(1.0, weight))
    return feats


def put(feats: dict[str, float], key: str, weight: float) -> None:
    """Keep the higher of `weight` and the weight `key` already has."""
    if weight > feats.get(key, 0.0):
        feats[key] = weight


class Analyzer:
    """Turns text into weighted features; the same analysis for content and for questions."""

    def __init__(self, faq: FaqContent) -> None:
        self._stemmer = Stemmer()
        self._typos = TypoCorrector()
        self._canonical: dict[str, str] = {}
        patterns: list[str] = []
        for lang_map in (faq.synonyms.ja, faq.synonyms.en):
            for canonical, variants in lang_map.items():
                canon = normalize(canonical)
                for variant in {self.stem_text(normalize(v)) for v in [*variants, canonical]}:
                    key = to_hiragana(variant)
                    # A variant claimed by two groups (directly or once stemmed) keeps the first.
                    self._canonical.setdefault(key, canon)
                    patterns.append(variant)
        latin = {p for p in patterns if is_latin(p)}
        kana_folded = {to_hiragana(p) for p in patterns if not is_latin(p)}
        # Japanese variants are sought in the hiragana-folded text (one character for one, so
        # spans carry over), which matches katakana and hiragana spellings alike.
        self._synonyms_ja = re.compile(trie_pattern(kana_folded)) if kana_folded else None
        self._synonyms_en = (
            re.compile(rf"(?<![a-z0-9])(?:{trie_pattern(latin)})(?![a-z0-9])") if latin else None
        )
        fillers = sorted(
            {self.stem_text(normalize(f)) for f in [*faq.fillers.ja, *faq.fillers.en]}, key=len, reverse=True
        )
        self._fillers = re.compile("|".join(phrase_pattern(f) for f in fillers)) if fillers else None

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """English words the content uses (synonyms included), so a typo can be read as the
        nearest of them."""
        self._typos.set_vocabulary(words, self.stem)

    def stem(self, word: str) -> str:
        """Snowball (Porter2) English stem: joining/joined -> join, policies -> polici."""
        return self._stemmer.stem(word)

    def stem_text(self, text: str, correct: bool = False) -> str:
        """Each English word of normalised `text` as its stem (stop words stay as written).

        With `correct`, a word whose stem the content never uses is first read as the nearest
        content word within one or two edits (covrage -> coverage), so typos of synonym
        members are corrected before synonyms are looked up.
        """
        lookups = 0

        def word(m: re.Match[str]) -> str:
            nonlocal lookups
            token = m.group(0)
            if token in STOPWORDS:
                return token
            token = CONTRACTION.sub("", token)
            if not token or token in STOPWORDS:
                return token
            if correct and self._typos.may_correct(token) and lookups < MAX_FUZZY_LOOKUPS:
                stem = self.stem(token)
                if self._typos.known_stem(stem):
                    return stem
                lookups += 1
                token = self._typos.correct(token) or token
            return self.stem(token)

        return WORD.sub(word, text)

    def prepare(self, text: str, correct: bool = False) -> str:
        """Normalise, stem English words (correcting typos with `correct`), rewrite synonyms to
        their canonical form, drop fillers."""
        text = APOSTROPHES.sub("'", normalize(text)).replace(CONCEPT_OPEN, "").replace(CONCEPT_CLOSE, "")
        text = self.stem_text(text, correct)
        if self._synonyms_en is not None:
            text = self._synonyms_en.sub(self._canonical_of, text)
        if self._synonyms_ja is not None:
            text = self._replace_ja_synonyms(text)
        if self._fillers is not None:
            text = self._fillers.sub(" ", text)
        return text

    def _replace_ja_synonyms(self, text: str) -> str:
        assert self._synonyms_ja is not None
        parts: list[str] = []
        last = 0
        for m in self._synonyms_ja.finditer(to_hiragana(text)):
            if m.end() == m.start():
                continue
            parts.append(text[last : m.start()])
            parts.append(self._canonical_of(m))
            last = m.end()
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)

    def _canonical_of(self, m: re.Match[str]) -> str:
        """The canonical form for a matched variant."""
        canon = self._canonical.get(to_hiragana(m.group(0)))
        return f" {CONCEPT_OPEN}{canon}{CONCEPT_CLOSE} " if canon else m.group(0)

    def segments(self, text: str) -> list[Segment]:
        """Prepared `text` as segments of (feature, weight) in text order.

        A segment is one English word or one Japanese run's bigrams; kanji unigrams come as
        segments of their own. The order matters to scoring: consecutive unknown bigrams are
        one unknown word, not several.
        """
        out: list[Segment] = []
        for token in TOKEN.findall(text):
            if token[0] == CONCEPT_OPEN:
                out.append([("s:" + token[1:-1], CONCEPT_WEIGHT)])
            elif token[0].isascii() and token[0].isalpha():
                token = CONTRACTION.sub("", token)
                if token in STOPWORDS or not token:
                    continue
                out.append([("w:" + token, 1.0)])
            elif DIGITS_ONLY.match(token):
                out.append([("n:" + token.replace(",", "").rstrip("%"), 1.0)])
            else:
                self._japanese(token, out)
        return out

    def _japanese(self, run: str, out: list[Segment]) -> None:
        run = run.replace(",", "")
        hira = to_hiragana(run)
        for ch, h in zip(run, hira):
            if KANJI.match(ch):
                out.append([("u:" + h, UNIGRAM_WEIGHT)])
        if len(run) == 1:
            if not HIRAGANA.match(run) and not KANJI.match(run):
                out.append([("j:" + hira, 1.0)])
            return
        bigrams = []
        in_katakana_word = False
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            kana = (HIRAGANA.match(pair[0]) is not None) + (HIRAGANA.match(pair[1]) is not None)
            weight = (1.0, MIXED_WEIGHT, HIRAGANA_ONLY_WEIGHT)[kana]
            katakana = KATAKANA_PAIR.match(pair) is not None
            if katakana and in_katakana_word:
                weight *= KATAKANA_EXTRA
            in_katakana_word = katakana
            bigrams.append(("j:" + hira[i : i + 2], weight))
        out.append(bigrams)
