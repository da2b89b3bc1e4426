"""The sales figure in a message as an Amount: the package's public reading.

Parsing works on `normalize()`d text (one place handles full-width digits, waves and dashes),
done character by character so each match can be cut from the original as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.normalize import MAX_CHARS, normalize
from bot.understanding.amounts.candidates import scan
from bot.understanding.amounts.choice import choose, is_monthly
from bot.understanding.amounts.lexicon import FOREIGN_ANYWHERE_RE, OKU_TYPO_RE


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


def find_amount(text: str) -> Amount | None:
    """The sales figure a message gives, or None when it gives no amount of money.

    Amounts in a foreign currency are not read as yen: if any appear, only amounts explicitly
    in yen still count (use `mentions_foreign_currency` to ask for yen).
    """
    s, where = _normalize_mapped(text)
    s = OKU_TYPO_RE.sub("億", s)  # 5憶: a common slip for 億 (same length, so `where` still maps)
    cands = scan(s)
    if any(c.currency == "foreign" for c in cands):
        cands = [c for c in cands if c.currency == "yen"]
    chosen = choose(s, cands)
    if chosen is None:
        return None
    o_start = where[chosen.start]
    o_end = where[chosen.end - 1] + 1 if chosen.end > chosen.start else o_start
    monthly = is_monthly(s, chosen)
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
    return bool(FOREIGN_ANYWHERE_RE.search(normalize(text)))
