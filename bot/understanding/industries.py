"""Finding the prospect's industry (業種) in a message.

The words come from content (content/industries.yaml); this module decides how they match:

* Japanese on normalised text folded to hiragana, so カフェ, かふぇ and ｶﾌｪ are one word;
  one- and two-character katakana words (バー) only as whole words (not inside サーバー).
* ASCII words only at word boundaries (plural -s/-es allowed), and a synonym written with
  capitals (IT, EC) only in capitals, so "Is it covered?" names no industry.
* Overlapping mentions: the longest wins (整備工場 is not 工場).
* A mention that is negated ("製造業ではなく", "not retail") is skipped, and one marked as the
  prospect's customers ("飲食店向け", "software for restaurants") only counts when nothing
  else is named. Of what remains, the last mention wins, so corrections work
  ("やっぱり卸売業でした").
* An industry we do not rate - from content's `other_industries`, or any "<名詞>業です /
  業を営んで / 業界" whose noun is not a synonym - gives key None: the flow then hands over to
  a person instead of asking again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.content.industries import IndustryContent, match_form
from bot.normalize import _CONTROL, _DASHES, _SPACES, _WAVES, MAX_CHARS, normalize, to_hiragana

__all__ = ["IndustryMatch", "find_industry"]


@dataclass(frozen=True)
class IndustryMatch:
    """`key` is an industry key, or None for an industry we do not rate; `surface` the words
    matched (normalised: NFKC, lower case), for replies."""

    key: str | None
    surface: str


@dataclass(frozen=True)
class _Term:
    form: str               # match_form(): normalised, hiragana
    key: str | None
    cased: str | None       # NFKC form to compare case-sensitively, when written with capitals
    short_kana: bool        # 1-2 katakana characters: whole word only
    ascii_left: bool        # starts with an ASCII letter/digit: needs a word boundary
    ascii_right: bool
    plural_ok: bool


@dataclass
class _Mention:
    start: int
    end: int
    key: str | None
    kind: str               # "term" or "pattern"
    negated: bool = False
    customer: bool = False


_KATA = re.compile(r"[ァ-ヶー]")
_KATA_ONLY = re.compile(r"^[ァ-ヶー]+$")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")

_NEGATED_AFTER = re.compile(
    r"(?:業|業界|業種|関係|関連|会社|企業|店)? ?(?:では|じゃ|でわ|でも) ?(?:なく|ない|ありません|ございません)"
    r"|(?:業)? ?以外"
)
_NEGATED_BEFORE = re.compile(
    r"(?:(?<![a-z])(?:not|no longer|nor|never|neither)|n't) (?:(?:a|an|the|in|into|really|actually|"
    r"exactly|just) )*$"
)
_CUSTOMER_AFTER = re.compile(
    r"(?:業|業界|店|会社|企業|さん|様)? ?(?:向け|むけ|相手|の(?:お客|顧客|取引先))"
)
_CUSTOMER_BEFORE = re.compile(r"(?<![a-z])(?:for|to|serving|serve|serves) (?:(?:a|an|the|local|small) )*$")

# "<noun>業です" names an industry even when the noun is not in content. The noun is the run
# of kanji/katakana before 業; compounds ending in these characters are not industries
# (企業, 事業, 営業, 創業, 従業員, 自営業, ...).
_PATTERN = re.compile(
    r"([\u3005\u4e00-\u9fffァ-ヶー]{1,12})業"
    r"(?=です|でして|でござ|をして|をやって|を営|を経営|界|者です|を行|の会社|の者|で働)"
)
_NOT_INDUSTRY_NOUN_END = set("企事営作創起開廃休卒授残職産同本副兼専家実分就従商協操始終")

_CACHE: dict[int, tuple[IndustryContent, list[_Term]]] = {}


def _cased_normalize(text: str) -> str:
    """normalize() without the final lower-casing, so IT and it can be told apart."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    text = _CONTROL.sub("", text)
    text = _WAVES.sub("〜", text)
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip()


