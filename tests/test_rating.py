"""The rate table reproduces every published figure and behaves like a price list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.datafiles import ContentError
from bot.rating import QuoteUnavailable, Reason, load_rate_table, monthly_premium, quote

ROOT = Path(__file__).resolve().parents[1]
ANCHORS_MD = ROOT / "docs" / "reference" / "premium-anchors.md"


@pytest.fixture(scope="module")
def rates():
    return load_rate_table(ROOT / "content" / "rates.yaml")


# The published annual premiums (premium-anchors.md): [5億 plan1, 5億 plan2, 30億 plan1, 30億 plan2].
PUBLISHED = {
    "manufacturing": (67000, 117000, 138000, 238000),
    "retail": (93000, 160010, 188000, 325000),
    "wholesale": (62000, 107000, 125000, 216000),
    "logistics": (165000, 284000, 334000, 577000),
    "restaurant": (123000, 213000, 250000, 432000),
    "construction": (62000, 107000, 125000, 216000),
}


@pytest.mark.parametrize("industry", sorted(PUBLISHED))
def test_every_published_anchor_comes_out_exactly(rates, industry):
    p1_5, p2_5, p1_30, p2_30 = PUBLISHED[industry]
    assert quote(rates, industry, 500_000_000, "plan1").annual_yen == p1_5
    assert quote(rates, industry, 500_000_000, "plan2").annual_yen == p2_5
    assert quote(rates, industry, 3_000_000_000, "plan1").annual_yen == p1_30
    assert quote(rates, industry, 3_000_000_000, "plan2").annual_yen == p2_30


@pytest.mark.parametrize(
    "industry,monthly",
    [("manufacturing", 5860), ("retail", 8140), ("wholesale", 5430), ("logistics", 14440),
     ("construction", 5430), ("restaurant", 10760)],
)
def test_the_source_pages_monthly_figures_at_5_oku(rates, industry, monthly):
    assert quote(rates, industry, 500_000_000).monthly_yen == monthly


def test_monthly_rounds_half_up_not_bankers(rates):
    # 62,000 x 1.05 / 12 = 5,425 exactly: half-up gives 5,430, banker's would give 5,420.
    assert monthly_premium(rates, 62000) == 5430


def test_reference_table_matches_rates_yaml_if_present(rates):
    """Guards against a typo in rates.yaml: every number in the reference table is used."""
    rows = [l for l in ANCHORS_MD.read_text().splitlines() if l.startswith("| ") and re.search(r"\d{2},\d{3}", l)]
    for key, figures in PUBLISHED.items():
        row = next(r for r in rows if key in r)
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]{4,}", row)]
        assert tuple(numbers[:4]) == figures


sales = st.integers(min_value=1, max_value=3_000_000_000)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PUBLISHED)), st.sampled_from(["plan1", "plan2"]), sales, sales)
def test_premium_never_falls_as_sales_rise(rates, industry, plan, a, b):
    low, high = sorted((a, b))
    ql, qh = quote(rates, industry, low, plan), quote(rates, industry, high, plan)
    assert ql.annual_yen <= qh.annual_yen
    assert ql.monthly_yen <= qh.monthly_yen


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(PUBLISHED)), sales)
def test_integer_yen_rounded_as_the_content_says(rates, industry, s):
    q = quote(rates, industry, s)
    assert isinstance(q.annual_yen, int)
    assert q.annual_yen % 1000 == 0 or q.annual_yen in PUBLISHED[industry]
    assert isinstance(q.monthly_yen, int) and q.monthly_yen % 10 == 0
    assert quote(rates, industry, s, "plan2").annual_yen > q.annual_yen


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(PUBLISHED)), st.integers(min_value=1, max_value=100_000_000))
def test_small_firms_are_priced_at_the_floor(rates, industry, s):
    assert quote(rates, industry, s).annual_yen == quote(rates, industry, 100_000_000).annual_yen


@pytest.mark.parametrize(
    "industry,sales,reason",
    [
        ("manufacturing", 3_000_000_001, Reason.ABOVE_TABLE),
        ("manufacturing", 0, Reason.NON_POSITIVE_SALES),
        ("manufacturing", -5, Reason.NON_POSITIVE_SALES),
        ("it_services", 500_000_000, Reason.IT_SERVICES),
        ("real_estate", 500_000_000, Reason.UNRATED_INDUSTRY),
    ],
)
def test_no_invented_price(rates, industry, sales, reason):
    with pytest.raises(QuoteUnavailable) as err:
        quote(rates, industry, sales)
    assert err.value.reason is reason


def test_bad_rate_table_names_file_and_field(tmp_path):
    data = yaml.safe_load((ROOT / "content" / "rates.yaml").read_text())
    data["industries"]["retail"]["plan1"] = [93000, -1]
    bad = tmp_path / "rates.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError) as err:
        load_rate_table(bad)
    assert "rates.yaml" in str(err.value) and "industries.retail" in str(err.value)
