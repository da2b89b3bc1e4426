"""Yen as the bot writes it. A leaf module: the engine, the agent desk and the CLI all print
money, and none of them should need the amount parser to do it."""

from __future__ import annotations

_EN_UNITS = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def format_yen(yen: int, lang: str) -> str:
    """A sales figure or limit as a prospect would write it.

    ja: "1億5,000万円" (億/万 groups, commas inside each), below 1万 "8,500円".

    en: below one million in full digits, "¥8,500", "¥500,000". From one million up, in the
    largest unit it reaches (million, billion, trillion) with at most two decimals and no
    trailing zeros: "¥1 million", "¥1.25 million", "¥30 million", "¥480 million",
    "¥1.5 billion", "¥3 billion". The short form is used only when it is the exact amount;
    otherwise the full digits are kept, so a figure the customer gave is never rounded into
    another number: 123,456,789 is "¥123,456,789", not "¥123 million"."""
    sign = "-" if yen < 0 else ""
    a = abs(yen)
    if lang != "ja":
        return sign + _en_amount(a)
    if a < 10**4:
        return f"{sign}{a:,}円"
    parts = []
    for unit, name in ((10**12, "兆"), (10**8, "億"), (10**4, "万")):
        q, a = divmod(a, unit)
        if q:
            parts.append(f"{q:,}{name}")
    if a:
        parts.append(f"{a:,}")
    return sign + "".join(parts) + "円"


def _en_amount(a: int) -> str:
    """a >= 0 in English: the exact short form ("¥1.25 million") or the full digits."""
    for unit, name in _EN_UNITS:
        if a >= unit:
            hundredths, rest = divmod(a * 100, unit)
            if rest:  # not exact in two decimals of this unit
                break
            whole, frac = divmod(hundredths, 100)
            number = f"{whole:,}" + (f".{frac:02d}".rstrip("0") if frac else "")
            return f"¥{number} {name}"
    return f"¥{a:,}"


def format_price(yen: int, lang: str) -> str:
    """A premium, always in full digits: ja "5,860円", en "¥5,860"."""
    sign = "-" if yen < 0 else ""
    return f"{sign}{abs(yen):,}円" if lang == "ja" else f"{sign}¥{abs(yen):,}"
