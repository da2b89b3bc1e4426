"""The quote read at a glance: the monthly premium first and largest, both plans side by side,
then what it is based on, then the caveat in small print (issue 13, item 6).

Slack lays a card out top to bottom on a phone; the order of the blocks is the order a
prospect reads it in, so the tests assert the order, not only the content.
"""

from __future__ import annotations

import re

from bot.slack.blocks import quote_blocks, reply_blocks
from bot.turn import Action, Inbound


def quote_for(engine, key: str, text: str):
    [out] = engine.handle(key, Inbound(text=text))
    assert out.quote is not None, out.text
    return out


def texts(block) -> str:
    if block["type"] == "header":
        return block["text"]["text"]
    if block["type"] == "section":
        return "\n".join([(block.get("text") or {}).get("text", "")] + [f["text"] for f in block.get("fields") or []])
    if block["type"] == "context":
        return "\n".join(e.get("text", "") for e in block["elements"])
    return ""


def test_the_price_is_the_header_and_the_first_thing_read(engine):
    out = quote_for(engine, "t:card:1", "売上5億円の製造業です")
    blocks = quote_blocks(out, "r1")
    assert blocks[0]["type"] == "header"
    monthly = f"{out.quote.monthly_yen:,}円"
    assert "月額" in blocks[0]["text"]["text"] and monthly in blocks[0]["text"]["text"]
    assert out.text.splitlines()[0] == blocks[0]["text"]["text"]  # the notification reads the price first too


def test_both_plans_side_by_side_with_monthly_annual_limits_and_deductible(engine):
    out = quote_for(engine, "t:card:2", "年商3億の小売業")
    section = quote_blocks(out)[1]
    assert section["type"] == "section" and len(section["fields"]) == 2
    plan1, plan2 = (f["text"] for f in section["fields"])
    assert "プラン①" in plan1 and "プラン②" in plan2
    for column in (plan1, plan2):
        assert "月額" in column and "年額" in column and "賠償" in column and "自己負担" in column
    prices = [int(m.replace(",", "")) for m in re.findall(r"月額保険料 ([\d,]+)円", plan1 + plan2)]
    assert len(prices) == 2 and prices[0] < prices[1]  # the higher limits cost more
    assert f"{out.quote.monthly_yen:,}円" in plan1  # plan 1 is the one quoted


def test_then_the_facts_then_the_caveat_in_small_print(engine):
    out = quote_for(engine, "t:card:3", "売上5億の建設業です")
    blocks = quote_blocks(out)
    kinds = [b["type"] for b in blocks]
    basis = next(i for i, b in enumerate(blocks) if "試算の前提" in texts(b))
    caveat = next(i for i, b in enumerate(blocks) if "目安" in texts(b) and b["type"] == "context")
    assert 1 < basis < caveat < kinds.index("actions")
    assert blocks[basis]["type"] == "context" and "5億円" in texts(blocks[basis]) and "建設業" in texts(blocks[basis])


def test_choosing_plan_2_puts_its_price_in_the_header(engine):
    quote_for(engine, "t:card:4", "売上5億の製造業です")
    [out] = engine.handle("t:card:4", Inbound(text="プラン②で", action=Action.PLAN, value="plan2"))
    header = quote_blocks(out)[0]["text"]["text"]
    assert out.quote.plan == "plan2" and f"{out.quote.monthly_yen:,}円" in header


def test_in_english_the_price_leads_too(engine):
    out = quote_for(engine, "t:card:5", "We're a wholesaler with sales of 300 million yen")
    header = quote_blocks(out)[0]["text"]["text"]
    assert header.startswith(f"¥{out.quote.monthly_yen:,}") and "month" in header


def test_a_range_button_is_acknowledged_as_the_range(engine):
    engine.handle("t:card:6", Inbound(text="製造業です"))
    [out] = engine.handle("t:card:6", Inbound(text="3億〜5億円", action=Action.SALES, value="500000000:300000000"))
    assert "3億円〜5億円(5億円で試算)" in out.text  # on the card's "based on" line
    assert "売上高は5億円と承りました" not in out.text


def test_a_range_button_before_the_industry_is_acknowledged_as_the_range(engine):
    engine.handle("t:card:8", Inbound(text="見積りをお願いします"))
    [out] = engine.handle("t:card:8", Inbound(text="3億〜5億円", action=Action.SALES, value="500000000:300000000"))
    assert "売上高は3億円〜5億円(5億円で試算)と承りました" in out.text


def test_the_reply_blocks_of_a_quote_are_the_card(engine):
    out = quote_for(engine, "t:card:7", "売上1億の物流業です")
    assert reply_blocks(out, "r7") == quote_blocks(out, "r7")
