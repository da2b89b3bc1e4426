"""Yen as the bot writes it. A leaf module: the engine, the agent desk and the CLI all print
money, and none of them should need the amount parser to do it."""

from __future__ import annotations


def format_yen(yen: int, lang: str) -> str:
    """A sales figure as a prospect would write it: ja "1億5,000万円" (億/万 groups, commas
    inside each), below 1万 "8,500円"; en "¥500,000,000"."""
    sign = "-" if yen < 0 else ""
    a = abs(yen)
    if lang != "ja":
        return f"{sign}¥{a:,}"
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


def format_price(yen: int, lang: str) -> str:
    """A premium, always in full digits: ja "5,860円", en "¥5,860"."""
    sign = "-" if yen < 0 else ""
    return f"{sign}{abs(yen):,}円" if lang == "ja" else f"{sign}¥{abs(yen):,}"
