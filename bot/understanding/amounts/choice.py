"""Which candidate is the sales figure, and whether the prospect gave it per month."""

from __future__ import annotations

from bot.understanding.amounts.candidates import Candidate
from bot.understanding.amounts.lexicon import (
    MONTHLY_AFTER,
    MONTHLY_BEFORE,
    NEGATED_AFTER_RE,
    NEGATED_BEFORE_RE,
    OTHER_MONEY_RE,
    SALES_RE,
)


def choose(s: str, cands: list[Candidate]) -> Candidate | None:
    """The amount the prospect means as sales: next to a sales word, else the first one that is
    not tied to other money (capital, coverage), else the first."""
    if not cands:
        return None
    # "3億じゃなくて4億", "not 250 million but 350 million": the negated figure is the wrong one.
    kept = [c for c in cands if not NEGATED_AFTER_RE.match(s, c.end) and not NEGATED_BEFORE_RE.search(s[max(0, c.start - 6):c.start])]
    cands = kept or cands
    for k in SALES_RE.finditer(s):
        after = [c for c in cands if c.start >= k.end() and c.start - k.end() <= 20]
        if after and not SALES_RE.search(s, k.end(), after[0].start):
            return after[0]
        before = [c for c in cands if c.end <= k.start() and k.start() - c.end <= 8]
        if before:
            return before[-1]
    for c in cands:
        around = s[max(0, c.start - 14):c.start] + "|" + s[c.end:c.end + 6]
        if not OTHER_MONEY_RE.search(around):
            return c
    return None  # every figure is other money (資本金, 予算, 保険料...): no sales given


def is_monthly(s: str, chosen: Candidate) -> bool:
    """Whether the words around the figure say it is monthly sales (月商, "per month")."""
    return bool(MONTHLY_BEFORE.search(s[max(0, chosen.start - 24):chosen.start])
                or MONTHLY_AFTER.search(s[chosen.end:chosen.end + 16]))