def _terms(table: IndustryContent) -> list[_Term]:
    """The table's words in matching form, built once per table."""
    hit = _CACHE.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    words: list[tuple[str, str | None]] = []
    for industry in table.industries.values():
        words += [(w, industry.key) for w in industry.synonyms.ja + industry.synonyms.en]
    words += [(w, None) for w in table.other_industries.ja + table.other_industries.en]
    terms: dict[tuple[str, str | None], _Term] = {}
    for word, key in words:
        form = match_form(word)
        cased_form = _cased_normalize(word)
        cased = cased_form if any(c.isascii() and c.isupper() for c in cased_form) else None
        n = normalize(word)
        terms[(form, cased)] = _Term(
            form=form,
            key=key,
            cased=cased,
            short_kana=bool(_KATA_ONLY.match(n)) and len(n) <= 2,
            ascii_left=bool(_ASCII_ALNUM.match(form[0])),
            ascii_right=bool(_ASCII_ALNUM.match(form[-1])),
            plural_ok=form.isascii() and form[-1].isalpha(),
        )
    result = sorted(terms.values(), key=lambda t: -len(t.form))
    _CACHE[id(table)] = (table, result)
    return result


def _find_terms(s: str, hira: str, cased: str | None, terms: list[_Term]) -> list[_Mention]:
    """Every occurrence of every term, with its boundaries checked."""
    found: list[_Mention] = []
    n = len(s)
    for t in terms:
        pos = hira.find(t.form)
        while pos != -1:
            end = pos + len(t.form)
            ok = True
            if t.cased is not None and (cased is None or cased[pos:end] != t.cased):
                ok = False
            if ok and t.ascii_left and pos > 0 and _ASCII_ALNUM.match(s[pos - 1]):
                ok = False
            if ok and t.ascii_right and end < n and _ASCII_ALNUM.match(s[end]):
                m = re.match(r"(?:e?s)(?![a-z0-9])", s[end:end + 3]) if t.plural_ok and t.cased is None else None
                if m:
                    end += m.end()
                else:
                    ok = False
            if ok and t.short_kana and (
                (pos > 0 and _KATA.match(s[pos - 1])) or (end < n and _KATA.match(s[end]))
            ):
                ok = False
            if ok:
                found.append(_Mention(pos, end, t.key, "term"))
            pos = hira.find(t.form, pos + 1)
    return found


def _find_patterns(s: str) -> list[_Mention]:
    """"<noun>業です" style mentions of an industry, whatever the noun."""
    out = []
    for m in _PATTERN.finditer(s):
        noun = m.group(1)
        if noun[-1] in _NOT_INDUSTRY_NOUN_END:
            continue
        out.append(_Mention(m.start(), m.end(), None, "pattern"))
    return out


def _longest(mentions: list[_Mention]) -> list[_Mention]:
    """Drop mentions overlapping a longer one (a content term beats a pattern of equal span)."""
    ranked = sorted(mentions, key=lambda m: (-(m.end - m.start), m.kind != "term", m.start))
    kept: list[_Mention] = []
    for m in ranked:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def find_industry(text: str, table: IndustryContent) -> IndustryMatch | None:
    """The industry the message names, or None when it names none.

    Returns key None for an industry we do not rate, so the caller can tell "not said" (None)
    from "said, but not one we quote" (IndustryMatch(key=None)).
    """
    s = normalize(text)
    if not s:
        return None
    hira = to_hiragana(s)
    cased = _cased_normalize(text)
    if len(cased) != len(s) or cased.lower() != s:
        cased = None  # exotic case mappings: capital-only synonyms simply do not match
    terms = _terms(table)
    mentions = _find_terms(s, hira, cased, terms)
    # a pattern only counts where no content word explains it (精密機器製造業: 製造 is known)
    for p in _find_patterns(s):
        if all(p.end <= m.start or p.start >= m.end for m in mentions):
            mentions.append(p)
    mentions = _longest(mentions)
    for m in mentions:
        m.negated = bool(_NEGATED_AFTER.match(hira, m.end) or _NEGATED_BEFORE.search(s, max(0, m.start - 40), m.start))
        m.customer = bool(_CUSTOMER_AFTER.match(hira, m.end) or _CUSTOMER_BEFORE.search(s, max(0, m.start - 40), m.start))
    live = [m for m in mentions if not m.negated]
    chosen = [m for m in live if not m.customer] or live
    if not chosen:
        return None
    last = chosen[-1]
    return IndustryMatch(key=last.key, surface=s[last.start:last.end])
