"""Amounts: examples as prospects write them, and properties over numbers we never listed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.money import format_price, format_yen
from bot.understanding.amounts import (
    Amount,
    find_amount,
    mentions_foreign_currency,
)

OKU = 10**8
MAN = 10**4

AMOUNTS = [
    ("5億円", 5 * OKU),
    ("５億", 5 * OKU),
    ("五億", 5 * OKU),
    ("1億5000万円", 15000 * MAN),
    ("1.5億", 15000 * MAN),
    ("3,000万", 3000 * MAN),
    ("２億３千万円", 23000 * MAN),
    ("二億三千万円", 23000 * MAN),
    ("三千万", 3000 * MAN),
    ("千五百万", 1500 * MAN),
    ("十億", 10 * OKU),
    ("¥500,000,000", 5 * OKU),
    ("￥5億", 5 * OKU),
    ("500000000", 5 * OKU),
    ("500,000,000円", 5 * OKU),
    ("50 million yen", 50 * 10**6),
    ("1.2 billion yen", 12 * OKU),
    ("500m yen", 5 * OKU),
    ("1.2bn", 12 * OKU),
    ("3 oku yen", 3 * OKU),
    ("5千万", 5000 * MAN),
    ("5000万円", 5000 * MAN),
    ("5 hundred million yen", 5 * OKU),
    ("1.5 billion", 15 * OKU),
    ("Our revenue is about 1.5 billion yen.", 15 * OKU),
    ("three hundred million yen", 3 * OKU),
    ("a billion yen", 10 * OKU),
    ("1 billion 200 million yen", 12 * OKU),
    ("一億五千万円です", 15000 * MAN),
    ("売上5億の製造業です", 5 * OKU),
    ("売上は5億、従業員は50人です", 5 * OKU),
    ("従業員50人、売上3億円の会社です", 3 * OKU),
    ("資本金1000万円で売上は3億", 3 * OKU),
    ("sales were 3 billion yen and profit 200 million yen", 30 * OKU),
    ("sales 500m", 5 * OKU),
    ("0円", 0),
    ("-5億", -5 * OKU),
    ("マイナス5億", -5 * OKU),
    ("▲5億", -5 * OKU),
    ("minus 500 million", -5 * OKU),
    ("9999999999999999999999億", 9999999999999999999999 * OKU),
]


@pytest.mark.parametrize(("text", "yen"), AMOUNTS)
def test_amounts(text: str, yen: int) -> None:
    found = find_amount(text)
    assert found is not None, text
    assert found.yen == yen


@pytest.mark.parametrize(
    ("text", "yen", "low", "approx"),
    [
        ("年商は約3億", 3 * OKU, None, True),
        ("売上高：5億円程度", 5 * OKU, None, True),
        ("5億円くらい", 5 * OKU, None, True),
        ("5億ぐらいです", 5 * OKU, None, True),
        ("about ¥500m", 5 * OKU, None, True),
        ("roughly 2 billion yen", 20 * OKU, None, True),
        ("4〜5億", 5 * OKU, 4 * OKU, False),
        ("4～5億くらい", 5 * OKU, 4 * OKU, True),
        ("4-5億円", 5 * OKU, 4 * OKU, False),
        ("3億から5億", 5 * OKU, 3 * OKU, False),
        ("3000〜5000万円", 5000 * MAN, 3000 * MAN, False),
        ("between 400 and 500 million yen", 5 * OKU, 4 * OKU, False),
        ("400 to 500 million yen", 5 * OKU, 4 * OKU, False),
        ("5億円", 5 * OKU, None, False),
    ],
)
def test_ranges_and_hedges(text: str, yen: int, low: int | None, approx: bool) -> None:
    assert find_amount(text) == Amount(yen, low, approx, find_amount(text).surface)  # type: ignore[union-attr]


def test_surface_is_as_written() -> None:
    assert find_amount("売上は ２億３千万円 です").surface == "２億３千万円"  # type: ignore[union-attr]
    assert find_amount("年商は約3億").surface == "約3億"  # type: ignore[union-attr]
    assert find_amount("￥5億").surface == "￥5億"  # type: ignore[union-attr]


NOT_AMOUNTS = [
    "", "こんにちは", "2024年", "2022年4月", "2024年4月1日", "従業員50人", "社員30名", "3店舗",
    "10 employees", "5 years", "50%", "50％", "03-1234-5678", "09012345678", "2024/04/01",
    "20240401", "v1.2.3", "version 1.2.3", "プラン2", "plan 2", "1年契約", "24時間", "5", "30",
    "5万人", "1億人", "顧客情報10万件", "10 million users", "5 million records", "百貨店です",
    "千葉の製造業", "数千万円", "何億ですか", "万一の場合", "十分です", "一緒に", "500m",
    "Is it covered?", "注文番号12345678", "12:30", "第5期", "2000000人",
    "$5m", "5 million dollars", "500万ドル", "USD 3,000,000", "€2 million", "3億ユーロ",
    "9" * 40000,
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_no_amount(text: str) -> None:
    found = find_amount(text)
    assert found is None or text == "9" * 40000 and found.yen > 10**16


def test_long_and_absurd_inputs_are_cheap() -> None:
    for text in ["1" * 40000, "一" * 40000, "5億" * 20000, "1," * 20000, "4〜" * 20000, "千百十" * 10000]:
        find_amount(text)


def test_foreign_currency() -> None:
    assert mentions_foreign_currency("sales are $5m")
    assert mentions_foreign_currency("500万ドルです")
    assert mentions_foreign_currency("2 million euros")
    assert not mentions_foreign_currency("5億円")
    assert not mentions_foreign_currency("地元の工務店です")
    # a yen figure next to a converted foreign one is still the yen figure
    assert find_amount("売上5億円（約$3.3m）").yen == 5 * OKU  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("yen", "ja", "en"),
    [
        (5 * OKU, "5億円", "¥500 million"),
        (15000 * MAN, "1億5,000万円", "¥150 million"),
        (3000 * MAN, "3,000万円", "¥30 million"),
        (23000 * MAN, "2億3,000万円", "¥230 million"),
        (8500, "8,500円", "¥8,500"),
        (-5 * OKU, "-5億円", "-¥500 million"),
        (15 * OKU, "15億円", "¥1.5 billion"),
        (125 * MAN, "125万円", "¥1.25 million"),
        (123_456_789, "1億2,345万6,789円", "¥123,456,789"),  # never rounded into another figure
    ],
)
def test_format_yen(yen: int, ja: str, en: str) -> None:
    assert format_yen(yen, "ja") == ja
    assert format_yen(yen, "en") == en


def test_format_price() -> None:
    assert format_price(5860, "ja") == "5,860円"
    assert format_price(5860, "en") == "¥5,860"


# ----------------------------------------------------------------------------- properties

_KANJI = "〇一二三四五六七八九"


def _kanji_group(n: int) -> str:
    """0 < n < 10000 in kanji: 3050 -> 三千五十."""
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, value)
        if q:
            out += ("" if q == 1 else _KANJI[q]) + unit
    return out + (_KANJI[n] if n else "")


def _kanji(yen: int) -> str:
    out = ""
    for value, unit in ((10**12, "兆"), (10**8, "億"), (10**4, "万")):
        q, yen = divmod(yen, value)
        if q:
            out += _kanji_group(q) + unit
    return out + (_kanji_group(yen) if yen else "")


def _mixed(yen: int, digit_map: dict[str, str] | None = None) -> str:
    """億/万 groups with plain digits: 1億5000万円."""
    out = ""
    for value, unit in ((10**12, "兆"), (10**8, "億"), (10**4, "万")):
        q, yen = divmod(yen, value)
        if q:
            out += f"{q}{unit}"
    out += str(yen) if yen else ""
    if digit_map:
        out = "".join(digit_map.get(c, c) for c in out)
    return out


_FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def _written_forms(yen: int) -> list[str]:
    forms = [
        f"{yen:,}円",
        f"¥{yen:,}",
        f"￥{yen}",
        format_yen(yen, "ja"),
        _mixed(yen) + "円",
        _mixed(yen, _FULLWIDTH) + "円",
        _kanji(yen) + "円",
        f"{yen:,} yen",
    ]
    if yen >= MAN:
        forms.append(_mixed(yen))  # no 円: 億/万 say money
        forms.append(_kanji(yen))
    if yen >= 10**6:
        forms.append(str(yen))
        forms.append(f"{yen:,}")
    if yen % 10**6 == 0:
        forms.append(f"{yen // 10**6:,} million yen")
    if yen % 10**9 == 0:
        forms.append(f"{yen // 10**9:,} billion yen")
    elif yen % 10**8 == 0 and yen >= 10**9:
        forms.append(f"{yen / 10**9:.1f} billion yen")
    return forms


def _date_shaped(n: int) -> bool:
    """An 8-digit figure that reads as a date (19050601): read as a date on purpose, not money."""
    d = str(n)
    return len(d) == 8 and 1900 <= int(d[:4]) <= 2100 and 1 <= int(d[4:6]) <= 12 and 1 <= int(d[6:]) <= 31


yen_values = st.one_of(
    st.integers(min_value=1, max_value=10**13).filter(lambda n: not _date_shaped(n)),
    st.integers(min_value=1, max_value=100_000).map(lambda n: n * 10**6),
    st.integers(min_value=1, max_value=10_000).map(lambda n: n * 10**8),
)


@settings(max_examples=300, deadline=None)
@given(yen=yen_values, frame=st.sampled_from(["{}", "売上は{}です", "年商{}の会社", "Our sales are {}.", "{}くらい"]))
def test_written_forms_parse_back(yen: int, frame: str) -> None:
    for form in _written_forms(yen):
        text = frame.format(form)
        found = find_amount(text)
        assert found is not None, text
        assert found.yen == yen, text


@settings(max_examples=200, deadline=None)
@given(yen=st.integers(min_value=0, max_value=10**15))
def test_format_yen_parses_back(yen: int) -> None:
    for lang in ("ja", "en"):
        assert find_amount(format_yen(yen, lang)).yen == yen  # type: ignore[union-attr]


_NO_NUMBER_ALPHABET = st.characters(
    blacklist_categories=("Nd", "No", "Nl", "Cs"),
    blacklist_characters=_KANJI + "零壱弐参十拾百千万萬億兆$¥￥€£",
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_NO_NUMBER_ALPHABET, max_size=200))
def test_text_without_numbers_has_no_amount(text: str) -> None:
    assert find_amount(text) is None


JA_COUNTERS = ["人", "名", "年", "月", "日", "店", "店舗", "社", "件", "歳", "時間", "%", "回", "台", "個", "拠点"]
EN_COUNTERS = ["employees", "staff", "people", "years", "stores", "%", "users", "customers", "records"]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=10**12),
    counter=st.sampled_from(JA_COUNTERS + [" " + c for c in EN_COUNTERS]),
    unit=st.sampled_from(["", "万", "億", " million"]),
    frame=st.sampled_from(["{}", "従業員は{}です", "we have {}"]),
)
def test_counters_are_never_amounts(n: int, counter: str, unit: str, frame: str) -> None:
    assert find_amount(frame.format(f"{n}{unit}{counter}")) is None


@pytest.mark.parametrize("text, yen", [
    ("月商2000万円の小売店です", 240_000_000),
    ("売上は月500万です", 60_000_000),
    ("月の売上は300万くらい", 36_000_000),
    ("monthly revenue of 20 million yen", 240_000_000),
    ("we do about 5 million yen per month", 60_000_000),
    ("¥3m a month", 36_000_000),
])
def test_monthly_sales_are_annualised_and_flagged(text, yen):
    amount = find_amount(text)
    assert amount is not None and amount.monthly and amount.yen == yen


@pytest.mark.parametrize("text", ["年商5億です", "売上5億の製造業です", "月に一度、売上5億", "annual sales 500 million yen"])
def test_annual_sales_are_not_monthly(text):
    amount = find_amount(text)
    assert amount is not None and not amount.monthly and amount.yen == 500_000_000


@pytest.mark.parametrize("text", ["1e9円", "PC9801を使っています", "v2の見積もり"])
def test_digits_glued_to_letters_are_not_amounts(text):
    assert find_amount(text) is None


def test_a_yen_code_glued_to_the_digits_still_counts():
    assert find_amount("JPY500000000").yen == 500_000_000


@pytest.mark.parametrize("text", [
    "資本金1000万円で製造業です", "予算は月1万円くらいです", "保険料が年10万円以内なら検討したい",
    "our budget is 100,000 yen a year", "補償額は1億円で十分？", "5億円の補償はいくら？",
])
def test_other_money_is_not_sales(text):
    assert find_amount(text) is None


@pytest.mark.parametrize("text, yen", [
    ("いや、売上は3億じゃなくて4億です", 4 * OKU),
    ("sorry, not 250 million but 350 million yen", 350_000_000),
    ("half a billion yen", 500_000_000),
    ("a quarter of a billion yen", 250_000_000),
    ("5憶円です", 5 * OKU),
])
def test_negations_fractions_and_a_common_typo(text, yen):
    assert find_amount(text).yen == yen
