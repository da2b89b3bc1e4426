"""The quote dialogue through the engine, over a real Redis."""

from __future__ import annotations

import threading

import pytest

from bot.conversation import Engine
from bot.store import state_key, transcript_key
from bot.turn import Inbound


def say(engine, key, text):
    outs = [o for o in engine.handle(key, Inbound(text=text)) if not o.to_agent]
    assert len(outs) == 1, outs
    return outs[0]


def click(engine, key, action, value, label=""):
    [out] = engine.handle(key, Inbound(text=label, action=action, value=value))
    return out


def test_greets_and_asks_for_both(engine):
    out = say(engine, "t:c:1", "こんにちは")
    assert out.state == "need_both"
    assert "売上高" in out.text and "業種" in out.text
    assert out.quote is None and not out.handoff


def test_both_facts_in_one_message_quote_at_once(engine):
    out = say(engine, "t:c:1", "売上5億の製造業です")
    assert out.state == "quoted"
    assert out.quote.as_dict() == {"sales_yen": 500_000_000, "industry": "manufacturing", "plan": "plan1",
                                   "monthly_yen": 5860, "annual_yen": 67000}
    for shown in ("5億円", "製造業", "5,860円", "67,000円", "1億円", "3,000万円", "10万円", "目安", "5%"):
        assert shown in out.text, shown


@pytest.mark.parametrize("first,second", [("売上は3億円です", "小売業です"), ("小売業です", "売上は3億円です")])
def test_either_order_asks_only_for_what_is_missing(engine, first, second):
    out = say(engine, "t:c:1", first)
    missing = "need_industry" if "売上" in first else "need_sales"
    assert out.state == missing
    if missing == "need_industry":
        assert "業種をお知らせ" in out.text and "売上高をお知らせ" not in out.text
        assert {c.value for c in out.choices} >= {"manufacturing", "retail", "other"}
    else:
        assert "売上高をお知らせ" in out.text and "業種をお知らせ" not in out.text
    out = say(engine, "t:c:1", second)
    assert out.state == "quoted" and out.quote.industry == "retail" and out.quote.sales_yen == 300_000_000


def test_corrections_after_a_quote_requote(engine):
    say(engine, "t:c:1", "売上5億の製造業です")
    out = say(engine, "t:c:1", "やっぱり卸売業でした")
    assert out.quote.industry == "wholesale" and out.quote.monthly_yen == 5430
    out = say(engine, "t:c:1", "売上は3億でした")
    assert out.quote.sales_yen == 300_000_000 and out.quote.industry == "wholesale"
    assert out.quote.monthly_yen < 5430


def test_plan2_is_offered_and_quoted_on_request(engine):
    out = say(engine, "t:c:1", "売上5億の製造業です")
    assert "プラン②" in out.text and any(c.value == "plan2" for c in out.choices)
    out = say(engine, "t:c:1", "プラン2でお願いします")
    assert out.quote.plan == "plan2" and out.quote.annual_yen == 117000 and out.quote.monthly_yen == 10240
    assert "5億円" in out.text  # plan 2's liability limit
    out = click(engine, "t:c:1", "plan", "plan1")
    assert out.quote.plan == "plan1"


@pytest.mark.parametrize(
    "text,reason_word",
    [("ソフトウェア開発の会社で売上5億です", "ITサービス"), ("売上50億の製造業です", "30億円"), ("不動産業で売上2億です", "不動産")],
)
def test_cannot_quote_says_why_and_offers_a_person(engine, text, reason_word):
    out = say(engine, "t:c:1", text)
    assert out.state == "unquotable" and out.quote is None and not out.handoff
    assert reason_word in out.text and "担当者" in out.text
    out = say(engine, "t:c:1", "はい、お願いします")
    assert out.handoff and out.state == "with_person"


