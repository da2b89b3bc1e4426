"""Regexes for content phrases (synonyms, fillers) as the analyzer seeks them in a question."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.normalize import to_hiragana
from bot.understanding.faq.tokens import HIRAGANA


def kana_insensitive(phrase: str) -> str:
    """A regex matching `phrase` with each kana in either hiragana or katakana."""
    out = []
    for ch in phrase:
        hira = to_hiragana(ch)
        if hira != ch or HIRAGANA.match(ch):
            kata = chr(ord(hira) + 0x60) if HIRAGANA.match(hira) else ch
            out.append(f"[{re.escape(hira)}{re.escape(kata)}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def is_latin(phrase: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9 '.,%&/-]+", phrase))


def trie_pattern(phrases: Iterable[str]) -> str:
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


def phrase_pattern(phrase: str) -> str:
    """Latin phrases (already stemmed, like the text they are sought in) match whole words
    only, so 'fine' is not found inside 'define'."""
    if is_latin(phrase):
        return rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"
    return kana_insensitive(phrase)
