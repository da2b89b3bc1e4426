"""Matching a free-text question to an FAQ entry, or abstaining.

Why this method: the FAQ is small (a dozen or so topics), questions arrive in Japanese and
English, and nothing may call a hosted model or need a tokenizer dictionary. So:

- Text is normalised (NFKC, case). English words are reduced to their Snowball (Porter2)
  stem, the same for content, synonyms, fillers and questions, so every inflection of a word
  meets the others (join/joining/joined, policy/policies). In a question, a word whose stem the
  content never uses is first read as the content word it is a typo of, when there is one:
  one edit away (a swap of neighbouring letters is one edit), same first letter, at least five
  letters, and for words under seven letters no substituted letter, since prime/price and
  police/policy are real words, not typos. The vocabulary for this is every English word
  faq.yaml writes, synonym members included (covrage -> coverage -> the coverage concept); not
  the labelled examples, which are written as people type, typos and all.
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
- Each feature is weighted by its inverse entry frequency, so words every entry shares (保険,
  insurance) count for little and a topic's own words count for a lot.

The score of an entry is the share of the question's weight that the entry explains (0..1).
A feature the content never uses counts in the question's total at a high weight, so a
question about something else (自動車保険, the weather) explains poorly against every entry.

That retrieval score is the first stage. The second, which decides, is a softmax classifier
(FaqIndex, bot/understanding/softmax.py) over the same features plus Japanese character
trigrams and the retrieval scores themselves, trained on the curated question forms and on
labelled example questions in people's own words (content/faq_examples.yaml), with an extra
class for questions the bot must not answer. The bot answers the most probable entry when its
probability reaches the content's `abstain_threshold` (faq.yaml) and beats out of scope.

The index and the classifier are built once at start-up (`FaqIndex.build`); a question costs
one pass over its (truncated) text, a dictionary lookup per feature and one small matrix sum.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Levenshtein

from bot.content.faq import FaqContent
from bot.normalize import detect_language, normalize, to_hiragana
from bot.understanding.softmax import Sample, SoftmaxRegression
from bot.understanding.stemming import Stemmer

HIRAGANA_ONLY_WEIGHT = 0.2
"""Weight of a Japanese bigram made only of hiragana (mostly grammar and endings)."""

MIXED_WEIGHT = 0.4
"""Weight of a bigram straddling a kanji/katakana word and a hiragana ending (見積り -> 積り):
part word, part inflection, so less telling than a bigram inside the word."""

UNIGRAM_WEIGHT = 0.4
"""Weight of a single kanji. A kanji alone is ambiguous, but it links inflected and compound
forms the bigrams miss (雇った / 雇用). An unknown kanji adds nothing to the question's total:
its bigrams already count as unknown."""

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

CONCEPT_WEIGHT = 1.1
"""Question weight of a synonym concept. It stands for a whole word or phrase, where a Japanese
word spelt out gives several bigrams, so it weighs a little more than one feature; not much
more, or a generic concept (いくら -> 金額) alone would outweigh a question's unknown words."""

KATAKANA_EXTRA = 0.5
"""Weight factor of each bigram of a katakana word after its first: a loanword's bigrams say
one thing, not several."""

OOV_FACTOR = 0.8
"""An unknown Japanese bigram weighs this times the inverse frequency of a feature unique to
one entry: high enough that a question mostly about something else falls below the threshold,
low enough that a prospect's own details (デザイン事務所) do not drown the question."""

OOV_WORD_FACTOR = 1.0
"""The same for an unknown English word. A whole unknown word is stronger evidence that the
question is about something else than one unknown bigram of a Japanese word."""

MIN_TYPO_LENGTH = 5
"""Shorter unknown words are left alone: one edit turns too many short words into others
(sues -> smes, boss -> loss)."""

SUBSTITUTION_MIN_LENGTH = 7
"""From this length a typo may be a substituted letter; shorter words one substitution from a
content word are usually other real words (prime/price)."""

MAX_FUZZY_LOOKUPS = 24
"""Typo correction is cheap per word but a pasted essay has hundreds; past this many unknown
words the rest stay unknown (they are off-topic text anyway)."""

