"""Every amount candidate in a message: a numeral with its currency, hedge, sign and range.

A number is only taken as an amount when something says it is money: a yen marker
(円/yen/¥/JPY), a large unit (万/億/兆/million/billion), or - for a bare number - at least a
million written in digits. A counter after it (人, 件, 年, %, employees, ...) says it counts
something else, so it is never an amount. Foreign currency is marked on the candidate so the
bot can ask for yen instead of quoting on a misread figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from bot.understanding.amounts.lexicon import (
    APPROX_SUFFIX_RE,
    EN_COUNTER_RE,
    EN_PLURAL_OK,
    EN_PLURAL_RE,
    FOREIGN_PREFIXES,
    FOREIGN_SUFFIX_RE,
    ID_PREFIX_RE,
    JA_COUNTER_RE,
    KANJI_DIGITS,
    PREFIX_RE,
    RANGE_RE,
    SALES_RE,
    SMALL_UNITS,
    VAGUE_PREFIXES,
    WORD_RE,
    YEN_SUFFIX_RE,
)
from bot.understanding.amounts.numerals import Num, parse_number


@dataclass
class Candidate:
    """A classified amount candidate, positions in the normalised text."""

    start: int
    end: int
    yen: int
    low: int | None
    approximate: bool
    currency: str | None  # "yen", "foreign" or None (not said)



def _half_up(value: Fraction) -> int:
    """Integer yen, halves away from zero (1.5円 is not a real sales figure, but be exact)."""
    sign = -1 if value < 0 else 1
    v = abs(value)
    return sign * int(v + Fraction(1, 2))



def _counter_follows(s: str, j: int) -> bool:
    """Whether a counter (人, 件, %, employees, ...) follows position `j`."""
    return bool(JA_COUNTER_RE.match(s, j) or EN_COUNTER_RE.match(s, j))


def _plural_follows(s: str, j: int) -> bool:
    m = EN_PLURAL_RE.match(s, j)
    return bool(m and m.group(1) not in EN_PLURAL_OK)


def _looks_like_date(digits: str) -> bool:
    """20240401 is a date, not 20 million yen."""
    if len(digits) != 8:
        return False
    y, mo, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31


@dataclass
class _Side:
    """A numeral with what surrounds it: currency and hedges, ready to classify."""

    num: Num
    end: int                 # after the yen/foreign suffix and hedge
    currency: str | None
    approx_after: bool


def _suffix(s: str, num: Num) -> _Side:
    """Read what follows a numeral: a currency word, then a hedge."""
    j = num.end
    currency: str | None = None
    m = YEN_SUFFIX_RE.match(s, j)
    if m:
        currency, j = "yen", m.end()
    else:
        m = FOREIGN_SUFFIX_RE.match(s, j)
        if m:
            currency, j = "foreign", m.end()
    a = APPROX_SUFFIX_RE.match(s, j)
    approx = False
    if a and not (num.digits_only and not currency and s[j:a.end()].strip() == "位"):
        approx, j = True, a.end()
    return _Side(num, j, currency, approx)


def _is_money(s: str, side: _Side, yen_context: bool) -> bool:
    """Whether a numeral (with its suffix) reads as an amount of money at all."""
    num = side.num
    if side.currency is None and _counter_follows(s, num.end):
        return False
    if side.currency is not None:
        return not (num.needs_yen_after and side.currency != "yen")
    if num.needs_yen_after:
        return False
    if num.big_unit:
        return not (num.en_scale and _plural_follows(s, num.end))
    if num.weak_scale:
        return yen_context and not _plural_follows(s, num.end)
    if num.digits_only and not num.has_decimal and num.value >= 10**6:
        digits = num.digits_text
        if digits.startswith("0") or _looks_like_date(digits):
            return False
        after = s[num.end:num.end + 2]
        if after[:1].isascii() and after[:1].isalpha() or (
            after[:1] in ("-", "/", ":", ".") and after[1:].isdigit()
        ):
            return False  # part of an identifier, version or date (a full stop is fine)
        return not _plural_follows(s, num.end)
    return False


def _prefix(s: str, start: int) -> tuple[int, bool, bool, str | None]:
    """Hedge, sign and currency before a numeral: (new start, approximate, negative, currency)."""
    m = PREFIX_RE.search(s, max(0, start - 24), start)
    if not m or m.start() == m.end():
        return start, False, False, None
    cur = m.group("cur")
    currency = None
    if cur:
        currency = "foreign" if cur in FOREIGN_PREFIXES else "yen"
    negative = bool(m.group("sign1") or m.group("sign2"))
    return m.start(), bool(m.group("approx")), negative, currency


def scan(s: str) -> list[Candidate]:
    """Every amount candidate in normalised text `s`, left to right."""
    yen_context = bool(SALES_RE.search(s) or re.search(r"円|¥|(?<![a-z])(?:yen|jpy)(?![a-z])", s))
    cands: list[Candidate] = []
    n = len(s)
    i = 0
    while i < n:
        ch = s[i]
        word_start = ch.isascii() and ch.isalpha() and (i == 0 or not s[i - 1].isalpha())
        numeric = (ch.isascii() and ch.isdigit()) or ch in KANJI_DIGITS or ch in SMALL_UNITS
        if not (numeric or word_start) or (i > 0 and s[i - 1].isascii() and s[i - 1].isdigit()):
            i += 1
            continue
        num = parse_number(s, i)
        if num is None:
            word = WORD_RE.match(s, i) if word_start else None
            i = word.end() if word else i + 1  # skip the whole word: no number starts inside it
            continue
        cand = _candidate(s, num, yen_context)
        if cand is not None:
            cands.append(cand)
            i = max(cand.end, num.end, i + 1)
        else:
            i = max(num.end, i + 1)
    return cands


def _candidate(s: str, first: Num, yen_context: bool) -> Candidate | None:
    """Classify the numeral `first` (and a range it starts) as an amount, or None."""
    if first.start > 0 and s[first.start - 1] in VAGUE_PREFIXES:
        return None  # 数千万, 何億: no figure given; 第5: an ordinal
    if first.start > 0 and s[first.start - 1].isascii() and s[first.start - 1].isalpha() \
            and not re.search(r"(?:jpy|yen)$", s[max(0, first.start - 3):first.start]):
        return None  # glued to letters: "1e9", "pc9801", "v2" are not amounts of money
    if first.start > 1 and s[first.start - 1] in ",." and s[first.start - 2].isdigit():
        return None  # "1,5億", "5.5.5億": malformed; better to ask than to guess
    if ID_PREFIX_RE.search(s, max(0, first.start - 12), first.start) and first.digits_only:
        return None
    start, approx_before, negative, cur_before = _prefix(s, first.start)
    side_a = _suffix(s, first)

    # A range: "4〜5億", "3億から5億", "between 400 and 500 million yen".
    r = RANGE_RE.match(s, side_a.end)
    if r and r.end() < len(s):
        is_and = s[r.start():r.end()].strip() == "and"
        if not is_and or re.search(r"between ?(?:約|about|around|approximately|roughly|¥|\$)? ?$",
                                   s[max(0, start - 24):start]):
            second = parse_number(s, r.end()) if _startable(s, r.end()) else None
            if second is not None:
                side_b = _suffix(s, second)
                if _is_money(s, side_b, yen_context) or (
                    cur_before is not None and not _counter_follows(s, second.end)
                ):
                    low = first.value
                    if not first.big_unit and not first.weak_scale and side_a.currency is None:
                        low = first.value * second.smallest_unit  # "4〜5億": 4 means 4億
                    hi = second.value
                    currency = side_b.currency or side_a.currency or cur_before
                    sign = -1 if negative else 1
                    lo_yen, hi_yen = sorted((_half_up(low) * sign, _half_up(hi) * sign))
                    return Candidate(start, side_b.end, hi_yen, lo_yen,
                                 approx_before or side_a.approx_after or side_b.approx_after,
                                 currency)
    currency = side_a.currency or cur_before
    if cur_before is not None and side_a.currency is None:
        money = not _counter_follows(s, first.end) and not (first.needs_yen_after)
    else:
        money = _is_money(s, side_a, yen_context)
    if not money:
        return None
    yen = _half_up(first.value)
    return Candidate(start, side_a.end, -yen if negative else yen, None,
                 approx_before or side_a.approx_after, currency)


def _startable(s: str, i: int) -> bool:
    ch = s[i]
    return (ch.isascii() and ch.isalnum()) or ch in KANJI_DIGITS or ch in SMALL_UNITS
