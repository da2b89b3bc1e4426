"""Why a quote can't be made: a type the flow turns into a handoff offer."""

from __future__ import annotations

from enum import Enum


class Reason(str, Enum):
    NO_SALES = "no_sales"                    # sales unknown
    NON_POSITIVE_SALES = "non_positive_sales"
    ABOVE_TABLE = "above_table"              # sales beyond the rate table: a person quotes
    NO_INDUSTRY = "no_industry"              # industry unknown
    UNRATED_INDUSTRY = "unrated_industry"    # recognised or named, but not in the table
    IT_SERVICES = "it_services_option"       # mandatory option; a person quotes


class QuoteUnavailable(Exception):
    """A quote can't be given for these facts; `reason` says why in words the content has."""

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(reason.value)