_STOPWORDS = frozenset(
    """a an the is are am was were be been being do does did doing i me my mine we us our ours
    you your yours u ur it its it's this that these those there here to of in on for with at by
    from as and or but if so than then can could would should will shall may might have has had
    having what which who whom whose how when where why any some get got gets getting about just
    only also too very really much many more most such own same other others into onto up down
    out off over under again further once all both each few no nor not don't doesn't isn't
    aren't can't cannot won't im i'm i'd i'll i've we're we've we'd you're it'd let let's like
    want wanted know yes ok okay well still yet even ever something anything thing
    things one ones am pm s t d ll ve re m give gives tell show let make go see use take takes
    exactly actually please after before while during since until till because though although
    unless whether rather either neither""".split()
)

_JA_CHAR = r"\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3400-\u4dbf\u4e00-\u9fff"
_CONCEPT_OPEN, _CONCEPT_CLOSE = "\u27e6", "\u27e7"
"""A synonym group's canonical form is written between these marks and read as one feature: a
concept counts once, however many characters (hence bigrams) its name has."""
_TOKEN = re.compile(
    rf"{_CONCEPT_OPEN}[^{_CONCEPT_CLOSE}]*{_CONCEPT_CLOSE}|(?:[0-9][0-9,]*%?|[{_JA_CHAR}])+|[a-z]+(?:'[a-z]+)?"
)
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
_KATAKANA_PAIR = re.compile(r"[\u30a1-\u30fa\u30fc]{2}")
_DIGITS_ONLY = re.compile(r"^[0-9][0-9,]*%?$")
_APOSTROPHES = re.compile(r"[’‘`´]")
_CONTRACTION = re.compile(r"(?:'s|'re|'ve|'ll|'d|'m|n't|')$")
_KANJI = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_JA_RUN = re.compile(rf"[{_JA_CHAR}]{{3,}}")


@dataclass(frozen=True)
class _Analysis:
    """A text as the index reads it: prepared (normalised, stemmed, synonyms as concepts) and
    cut into weighted feature segments. Built once per text, for retrieval and classifier alike."""

    prepared: str
    segments: list[list[tuple[str, float]]]

    @classmethod
    def of(cls, analyzer: "_Analyzer", text: str) -> "_Analysis":
        prepared = analyzer.prepare(text, correct=True)
        return cls(prepared, analyzer.segments(prepared))


@dataclass(frozen=True)
class FaqHit:
    """One ranked FAQ entry: its id and the classifier's probability (0..1) that the entry
    answers the question."""

    id: str
    score: float


