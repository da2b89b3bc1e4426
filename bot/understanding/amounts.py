"""Finding the annual-sales figure in a prospect's message, and writing yen back.

Prospects write money in many ways: 5億円, ５億, 五億, 1億5,000万円, 千五百万, ¥500,000,000,
"1.2 billion yen", "500m yen", ranges (4〜5億, "between 400 and 500 million yen"), hedges
(約, くらい, about). A list of patterns would only cover the phrasings we have seen, so this
module reads numbers with a small grammar instead:

* a Japanese numeral is a sequence of groups ``<n>兆 <n>億 <n>万 <n>``, each group built from
  Arabic digits (commas and a decimal point allowed) or kanji digits with 千/百/十 inside;
* an English tail multiplies by hundred/thousand/million/billion/trillion (and m/mn/bn/k);
* a sign, currency, approximation words and a range connector may surround it.

A number is only taken as an amount when something says it is money: a yen marker
(円/yen/¥/JPY), a large unit (万/億/兆/million/billion), or - for a bare number - at least a
million written in digits. A counter after it (人, 件, 年, %, employees, ...) says it counts
something else, so it is never an amount. Foreign currency is recognised so the bot can ask
for yen instead of quoting on a misread figure.

Parsing works on `normalize()`d text (one place handles full-width digits, waves and dashes),
done character by character so each match can be cut from the original as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from bot.normalize import MAX_CHARS, normalize

__all__ = ["Amount", "find_amount", "mentions_foreign_currency"]


@dataclass(frozen=True)
class Amount:
    """One amount of yen found in a message.

    `yen` is the value to use (the upper bound of a range), `low_yen` the lower bound of a
    range, `approximate` whether the prospect hedged (約, くらい, about), `surface` the text
    as the prospect wrote it, so replies can quote it back.
    """

    yen: int
    low_yen: int | None = None
    approximate: bool = False
    surface: str = ""
    monthly: bool = False
    """The prospect gave monthly sales (月商, "per month"): `yen` and `low_yen` are already
    annualised (x 12), and the reply says so."""


_MONTHLY_BEFORE = re.compile(r"((?<![0-9一二三四五六七八九十])月(に|で|あたり|当たり)?\s*(約|およそ|だいたい|大体)?\s*$|月商|月の売上|月の売り上げ|月間売上|月間の売上|月々の売上|毎月の売上|月売上|monthly (sales|revenue|turnover|income)( is| are| of| about| around)?)\s*[:：]?\s*\S{0,4}$")
_MONTHLY_AFTER = re.compile(r"^\S{0,3}\s*(/\s*(月|month|mo)\b|per month|a month|each month|every month|monthly|/月|毎月|月あたり|ひと月|一か月|1か月)")


# --------------------------------------------------------------------------- vocabulary

_KANJI_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "億": 10**8, "兆": 10**12}

_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# English scale words. "strong" ones say money on their own in a sales conversation;
# "weak" ones (m, k, thousand, hundred) need yen or a sales word nearby ("500m" may be metres).
_EN_SCALES: dict[str, tuple[int, bool]] = {
    "hundred": (100, False), "hundreds": (100, False),
    "thousand": (10**3, False), "thousands": (10**3, False), "k": (10**3, False),
    "million": (10**6, True), "millions": (10**6, True), "mil": (10**6, True),
    "mn": (10**6, True), "mm": (10**6, True), "m": (10**6, False),
    "billion": (10**9, True), "billions": (10**9, True), "bn": (10**9, True),
    "trillion": (10**12, True), "trillions": (10**12, True), "tn": (10**12, True),
    # romanised Japanese units ("3 oku yen"); "man" is an English word, so it needs yen after it
    "oku": (10**8, True), "man": (10**4, False),
}

_DIGITS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+")
_DECIMAL_RE = re.compile(r"\.[0-9]+")
_WORD_RE = re.compile(r"[a-z]+")

_YEN_SUFFIX_RE = re.compile(r" ?(?:円|えん|(?:yen|jpy)(?![a-z]))")
_FOREIGN_SUFFIX_RE = re.compile(
    r" ?(?:ドル|ユーロ|ポンド|人民元|ウォン|元(?![々気本])"
    r"|(?:us ?dollars?|dollars?|usd|euros?|eur|pounds?|gbp|cny|rmb)(?![a-z]))"
)
_FOREIGN_ANYWHERE_RE = re.compile(
    r"[$€£]|ドル|ユーロ|ポンド|人民元|ウォン|[0-9万億千百]\s?元(?![々気本])"
    r"|(?<![a-z])(?:usd|eur|gbp|cny|rmb|dollars?|euros?|pounds?)(?![a-z])"
)

# Text just before a number: hedge, sign and currency, in either order of sign and currency.
_PREFIX_RE = re.compile(
    r"(?P<approx>約|およそ|おおよそ|大体|だいたい|概ね|おおむね|ざっと|ほぼ|凡そ|〜"
    r"|(?<![a-z])(?:about|around|approximately|approx\.?|roughly|nearly|almost|circa|ca\.|some))?"
    r" ?(?P<sign1>マイナス|(?<![a-z])(?:minus|negative)|▲|△|(?<![0-9a-z.,])-)?"
    r" ?(?P<cur>¥|\\|(?<![a-z])jpy|us\$|\$|(?<![a-z])usd|€|(?<![a-z])eur|£|(?<![a-z])gbp)?"
    r" ?(?P<sign2>マイナス|▲|△|-)?$"
)
_FOREIGN_PREFIXES = {"us$", "$", "usd", "€", "eur", "£", "gbp"}

# Text just after a number that hedges it: 5億円くらい, 3億程度, 500 million or so.
_APPROX_SUFFIX_RE = re.compile(
    r" ?(?:ほど|くらい|ぐらい|位|程度|程|前後|弱|強|ちょっと|ちょい|余り|あまり|ばかり|見当"
    r"|or so(?![a-z])|-?ish(?![a-z])|approx(?:\.|imately)?(?![a-z])|give or take)"
)

# A range between two numbers: 4〜5億, 4-5億円, 3億から5億, 400 to 500 million.
_RANGE_RE = re.compile(r" ?(?:〜|-|から|ないし|(?:to|and)(?![a-z])) ?")

# Counters: what follows a number that counts people, things, time or shares.
# Japanese counters (助数詞) are a closed class, so listing them is general, not tuning.
_JA_COUNTER_RE = re.compile(
    r" ?(?:人|名|年|ヶ?月|か月|カ月|ヵ月|日|週|時|分|秒|店|社|件|歳|才|回|台|個|本|枚|冊|通|点|部|棟|戸"
    r"|世帯|頭|匹|羽|着|足|杯|袋|箱|缶|食|席|室|泊|行|字|倍|割|期|代|階|号|番|歩|拠点|箇所|ヶ所|か所"
    r"|カ所|ヵ所|軒|機|基|両|隻|株|口|票|坪|畳|度|周|曲|種|品|校|局|線|色|膳|粒|錠|問|題|組|班|位|次"
    r"|会員|顧客|契約|平米|平方|キロ|トン|リットル|グラム|メートル|パーセント|ユーザ|アクセス|ダウンロード"
    r"|ページ|ビュー|レコード|ファイル|アカウント|フォロワー|プラン|%)"
)
_EN_COUNTER_RE = re.compile(
    r" ?(?:%|x(?![a-z])|(?:percent|pct|per ?cent|employees?|staff|people|persons?|workers?|members?"
    r"|years?|yrs?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|stores?|shops?"
    r"|locations?|branch(?:es)?|offices?|sites?|users?|customers?|clients?|records?|times?|units?"
    r"|items?|pieces?|pcs|devices?|computers?|servers?|laptops?|accounts?|visitors?|downloads?"
    r"|followers?|subscribers?|rows?|files?|e-?mails?|pages?|views?|km|kg|miles?|sq|square|m2|mb|gb"
    r"|tb|plan|plans|cases?|incidents?|orders?|transactions?|patients?|students?|tons?|liters?)"
    r"(?![a-z]))"
)
# After an English scale with no yen marker, any plural noun counts things ("5 million visits").
_EN_PLURAL_RE = re.compile(r" ?([a-z]+s)(?![a-z])")
_EN_PLURAL_OK = {"sales", "revenues", "yes", "is", "was", "has", "as", "this", "plus", "thus",
                 "its", "us", "less", "across", "earnings", "receipts", "takings"}

# Numbers that identify rather than measure: phone, order and account numbers.
_ID_PREFIX_RE = re.compile(
    r"(?:番号|電話|携帯|tel|fax|no\.?|#|id|コード|code|ref|口座|〒|郵便|会員|version|ver\.?|v)"
    r" ?[:.]? ?$"
)
_VAGUE_PREFIXES = ("数", "何", "第", "幾")

_SALES_RE = re.compile(
    r"売上高|売上げ|売り上げ|売上|年商|年間売上|(?<![a-z])(?:sales|revenues?|turnover)(?![a-z])"
)
_OKU_TYPO_RE = re.compile(r"(?<=[0-9〇一二三四五六七八九十百千万])憶")
_NEGATED_AFTER_RE = re.compile(r"\s*(?:円)?\s*(?:じゃなく|じゃない|ではなく|ではない|でなく|でもなく|は間違い|は誤り)")
_NEGATED_BEFORE_RE = re.compile(r"(?<![a-z])not(?: about| around| quite)? ?$")
# Other money in a message ("資本金1000万円") is the wrong figure when sales are asked for.
_OTHER_MONEY_RE = re.compile(
    r"資本金|補償|保険金|限度|予算|損害|被害|保険料|利益|経常|年収|給与|給料|単価|見積"
    r"|(?<![a-z])(?:capital|coverage|cover|limit|budget|damages?|premiums?|profits?|salary|income)"
    r"(?![a-z])"
)


# --------------------------------------------------------------------------- parsing


@dataclass
class _Num:
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


@dataclass
class _Cand:
    """A classified amount candidate, positions in the normalised text."""

    start: int
    end: int
    yen: int
    low: int | None
    approximate: bool
    currency: str | None  # "yen", "foreign" or None (not said)


def _normalize_mapped(text: str) -> tuple[str, list[int]]:
    """`normalize()` applied character by character, with each output character's index in
    the original, so a match can be quoted back as the prospect wrote it. (NFKC composition
    across characters, e.g. half-width dakuten, does not occur inside numbers.)"""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text[:MAX_CHARS]):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        for c in normalize(ch):
            out.append(c)
            where.append(i)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def _half_up(value: Fraction) -> int:
    """Integer yen, halves away from zero (1.5円 is not a real sales figure, but be exact)."""
    sign = -1 if value < 0 else 1
    v = abs(value)
    return sign * int(v + Fraction(1, 2))


def _parse_ja(s: str, i: int) -> _Num | None:
    """Read a Japanese/Arabic numeral at `i`: groups of digits or kanji with 千百十 inside,
    separated by 兆/億/万 in decreasing order. Returns None when nothing numeric is there."""
    n = len(s)
    total = Fraction(0)
    group = Fraction(0)
    cur: Fraction | None = None
    last_big = 10**13
    last_small = 10**4
    j = i
    num = _Num(start=i, end=i, value=Fraction(0))
    saw_number = False
    saw_arabic = False
    saw_kanji = False
    cur_start = i
    while j < n:
        k = j + 1 if (s[j] == " " and j + 1 < n and (s[j + 1] in _BIG_UNITS or s[j + 1] in _SMALL_UNITS)
                      and saw_number) else j
        ch = s[k]
        if ch.isascii() and ch.isdigit() and cur is None and k == j:
            cur_start = j
            m = _DIGITS_RE.match(s, k)
            assert m is not None
            digits = m.group().replace(",", "")
            end = m.end()
            d = _DECIMAL_RE.match(s, end)
            if d and not (d.end() < n and s[d.end()] == "."):  # 1.2.3 is a version, not 1.2
                cur = Fraction(digits + d.group())
                num.has_decimal = True
                end = d.end()
            else:
                cur = Fraction(int(digits))
            num.digits_text = digits
            saw_arabic = saw_number = True
            j = end
        elif ch in _KANJI_DIGITS and cur is None and k == j:
            cur_start = j
            run_end = j
            while run_end < n and s[run_end] in _KANJI_DIGITS:
                run_end += 1
            run = s[j:run_end]
            cur = Fraction(int("".join(str(_KANJI_DIGITS[c]) for c in run)))
            saw_kanji = saw_number = True
            j = run_end
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_small:
                break
            group += (cur if cur is not None else 1) * unit
            cur = None
            last_small = unit
            saw_kanji = saw_number = True
            num.smallest_unit = unit
            j = k + 1
        elif ch in _BIG_UNITS and saw_number:
            unit = _BIG_UNITS[ch]
            if unit >= last_big or (cur is None and group == 0):
                if cur is not None and cur_start > i:
                    j, cur = cur_start, None  # "5億5億": the second 5 starts another number
                break
            total += (group + (cur or 0)) * unit
            group, cur = Fraction(0), None
            last_big, last_small = unit, 10**4
            num.big_unit = True
            num.smallest_unit = unit
            j = k + 1
        else:
            break
    if not saw_number:
        return None
    num.end = j
    num.value = total + group + (cur or 0)
    num.digits_only = saw_arabic and not saw_kanji and not num.big_unit
    num.kanji_only = saw_kanji and not saw_arabic and not num.big_unit
    if num.kanji_only and num.smallest_unit == 1 and j - i == 1 and cur is not None and cur < 1:
        return None  # a lone 〇/零 is a circle or a word, not zero
    return num


def _parse_en_words(s: str, i: int) -> _Num | None:
    """Read an English number in words at `i` ("three hundred", "twenty-five", "a")."""
    n = len(s)
    j = i
    cur: int | None = None
    end = i
    while j < n:
        m = _WORD_RE.match(s, j)
        if not m:
            break
        w = m.group()
        if w in _EN_SMALL:
            v = _EN_SMALL[w]
            if cur is not None and not (cur % 10 == 0 and cur >= 20 and v < 10) and not (
                cur % 100 == 0 and cur >= 100 and v < 100
            ):
                break
            cur = (cur or 0) + v
        elif w in ("a", "an") and cur is None:
            nxt = _WORD_RE.match(s, m.end() + 1) if m.end() < n and s[m.end()] == " " else None
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
    return _Num(start=i, end=end, value=Fraction(cur), digits_only=False)


def _scale_at(s: str, j: int) -> tuple[str, int, int, bool] | None:
    """An English/romanised scale word at `j` (after an optional space): word, end, value, strong."""
    k = j + 1 if j < len(s) and s[j] == " " else j
    m = _WORD_RE.match(s, k)
    if not m or m.group() not in _EN_SCALES:
        return None
    value, strong = _EN_SCALES[m.group()]
    return m.group(), m.end(), value, strong


def _parse_en_tail(s: str, num: _Num) -> _Num:
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


def _parse_number(s: str, i: int) -> _Num | None:
    """Any numeral at `i`, with its English scale words."""
    ch = s[i]
    if ch.isascii() and ch.isdigit() or ch in _KANJI_DIGITS or ch in _SMALL_UNITS:
        num = _parse_ja(s, i)
    elif ch.isascii() and ch.isalpha() and (i == 0 or not s[i - 1].isalpha()):
        num = _parse_en_words(s, i)
    else:
        return None
    if num is None:
        return None
    return _parse_en_tail(s, num)


def _counter_follows(s: str, j: int) -> bool:
    """Whether a counter (人, 件, %, employees, ...) follows position `j`."""
    return bool(_JA_COUNTER_RE.match(s, j) or _EN_COUNTER_RE.match(s, j))


def _plural_follows(s: str, j: int) -> bool:
    m = _EN_PLURAL_RE.match(s, j)
    return bool(m and m.group(1) not in _EN_PLURAL_OK)


def _looks_like_date(digits: str) -> bool:
    """20240401 is a date, not 20 million yen."""
    if len(digits) != 8:
        return False
    y, mo, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31


@dataclass
class _Side:
    """A numeral with what surrounds it: currency and hedges, ready to classify."""

    num: _Num
    end: int                 # after the yen/foreign suffix and hedge
    currency: str | None
    approx_after: bool


def _suffix(s: str, num: _Num) -> _Side:
    """Read what follows a numeral: a currency word, then a hedge."""
    j = num.end
    currency: str | None = None
    m = _YEN_SUFFIX_RE.match(s, j)
    if m:
        currency, j = "yen", m.end()
    else:
        m = _FOREIGN_SUFFIX_RE.match(s, j)
        if m:
            currency, j = "foreign", m.end()
    a = _APPROX_SUFFIX_RE.match(s, j)
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
    m = _PREFIX_RE.search(s, max(0, start - 24), start)
    if not m or m.start() == m.end():
        return start, False, False, None
    cur = m.group("cur")
    currency = None
    if cur:
        currency = "foreign" if cur in _FOREIGN_PREFIXES else "yen"
    negative = bool(m.group("sign1") or m.group("sign2"))
    return m.start(), bool(m.group("approx")), negative, currency


def _scan(s: str) -> list[_Cand]:
    """Every amount candidate in normalised text `s`, left to right."""
    yen_context = bool(_SALES_RE.search(s) or re.search(r"円|¥|(?<![a-z])(?:yen|jpy)(?![a-z])", s))
    cands: list[_Cand] = []
    n = len(s)
    i = 0
    while i < n:
        ch = s[i]
        word_start = ch.isascii() and ch.isalpha() and (i == 0 or not s[i - 1].isalpha())
        numeric = (ch.isascii() and ch.isdigit()) or ch in _KANJI_DIGITS or ch in _SMALL_UNITS
        if not (numeric or word_start) or (i > 0 and s[i - 1].isascii() and s[i - 1].isdigit()):
            i += 1
            continue
        num = _parse_number(s, i)
        if num is None:
            word = _WORD_RE.match(s, i) if word_start else None
            i = word.end() if word else i + 1  # skip the whole word: no number starts inside it
            continue
        cand = _candidate(s, num, yen_context)
        if cand is not None:
            cands.append(cand)
            i = max(cand.end, num.end, i + 1)
        else:
            i = max(num.end, i + 1)
    return cands


def _candidate(s: str, first: _Num, yen_context: bool) -> _Cand | None:
    """Classify the numeral `first` (and a range it starts) as an amount, or None."""
    if first.start > 0 and s[first.start - 1] in _VAGUE_PREFIXES:
        return None  # 数千万, 何億: no figure given; 第5: an ordinal
    if first.start > 0 and s[first.start - 1].isascii() and s[first.start - 1].isalpha() \
            and not re.search(r"(?:jpy|yen)$", s[max(0, first.start - 3):first.start]):
        return None  # glued to letters: "1e9", "pc9801", "v2" are not amounts of money
    if first.start > 1 and s[first.start - 1] in ",." and s[first.start - 2].isdigit():
        return None  # "1,5億", "5.5.5億": malformed; better to ask than to guess
    if _ID_PREFIX_RE.search(s, max(0, first.start - 12), first.start) and first.digits_only:
        return None
    start, approx_before, negative, cur_before = _prefix(s, first.start)
    side_a = _suffix(s, first)

    # A range: "4〜5億", "3億から5億", "between 400 and 500 million yen".
    r = _RANGE_RE.match(s, side_a.end)
    if r and r.end() < len(s):
        is_and = s[r.start():r.end()].strip() == "and"
        if not is_and or re.search(r"between ?(?:約|about|around|approximately|roughly|¥|\$)? ?$",
                                   s[max(0, start - 24):start]):
            second = _parse_number(s, r.end()) if _startable(s, r.end()) else None
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
                    return _Cand(start, side_b.end, hi_yen, lo_yen,
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
    return _Cand(start, side_a.end, -yen if negative else yen, None,
                 approx_before or side_a.approx_after, currency)


def _startable(s: str, i: int) -> bool:
    ch = s[i]
    return (ch.isascii() and ch.isalnum()) or ch in _KANJI_DIGITS or ch in _SMALL_UNITS


def _choose(s: str, cands: list[_Cand]) -> _Cand | None:
    """The amount the prospect means as sales: next to a sales word, else the first one that is
    not tied to other money (capital, coverage), else the first."""
    if not cands:
        return None
    # "3億じゃなくて4億", "not 250 million but 350 million": the negated figure is the wrong one.
    kept = [c for c in cands if not _NEGATED_AFTER_RE.match(s, c.end) and not _NEGATED_BEFORE_RE.search(s[max(0, c.start - 6):c.start])]
    cands = kept or cands
    for k in _SALES_RE.finditer(s):
        after = [c for c in cands if c.start >= k.end() and c.start - k.end() <= 20]
        if after and not _SALES_RE.search(s, k.end(), after[0].start):
            return after[0]
        before = [c for c in cands if c.end <= k.start() and k.start() - c.end <= 8]
        if before:
            return before[-1]
    for c in cands:
        around = s[max(0, c.start - 14):c.start] + "|" + s[c.end:c.end + 6]
        if not _OTHER_MONEY_RE.search(around):
            return c
    return None  # every figure is other money (資本金, 予算, 保険料...): no sales given


def find_amount(text: str) -> Amount | None:
    """The sales figure a message gives, or None when it gives no amount of money.

    Amounts in a foreign currency are not read as yen: if any appear, only amounts explicitly
    in yen still count (use `mentions_foreign_currency` to ask for yen).
    """
    s, where = _normalize_mapped(text)
    s = _OKU_TYPO_RE.sub("億", s)  # 5憶: a common slip for 億 (same length, so `where` still maps)
    cands = _scan(s)
    if any(c.currency == "foreign" for c in cands):
        cands = [c for c in cands if c.currency == "yen"]
    chosen = _choose(s, cands)
    if chosen is None:
        return None
    o_start = where[chosen.start]
    o_end = where[chosen.end - 1] + 1 if chosen.end > chosen.start else o_start
    monthly = bool(_MONTHLY_BEFORE.search(s[max(0, chosen.start - 24):chosen.start])
                   or _MONTHLY_AFTER.search(s[chosen.end:chosen.end + 16]))
    factor = 12 if monthly else 1
    return Amount(
        yen=chosen.yen * factor,
        low_yen=chosen.low * factor if chosen.low is not None else None,
        approximate=chosen.approximate,
        surface=text[o_start:o_end].strip(),
        monthly=monthly,
    )


def mentions_foreign_currency(text: str) -> bool:
    """Whether the message names a currency other than yen ($, USD, dollars, ドル, euro, ...)."""
    return bool(_FOREIGN_ANYWHERE_RE.search(normalize(text)))