def test_english_and_switching_language(engine):
    out = say(engine, "t:c:1", "Hi, we run a cafe")
    assert out.state == "need_sales" and "annual sales" in out.text.lower()
    out = say(engine, "t:c:1", "about 80 million yen")
    assert out.quote.industry == "restaurant" and "¥" in out.text and "円" not in out.text.replace("事故のご連絡", "")
    out = say(engine, "t:c:1", "やっぱり売上は2億円です")
    assert "月額保険料" in out.text and out.quote.sales_yen == 200_000_000


def test_range_and_floor_are_explained(engine):
    out = say(engine, "t:c:1", "売上は4〜5億円くらいの建設業です")
    assert out.quote.sales_yen == 500_000_000 and "4億円" in out.text and "5億円" in out.text
    out = say(engine, "t:c:1", "売上は3,000万円でした")
    assert out.quote.monthly_yen == say(engine, "t:c:2", "売上1億円の建設業").quote.monthly_yen
    assert "1億円未満" in out.text


def test_a_new_process_continues_the_conversation_from_redis(store, content, faq_index):
    first = Engine(store, content, faq_index)
    say(first, "t:c:1", "売上は2億円です")
    second = Engine(store, content, faq_index)  # as after a restart: nothing in memory
    out = say(second, "t:c:1", "飲食業です")
    assert out.quote.sales_yen == 200_000_000 and out.quote.industry == "restaurant"


@pytest.mark.parametrize(
    "bad,expected",
    [("たくさんあります", "読み取れません"), ("-5億円", "0円より大きい"), ("マイナス3億", "0円より大きい"),
     ("5000兆円", "大きすぎる"), ("売上は500万ドルです", "日本円"), ("0円", "0円より大きい")],
)
def test_bad_amounts_get_a_polite_answer_and_change_nothing(engine, store, bad, expected):
    say(engine, "t:c:1", "製造業です")
    before = store.load("t:c:1")
    out = say(engine, "t:c:1", bad)
    assert expected in out.text
    after = store.load("t:c:1")
    assert after.sales_yen is None and after.industry == before.industry == "manufacturing"
    assert out.state == "need_sales"


def test_unknown_industry_word_while_asked_for_industry(engine):
    say(engine, "t:c:1", "売上3億です")
    out = say(engine, "t:c:1", "うーん")
    assert out.state == "need_industry" and "業種" in out.text


@pytest.mark.parametrize(
    "weird",
    ["x" * 40_000, "売上" + "5" * 5000 + "億", "🙂🙂🙂", "\u200b\u200e\u202e売上\u0000", "   ", "ｳﾘｱｹﾞ", "\ud7ff" * 10],
)
def test_odd_input_never_breaks_the_conversation(engine, store, weird):
    say(engine, "t:c:1", "売上5億の製造業です")
    out = say(engine, "t:c:1", weird)
    assert out.text
    conv = store.load("t:c:1")
    assert conv.sales_yen == 500_000_000 and conv.industry == "manufacturing"
    assert say(engine, "t:c:1", "卸売業でした").quote.monthly_yen == 5430


def test_each_turn_is_saved_with_ttl_and_transcript(engine, store):
    say(engine, "t:c:1", "売上5億の製造業です")
    assert 0 < store.redis.ttl(state_key("t:c:1")) <= store.ttl
    assert 0 < store.redis.ttl(transcript_key("t:c:1")) <= store.ttl
    lines = store.transcript("t:c:1")
    assert [l["role"] for l in lines] == ["prospect", "bot"] and lines[1]["quote"]["monthly"] == 5860
    assert "{t:c:1}" in state_key("t:c:1")  # hash tag: one slot per conversation


def test_transcript_is_capped(engine, store, monkeypatch):
    import bot.store

    monkeypatch.setattr(bot.store, "TRANSCRIPT_CAP", 10)
    for i in range(12):
        say(engine, "t:c:1", "こんにちは")
    assert len(store.transcript("t:c:1")) == 10


def test_concurrent_turns_on_one_conversation_are_not_lost(engine, store):
    def worker():
        for _ in range(10):
            engine.handle("t:c:1", Inbound(text="こんにちは"))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.load("t:c:1").turns == 40
    assert len(store.transcript("t:c:1")) == 80