def _kana_insensitive(phrase: str) -> str:
    """A regex matching `phrase` with each kana in either hiragana or katakana."""
    out = []
    for ch in phrase:
        hira = to_hiragana(ch)
        if hira != ch or _HIRAGANA.match(ch):
            kata = chr(ord(hira) + 0x60) if _HIRAGANA.match(hira) else ch
            out.append(f"[{re.escape(hira)}{re.escape(kata)}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _is_latin(phrase: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9 '.,%&/-]+", phrase))


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regex for a set of literal phrases, factored as a trie: a long synonym list as a
    plain alternation is tried phrase by phrase at every position of the text (0.1 ms a
    question), while a trie reads each character once. At each node the longer continuations
    come before stopping there, so the longest phrase at a position wins, as in the sorted
    alternation it replaces."""
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)


def _phrase_pattern(phrase: str) -> str:
    """Latin phrases (already stemmed, like the text they are sought in) match whole words
    only, so 'fine' is not found inside 'define'."""
    if _is_latin(phrase):
        return rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"
    return _kana_insensitive(phrase)


class _Analyzer:
    """Turns text into weighted features; the same analysis for content and for questions."""

    def __init__(self, faq: FaqContent) -> None:
        self._stemmer = Stemmer()
        self.vocabulary: list[str] = []
        self._vocab_set: frozenset[str] = frozenset()
        self._vocab_stems: frozenset[str] = frozenset()
        self._fuzzy_cache: dict[str, str | None] = {}
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
        latin = {p for p in patterns if _is_latin(p)}
        kana_folded = {to_hiragana(p) for p in patterns if not _is_latin(p)}
        # Japanese variants are sought in the hiragana-folded text (one character for one, so
        # spans carry over), which matches katakana and hiragana spellings alike.
        self._synonyms_ja = re.compile(_trie_pattern(kana_folded)) if kana_folded else None
        self._synonyms_en = (
            re.compile(rf"(?<![a-z0-9])(?:{_trie_pattern(latin)})(?![a-z0-9])") if latin else None
        )
        fillers = sorted(
            {self.stem_text(normalize(f)) for f in [*faq.fillers.ja, *faq.fillers.en]}, key=len, reverse=True
        )
        self._fillers = re.compile("|".join(_phrase_pattern(f) for f in fillers)) if fillers else None

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """English words the content uses (synonyms included), so a typo can be read as the
        nearest of them."""
        self._vocab_set = frozenset(words)
        self.vocabulary = sorted(self._vocab_set)
        self._vocab_stems = frozenset(self.stem(w) for w in self._vocab_set)
        self._fuzzy_cache.clear()

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
            if token in _STOPWORDS:
                return token
            token = _CONTRACTION.sub("", token)
            if not token or token in _STOPWORDS:
                return token
            if correct and len(token) >= MIN_TYPO_LENGTH and token not in self._vocab_set and lookups < MAX_FUZZY_LOOKUPS:
                stem = self.stem(token)
                if stem in self._vocab_stems:
                    return stem
                lookups += 1
                token = self._correct(token) or token
            return self.stem(token)

        return _WORD.sub(word, text)

    def raw_words(self, text: str) -> list[str]:
        """The English words of normalised `text` as written (for the typo vocabulary)."""
        return [_CONTRACTION.sub("", w) for w in _WORD.findall(_APOSTROPHES.sub("'", text))]

    def prepare(self, text: str, correct: bool = False) -> str:
        """Normalise, stem English words (correcting typos with `correct`), rewrite synonyms to
        their canonical form, drop fillers."""
        text = _APOSTROPHES.sub("'", normalize(text)).replace(_CONCEPT_OPEN, "").replace(_CONCEPT_CLOSE, "")
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
        return f" {_CONCEPT_OPEN}{canon}{_CONCEPT_CLOSE} " if canon else m.group(0)

    def segments(self, text: str) -> list[list[tuple[str, float]]]:
        """Prepared `text` as segments of (feature, weight) in text order.

        A segment is one English word or one Japanese run's bigrams; kanji unigrams come as
        segments of their own. The order matters to scoring: consecutive unknown bigrams are
        one unknown word, not several.
        """
        out: list[list[tuple[str, float]]] = []
        for token in _TOKEN.findall(text):
            if token[0] == _CONCEPT_OPEN:
                out.append([("s:" + token[1:-1], CONCEPT_WEIGHT)])
            elif token[0].isascii() and token[0].isalpha():
                token = _CONTRACTION.sub("", token)
                if token in _STOPWORDS or not token:
                    continue
                out.append([("w:" + token, 1.0)])
            elif _DIGITS_ONLY.match(token):
                out.append([("n:" + token.replace(",", "").rstrip("%"), 1.0)])
            else:
                self._japanese(token, out)
        return out

    def features(self, text: str) -> dict[str, float]:
        """Feature -> weight (the highest weight it occurs with) for prepared `text`."""
        return _flatten(self.segments(text))

    def _japanese(self, run: str, out: list[list[tuple[str, float]]]) -> None:
        run = run.replace(",", "")
        hira = to_hiragana(run)
        for ch, h in zip(run, hira):
            if _KANJI.match(ch):
                out.append([("u:" + h, UNIGRAM_WEIGHT)])
        if len(run) == 1:
            if not _HIRAGANA.match(run) and not _KANJI.match(run):
                out.append([("j:" + hira, 1.0)])
            return
        bigrams = []
        in_katakana_word = False
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            kana = (_HIRAGANA.match(pair[0]) is not None) + (_HIRAGANA.match(pair[1]) is not None)
            weight = (1.0, MIXED_WEIGHT, HIRAGANA_ONLY_WEIGHT)[kana]
            katakana = _KATAKANA_PAIR.match(pair) is not None
            if katakana and in_katakana_word:
                weight *= KATAKANA_EXTRA
            in_katakana_word = katakana
            bigrams.append(("j:" + hira[i : i + 2], weight))
        out.append(bigrams)

    def _correct(self, word: str) -> str | None:
        """The content word `word` is most likely a typo of, if any: one edit away (a swap of
        neighbouring letters counts as one), same first letter. A short word one letter
        substitution away from a content word is more likely another real word (prime/price,
        police/policy), so below SUBSTITUTION_MIN_LENGTH only a dropped, added or swapped letter
        counts as a typo."""
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
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
        if len(self._fuzzy_cache) < 10_000:
            self._fuzzy_cache[word] = result
        return result


def _spread(sources: int) -> float:
    """A feature found in several of an entry's questions and keywords is more typical of the
    entry than one mentioned once; this mostly breaks ties between entries."""
    return min(1.0, SINGLE_SOURCE + (1.0 - SINGLE_SOURCE) * (sources - 1) / 2)


def _flatten(segments: list[list[tuple[str, float]]]) -> dict[str, float]:
    """Feature -> the highest weight it occurs with (at most 1) over a text's segments."""
    feats: dict[str, float] = {}
    for segment in segments:
        for key, weight in segment:
            _put(feats, key, min(1.0, weight))
    return feats


