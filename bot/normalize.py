"""One normalisation for everything that reads text: prospects' messages and the content they are
matched against (a leaf module: it imports nothing of the bot).

Prospects type full-width digits (５億), half-width katakana (ｶﾌｪ), odd spaces and
mixed case; matching on the raw text would make every rule list these variants again.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
"""Understanding looks at no more than this many characters of a message: enough for any
real question, and it keeps a 40,000-character paste from costing anything."""

_KATA_START, _KATA_END = ord("ァ"), ord("ヶ")
_DASHES = re.compile(r"[‐‑‒–—―−－ｰ]")
_WAVES = re.compile(r"[~〜～∼]")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def normalize(text: str) -> str:
    """NFKC, lower case, one kind of dash and wave, single spaces, no control characters."""
    text = text[:MAX_CHARS]
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = _WAVES.sub("〜", text)
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text)
    return text.strip().lower()


_TO_HIRAGANA = {code: code - 0x60 for code in range(_KATA_START, _KATA_END + 1)}


def to_hiragana(text: str) -> str:
    """Katakana to hiragana, so カフェ and かふぇ compare equal. The long-vowel mark stays."""
    return text.translate(_TO_HIRAGANA)


_JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


_AMOUNT_UNITS = re.compile(r"[0-9０-９][0-9０-９.,，．]*\s*(?:[兆億万千百]\s*)*円?|[¥￥]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def detect_language(text: str, default: str = "ja") -> str:
    """The language to answer in: 'ja' or 'en', else `default` (the conversation's language).

    Figures written the Japanese way ("5億円") say nothing about the language, nor does a
    single acronym or brand ("EC", "OK", "SaaS"): "Our sales are 5億円" is English, "ECです"
    Japanese, a bare "OK" keeps the conversation's language. Otherwise any kana or kanji makes
    the message Japanese unless English words clearly dominate (a few-character Japanese
    fragment in an English sentence)."""
    sample = _AMOUNT_UNITS.sub(" ", text[:MAX_CHARS])
    ja = len(_JA_CHARS.findall(sample))
    words = _LATIN_WORD.findall(sample)
    if ja and not (len(words) >= 3 and ja <= 4):
        return "ja"
    if not words:
        return default
    if len(words) == 1 and not ja and (words[0].isupper() or not words[0].islower() and not words[0].istitle()
                                       or words[0].lower() in ("ok", "okay")):
        return default  # "EC", "OK", "SaaS": an acronym or brand, not a sentence
    return "en"
