"""Rate table and premium calculation."""

from bot.rating.errors import QuoteUnavailable, Reason
from bot.rating.premium import Quote, annual_premium, check_quotable, monthly_premium, quote
from bot.rating.table import PLANS, Plan, RateTable, load_rate_table

__all__ = [
    "PLANS", "Plan", "Quote", "QuoteUnavailable", "RateTable", "Reason",
    "annual_premium", "check_quotable", "load_rate_table", "monthly_premium", "quote",
]