def _put(feats: dict[str, float], key: str, weight: float) -> None:
    if weight > feats.get(key, 0.0):
        feats[key] = weight


class FaqIndex:
    """Ranks FAQ entries for a question and abstains when it is not confident enough.

    Two stages, both built once from content at start-up:
    - retrieval: each entry scored by the share of the question its curated question forms,
      keywords and answer explain (see the module docstring); robust for wording the content
      never saw, and a strong signal that a question is about something else;
    - a classifier (bot/understanding/softmax.py) over the same features, Japanese character
      trigrams and the retrieval scores, trained on the curated forms and the labelled examples
      (content/faq_examples.yaml), with one more class for out of scope. It decides: it learns
      where neighbouring entries part (a fine the policy pays vs how large fines are) and what
      the bot must not answer, which the retrieval scores alone cannot.
    An entry's score is the classifier's probability that it answers the question.
    """

    def __init__(
        self,
        faq: FaqContent,
        analyzer: _Analyzer,
        postings: dict[str, list[tuple[int, float]]],
        idf: dict[str, float],
        oov_idf: float,
    ) -> None:
        self._faq = faq
        self._ids = [e.id for e in faq.entries]
        self._answers = {e.id: e.answer for e in faq.entries}
        self._analyzer = analyzer
        self._postings = postings
        self._idf = idf
        self._oov_idf = oov_idf
        self._classifier: SoftmaxRegression | None = None
        self.threshold = faq.abstain_threshold
        self.statement_threshold = faq.statement_threshold
        patterns = [to_hiragana(p) for p in [*faq.out_of_scope.ja, *faq.out_of_scope.en]]
        self._out_of_scope = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    @classmethod
    def build(cls, faq: FaqContent) -> "FaqIndex":
        """Analyse every entry once (question forms and keywords fully, answers at lower
        weight), then train the classifier on them and the labelled examples."""
        analyzer = _Analyzer(faq)
        vocab: set[str] = set()
        for phrases in [*faq.synonyms.en.values(), list(faq.synonyms.en), faq.fillers.en]:
            for phrase in phrases:
                vocab.update(analyzer.raw_words(normalize(phrase)))
        documents: list[list[tuple[str, float]]] = []
        for entry in faq.entries:
            sources = [(q, 1.0) for q in [*entry.questions.ja, *entry.questions.en]]
            sources += [(k, 1.0) for k in [*entry.keywords.ja, *entry.keywords.en]]
            sources += [(entry.answer.ja, ANSWER_WEIGHT), (entry.answer.en, ANSWER_WEIGHT)]
            documents.append(sources)
            for text, _ in sources:
                vocab.update(analyzer.raw_words(normalize(text)))
        # The typo vocabulary is the curated content's alone: labelled examples are written as
        # people type, typos included (covrage, permium), and a typo in the vocabulary is never
        # corrected. Examples go through the same correction as questions do.
        analyzer.set_vocabulary(w for w in vocab if w not in _STOPWORDS)

        analysed: dict[str, _Analysis] = {}  # content text -> its analysis, reused to train
        doc_feats: list[dict[str, float]] = []
        for sources in documents:
            feats: dict[str, float] = {}
            counts: dict[str, int] = defaultdict(int)
            for text, weight in sources:
                analysed[text] = _Analysis.of(analyzer, text)
                for key, w in _flatten(analysed[text].segments).items():
                    _put(feats, key, w * weight)
                    counts[key] += 1
            doc_feats.append({key: w * _spread(counts[key]) for key, w in feats.items()})

        n = len(doc_feats)
        df: dict[str, int] = defaultdict(int)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, feats in enumerate(doc_feats):
            for key, w in feats.items():
                df[key] += 1
                postings[key].append((i, w))
        idf = {key: math.log(1 + (n - d + 0.5) / (d + 0.5)) for key, d in df.items()}
        oov_idf = OOV_FACTOR * math.log(1 + (n - 1 + 0.5) / 1.5)
        index = cls(faq, analyzer, dict(postings), idf, oov_idf)
        index._train(analysed)
        return index

    def _train(self, analysed: dict[str, "_Analysis"]) -> None:
        """Fit the classifier: every question form and keyword of an entry, its answer at lower
        weight, every labelled example; out-of-scope examples are the last class.

        The classes are balanced: out of scope, one class with as many examples as several
        entries together (everything the bot must not answer looks different), weighs in total
        what an average entry does. Unweighted, its prior alone outvotes an entry the question
        is only moderately sure of, and the bot abstains on answerable questions
        (benchmarks/faq_eval.py --cv at the shipped threshold, ten example sets: unweighted 94.5%
        right in scope, 95.7% of out of scope abstained; balanced 95.5% and 93.2%)."""
        out_class = len(self._ids)
        samples: list[Sample] = []
        for label, entry in enumerate(self._faq.entries):
            for text in [*entry.questions.ja, *entry.questions.en, *entry.keywords.ja, *entry.keywords.en]:
                samples.append(Sample(self._features_of(analysed[text]), label))
            for text in (entry.answer.ja, entry.answer.en):
                samples.append(Sample(self._features_of(analysed[text]), label, ANSWER_WEIGHT))
        label_of = {entry_id: i for i, entry_id in enumerate(self._ids)}
        labelled = [(example, out_class if example.id is None else label_of[example.id]) for example in self._faq.examples]
        out_count = sum(1 for _, label in labelled if label == out_class)
        per_entry = (sum(s.weight for s in samples) + len(labelled) - out_count) / len(self._ids)
        out_weight = min(1.0, per_entry / out_count) if out_count else 1.0
        for example, label in labelled:
            weight = out_weight if label == out_class else 1.0
            samples.append(Sample(self._features(example.q), label, weight))
        self._classifier = SoftmaxRegression.fit(samples, out_class + 1, CLASSIFIER_C, MIN_FEATURE_COUNT)

    def _features(self, text: str) -> dict[str, float]:
        """What the classifier sees of a text: the retrieval features, Japanese character
        trigrams (a word's shape beyond two characters: 報告義務 vs 報告費用), how well each
        entry's curated content explains the text, and how much of it no entry knows (a
        question mostly in words the content never uses is about something else)."""
        return self._features_of(_Analysis.of(self._analyzer, text))

    def _features_of(self, analysis: "_Analysis") -> dict[str, float]:
        feats = _flatten(analysis.segments)
        for run in _JA_RUN.findall(to_hiragana(analysis.prepared)):
            for i in range(len(run) - 2):
                feats["t:" + run[i : i + 3]] = TRIGRAM_WEIGHT
        hits, unknown = self._retrieve(analysis.segments)
        for hit in hits:
            feats["r:" + hit.id] = hit.score
        feats["r:best"] = hits[0].score if hits else 0.0
        feats["r:unknown"] = unknown
        return feats

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
        assert self._classifier is not None
        probs = self._classifier.probabilities(self._features(text))
        hits = [FaqHit(entry_id, round(float(p), 4)) for entry_id, p in zip(self._ids, probs)]
        hits.sort(key=lambda h: -h.score)
        return hits, float(probs[-1])

    def _retrieve(self, segments: list[list[tuple[str, float]]]) -> tuple[list[FaqHit], float]:
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
        if not weights:
            return 0.0
        return self._oov_idf * max(weights) * (1 + RUN_EXTRA * (len(weights) - 1))

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

    def answer_for(self, question: str, entry_id: str) -> str:
        """The answer in the question's language (Japanese when the text says nothing)."""
        return self.answer(entry_id, detect_language(question, default="ja"))
