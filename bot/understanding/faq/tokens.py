"""What the FAQ analysis reads as a word, a synonym concept and a Japanese run.

Shared by the analyzer (which cuts text into features), the typo vocabulary and the classifier
(which reads Japanese runs again for trigrams), so each of them sees the same tokens.
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
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
"""English grammar words, prepositions and conjunctions: dropped from features, never stemmed
or corrected."""

JA_CHAR = r"\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3400-\u4dbf\u4e00-\u9fff"
CONCEPT_OPEN, CONCEPT_CLOSE = "\u27e6", "\u27e7"
"""A synonym group's canonical form is written between these marks and read as one feature: a
concept counts once, however many characters (hence bigrams) its name has."""
TOKEN = re.compile(
    rf"{CONCEPT_OPEN}[^{CONCEPT_CLOSE}]*{CONCEPT_CLOSE}|(?:[0-9][0-9,]*%?|[{JA_CHAR}])+|[a-z]+(?:'[a-z]+)?"
)
HIRAGANA = re.compile(r"[\u3041-\u3096]")
KATAKANA_PAIR = re.compile(r"[\u30a1-\u30fa\u30fc]{2}")
DIGITS_ONLY = re.compile(r"^[0-9][0-9,]*%?$")
APOSTROPHES = re.compile(r"[’‘`´]")
CONTRACTION = re.compile(r"(?:'s|'re|'ve|'ll|'d|'m|n't|')$")
KANJI = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff]")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
JA_RUN = re.compile(rf"[{JA_CHAR}]{{3,}}")


def raw_words(text: str) -> list[str]:
    """The English words of normalised `text` as written (for the typo vocabulary)."""
    return [CONTRACTION.sub("", w) for w in WORD.findall(APOSTROPHES.sub("'", text))]
