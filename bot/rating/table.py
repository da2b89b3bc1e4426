"""The rate table (content/rates.yaml) as a validated model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from bot.datafiles import Strict, load_model

PLANS = ("plan1", "plan2")
Plan = Literal["plan1", "plan2"]


class Conditions(Strict):
    deductible_yen: int = Field(ge=0)
    overseas_sales: bool
    contract_years: int = Field(ge=1)
    payment: str
    security_measures: str


class PlanLimits(Strict):
    liability_limit_yen: int = Field(gt=0)
    costs_limit_yen: int = Field(gt=0)


class Monthly(Strict):
    surcharge_percent: int = Field(ge=0, le=100)
    rounding_yen: int = Field(gt=0)


class IndustryAnchors(Strict):
    """Annual premiums at the anchor sales levels, per plan, in ascending sales order."""

    plan1: tuple[int, int]
    plan2: tuple[int, int]

    @model_validator(mode="after")
    def _positive_and_rising(self) -> "IndustryAnchors":
        for plan in PLANS:
            low, high = getattr(self, plan)
            if low <= 0 or high < low:
                raise ValueError(f"{plan}: premiums must be positive and rise with sales")
        return self


class RateTable(Strict):
    source: str = Field(min_length=1)
    conditions: Conditions
    plans: dict[Plan, PlanLimits]
    anchor_sales_yen: tuple[int, int]
    floor_sales_yen: int = Field(gt=0)
    max_sales_yen: int = Field(gt=0)
    annual_rounding_yen: int = Field(gt=0)
    plausible_max_sales_yen: int = Field(gt=0)
    monthly: Monthly
    industries: dict[str, IndustryAnchors] = Field(min_length=1)
    not_quoted: dict[str, str] = {}

    @model_validator(mode="after")
    def _consistent(self) -> "RateTable":
        low, high = self.anchor_sales_yen
        if not 0 < low < high:
            raise ValueError("anchor_sales_yen must be two rising positive amounts")
        if not self.floor_sales_yen <= low:
            raise ValueError("floor_sales_yen must not exceed the first anchor")
        if self.max_sales_yen < high:
            raise ValueError("max_sales_yen must be at least the last anchor")
        if self.plausible_max_sales_yen <= self.max_sales_yen:
            raise ValueError("plausible_max_sales_yen must exceed max_sales_yen")
        if set(self.plans) != set(PLANS):
            raise ValueError(f"plans must be exactly {', '.join(PLANS)}")
        both = set(self.industries) & set(self.not_quoted)
        if both:
            raise ValueError(f"industries both rated and not quoted: {sorted(both)}")
        return self


def load_rate_table(path: Path) -> RateTable:
    return load_model(path, RateTable)
