"""Premium calculation: the rate table's rules applied, integer yen out.

The log-log interpolation runs in Decimal so that a published anchor comes out exactly and
rounding is the half-up the insurer uses, never float's banker's or binary surprises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from bot.rating.errors import QuoteUnavailable, Reason
from bot.rating.table import Plan, RateTable


@dataclass(frozen=True)
class Quote:
    sales_yen: int
    industry: str
    plan: Plan
    annual_yen: int      # lump-sum annual premium
    monthly_yen: int     # monthly instalment, surcharge included
    rated_sales_yen: int  # the sales the price was computed at (the floor for small firms)

    def as_dict(self) -> dict[str, object]:
        return {
            "sales_yen": self.sales_yen,
            "industry": self.industry,
            "plan": self.plan,
            "monthly_yen": self.monthly_yen,
            "annual_yen": self.annual_yen,
        }


def _round_half_up(value: Decimal, unit: int) -> int:
    return int((value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * unit


def annual_premium(table: RateTable, industry: str, plan: Plan, sales_yen: int) -> int:
    """Annual lump-sum premium for `sales_yen`, or QuoteUnavailable.

    Between and around the anchors: the power law through the two published points. The
    result is never below a published premium for a lower or equal sales level, so the
    anchors come out exactly as published (retail plan 2 is 160,010, not a round figure)
    and the price never falls as sales rise.
    """
    check_quotable(table, industry, sales_yen)
    rated = max(sales_yen, table.floor_sales_yen)
    (s1, s2), (p1, p2) = table.anchor_sales_yen, getattr(table.industries[industry], plan)
    with localcontext() as ctx:
        ctx.prec = 34
        exponent = (Decimal(p2) / p1).ln() / (Decimal(s2) / s1).ln()
        curve = Decimal(p1) * ((Decimal(rated) / s1).ln() * exponent).exp()
        annual = _round_half_up(curve, table.annual_rounding_yen)
    published_below = [p for s, p in ((s1, p1), (s2, p2)) if s <= rated]
    return max([annual, *published_below])


def monthly_premium(table: RateTable, annual_yen: int) -> int:
    """annual x (100 + surcharge)% / 12, half-up to the rounding unit, in integers only."""
    numerator = annual_yen * (100 + table.monthly.surcharge_percent)
    denominator = 100 * 12 * table.monthly.rounding_yen
    return (2 * numerator + denominator) // (2 * denominator) * table.monthly.rounding_yen


def check_quotable(table: RateTable, industry: str | None, sales_yen: int | None) -> None:
    """Raise QuoteUnavailable with the first reason these facts can't be priced."""
    if industry is not None and industry in table.not_quoted:
        raise QuoteUnavailable(Reason.IT_SERVICES)
    if industry is not None and industry not in table.industries:
        raise QuoteUnavailable(Reason.UNRATED_INDUSTRY)
    if sales_yen is not None and sales_yen <= 0:
        raise QuoteUnavailable(Reason.NON_POSITIVE_SALES)
    if sales_yen is not None and sales_yen > table.max_sales_yen:
        raise QuoteUnavailable(Reason.ABOVE_TABLE)
    if industry is None:
        raise QuoteUnavailable(Reason.NO_INDUSTRY)
    if sales_yen is None:
        raise QuoteUnavailable(Reason.NO_SALES)


def quote(table: RateTable, industry: str, sales_yen: int, plan: Plan = "plan1") -> Quote:
    annual = annual_premium(table, industry, plan, sales_yen)
    return Quote(
        sales_yen=sales_yen,
        industry=industry,
        plan=plan,
        annual_yen=annual,
        monthly_yen=monthly_premium(table, annual),
        rated_sales_yen=max(sales_yen, table.floor_sales_yen),
    )
