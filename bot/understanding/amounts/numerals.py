"""Reading one numeral at a position of normalised text, Japanese or English.

* a Japanese numeral is a sequence of groups ``<n>兆 <n>億 <n>万 <n>``, each group built from
  Arabic digits (commas and a decimal point allowed) or kanji digits with 千/百/十 inside;
* an English tail multiplies by hundred/thousand/million/billion/trillion (and m/mn/bn/k);
* English numbers in words ("three hundred", "half a billion") are read too.

What a numeral is written with (units, digits only, kanji only, scale words) is kept on it, for
deciding later whether it is money (candidates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.understanding.amounts.lexicon import (
    BIG_UNITS,
    DECIMAL_RE,
    DIGITS_RE,
    EN_SCALES,
    EN_SMALL,
    KANJI_DIGITS,
    SMALL_UNITS,
    WORD_RE,
)


@dataclass
class Num:
    """A parsed numeral before classification: value and what it was written with."""

    start: int
    end: int
    value: Fraction
    big_unit: bool = False        # 万/億/兆 or million/billion/...: money on its own
    weak_scale: bool = False      # m/k/thousand/man: money only with yen context
    smallest_unit: int = 1        # multiplier a unit-less range start inherits ("4〜5億")
    digits_only: bool = True      # written with Arabic digits only (no units, no kanji)
    kanji_only: bool = False
    has_decimal: bool = False
    needs_yen_after: bool = False  # romanised "man": only with yen after it
    en_scale: bool = False         # multiplied by an English scale word
    digits_text: str = ""          # the Arabic digits as written (leading zeros, dates)



class _JaReader:
    """The state of reading one Japanese/Arabic numeral: groups of digits or kanji with 千百十
    inside, separated by 兆/億/万 in decreasing order. Each kind of character has its own step;
    a step returns False where the numeral ends."""

    def __init__(self, s: str, i: int) -> None:
        self.s = s
        self.start = i
        self.j = i                         # the next character to read
        self.total = Fraction(0)           # the groups closed by 兆/億/万 so far
        self.group = Fraction(0)           # the current group's 千百十 part
        self.cur: Fraction | None = None   # digits read and not yet multiplied by a unit
        self.cur_start = i
        self.last_big = 10**13             # units must decrease: 億 after 万 ends the numeral
        self.last_small = 10**4
        self.saw_number = self.saw_arabic = self.saw_kanji = False
        self.num = Num(start=i, end=i, value=Fraction(0))

    def read(self) -> Num | None:
        while self.j < len(self.s) and self._step():
            pass
        return self._finish()

    def _step(self) -> bool:
        s, j = self.s, self.j
        # "5 億": a space before a unit belongs to the numeral once a number was read
        k = j + 1 if (s[j] == " " and j + 1 < len(s) and (s[j + 1] in BIG_UNITS or s[j + 1] in SMALL_UNITS)
                      and self.saw_number) else j
        ch = s[k]
        if ch.isascii() and ch.isdigit() and self.cur is None and k == j:
            self._arabic()
            return True
        if ch in KANJI_DIGITS and self.cur is None and k == j:
            self._kanji_digits()
            return True
        if ch in SMALL_UNITS:
            return self._small_unit(SMALL_UNITS[ch], k)
        if ch in BIG_UNITS and self.saw_number:
            return self._big_unit(BIG_UNITS[ch], k)
        return False

    def _arabic(self) -> None:
        """Arabic digits, commas and one decimal point: 1,500 or 1.5."""
        s, n, j = self.s, len(self.s), self.j
        self.cur_start = j
        m = DIGITS_RE.match(s, j)
        assert m is not None
        digits = m.group().replace(",", "")
        end = m.end()
        d = DECIMAL_RE.match(s, end)
        if d and not (d.end() < n and s[d.end()] == "."):  # 1.2.3 is a version, not 1.2
            self.cur = Fraction(digits + d.group())
            self.num.has_decimal = True
            end = d.end()
        else:
            self.cur = Fraction(int(digits))
        self.num.digits_text = digits
        self.saw_arabic = self.saw_number = True
        self.j = end

    def _kanji_digits(self) -> None:
        """A run of kanji digits read positionally: 二〇二四 is 2024."""
        s, n, j = self.s, len(self.s), self.j
        self.cur_start = j
        run_end = j
        while run_end < n and s[run_end] in KANJI_DIGITS:
            run_end += 1
        run = s[j:run_end]
        self.cur = Fraction(int("".join(str(KANJI_DIGITS[c]) for c in run)))
        self.saw_kanji = self.saw_number = True
        self.j = run_end

    def _small_unit(self, unit: int, k: int) -> bool:
        """十/百/千 multiplying the digits before it (or 1: 千五百)."""
        if unit >= self.last_small:
            return False
        self.group += (self.cur if self.cur is not None else 1) * unit
        self.cur = None
        self.last_small = unit
        self.saw_kanji = self.saw_number = True
        self.num.smallest_unit = unit
        self.j = k + 1
        return True

    def _big_unit(self, unit: int, k: int) -> bool:
        """万/億/兆 closing the group before it."""
        if unit >= self.last_big or (self.cur is None and self.group == 0):
            if self.cur is not None and self.cur_start > self.start:
                self.j, self.cur = self.cur_start, None  # "5億5億": the second 5 starts another number
            return False
        self.total += (self.group + (self.cur or 0)) * unit
        self.group, self.cur = Fraction(0), None
        self.last_big, self.last_small = unit, 10**4
        self.num.big_unit = True
        self.num.smallest_unit = unit
        self.j = k + 1
        return True

    def _finish(self) -> Num | None:
        if not self.saw_number:
            return None
        num, j, cur = self.num, self.j, self.cur
        num.end = j
        num.value = self.total + self.group + (cur or 0)
        num.digits_only = self.saw_arabic and not self.saw_kanji and not num.big_unit
        num.kanji_only = self.saw_kanji and not self.saw_arabic and not num.big_unit
        if num.kanji_only and num.smallest_unit == 1 and j - self.start == 1 and cur is not None and cur < 1:
            return None  # a lone 〇/零 is a circle or a word, not zero
        return num


def _parse_ja(s: str, i: int) -> Num | None:
    """Read a Japanese/Arabic numeral at `i`: groups of digits or kanji with 千百十 inside,
    separated by 兆/億/万 in decreasing order. Returns None when nothing numeric is there."""
    return _JaReader(s, i).read()


def _parse_en_words(s: str, i: int) -> Num | None:
    """Read an English number in words at `i` ("three hundred", "twenty-five", "a")."""
    n = len(s)
    j = i
    cur: int | None = None
    end = i
    while j < n:
        m = WORD_RE.match(s, j)
        if not m:
            break
        w = m.group()
        if w in EN_SMALL:
            v = EN_SMALL[w]
            if cur is not None and not (cur % 10 == 0 and cur >= 20 and v < 10) and not (
                cur % 100 == 0 and cur >= 100 and v < 100
            ):
                break
            cur = (cur or 0) + v
        elif w in ("a", "an") and cur is None:
            nxt = WORD_RE.match(s, m.end() + 1) if m.end() < n and s[m.end()] == " " else None
            if not nxt or nxt.group() not in ("hundred", "thousand", "million", "billion", "trillion", "half", "quarter"):
                break
            cur = 1
        elif w in ("half", "quarter") and cur in (None, 1):
            # "half a billion", "a quarter of a billion": a fraction of the scale that follows
            cur = Fraction(1, 2) if w == "half" else Fraction(1, 4)
            k = m.end()
            for filler in (" of", " a", " an"):
                if s.startswith(filler, k) and (k + len(filler) == n or not s[k + len(filler)].isalpha()):
                    k += len(filler)
            end = j = k
            if j < n and s[j] == " " and j + 1 < n and s[j + 1].isalpha():
                j += 1
            continue
        elif w == "hundred" and cur is not None and cur < 100:
            cur *= 100
        elif w == "and" and cur is not None and cur >= 100:
            pass  # "one hundred and fifty"
        else:
            break
        end = m.end()
        j = end
        if j < n and s[j] in " -" and j + 1 < n and s[j + 1].isalpha():
            j += 1
    if cur is None:
        return None
    return Num(start=i, end=end, value=Fraction(cur), digits_only=False)


def _scale_at(s: str, j: int) -> tuple[str, int, int, bool] | None:
    """An English/romanised scale word at `j` (after an optional space): word, end, value, strong."""
    k = j + 1 if j < len(s) and s[j] == " " else j
    m = WORD_RE.match(s, k)
    if not m or m.group() not in EN_SCALES:
        return None
    value, strong = EN_SCALES[m.group()]
    return m.group(), m.end(), value, strong


def _parse_en_tail(s: str, num: Num) -> Num:
    """Apply English scale words after a number: "5 hundred million", "1.2bn", "1 billion
    200 million". Compound parts must come in decreasing scale."""
    sc = _scale_at(s, num.end)
    if sc is None or num.big_unit:
        return num
    total = Fraction(0)
    cur = num.value
    end = num.end
    last = 10**16
    while sc is not None:
        word, w_end, value, strong = sc
        if value == 100:
            if cur >= 100 and cur.denominator == 1 and cur % 100 == 0:
                break
            cur *= 100
        else:
            if value >= last:
                break
            total += cur * value
            cur = Fraction(0)
            last = value
            num.smallest_unit = value
        if strong:
            num.big_unit = True
        else:
            num.weak_scale = True
        if word == "man":
            num.needs_yen_after = True
        num.digits_only = False
        num.en_scale = True
        end = w_end
        sc = _scale_at(s, end)
        if sc is None and cur == 0:
            # a continuation: "1 billion 200 million"
            k = end + 1 if end < len(s) and s[end] == " " else end
            if k < len(s) and s[k].isdigit():
                more = _parse_ja(s, k)
                if more and more.digits_only:
                    sc2 = _scale_at(s, more.end)
                    if sc2 is not None and sc2[2] < last and sc2[2] != 100:
                        cur = more.value
                        end = more.end
                        sc = sc2
    num.value = total + cur
    num.end = end
    return num


def parse_number(s: str, i: int) -> Num | None:
    """Any numeral at `i`, with its English scale words."""
    ch = s[i]
    if ch.isascii() and ch.isdigit() or ch in KANJI_DIGITS or ch in SMALL_UNITS:
        num = _parse_ja(s, i)
    elif ch.isascii() and ch.isalpha() and (i == 0 or not s[i - 1].isalpha()):
        num = _parse_en_words(s, i)
    else:
        return None
    if num is None:
        return None
    return _parse_en_tail(s, num)
