"""The dialogue around the quote: FAQ at any point, out of scope, greetings, incidents.

Everything runs through the real engine over a real Redis; assertions are on what the
prospect would read (text, state, faq id, handoff flag), never on internals.
"""

from __future__ import annotations

import pytest

from bot.conversation import Engine
from bot.turn import Inbound


def say(engine: Engine, key: str, text: str):
    outs = [o for o in engine.handle(key, Inbound(text=text)) if not o.to_agent]
    assert len(outs) == 1, outs
    return outs[0]


def _to_state(engine: Engine, key: str, state: str) -> None:
    """Drive a fresh conversation into `state` by ordinary messages."""
    steps = {
        "new": [],
        "need_both": ["こんにちは"],
        "need_sales": ["製造業です"],
        "need_industry": ["売上は5億円です"],
        "quoted": ["売上5億の製造業です"],
        "unquotable": ["売上50億の製造業です"],
    }[state]
    for text in steps:
        say(engine, key, text)
    if state != "new":
        assert engine.store.load(key).state == state


# For each state: the FAQ answer comes first, then what that state asks for, again.
RESUME = {
    "new": ("年間の売上高と業種", "need_both"),
    "need_both": ("年間の売上高と業種", "need_both"),
    "need_sales": ("年間の売上高をお知らせください", "need_sales"),
    "need_industry": ("業種をお知らせください", "need_industry"),
    "quoted": (None, "quoted"),
    "unquotable": (None, "unquotable"),
}


@pytest.mark.parametrize("state", list(RESUME))
def test_a_question_in_any_state_is_answered_and_the_flow_resumes(engine, state):
    key = f"t:faq:{state}"
    _to_state(engine, key, state)
    before = engine.store.load(key)
    out = say(engine, key, "罰金って保険で払ってもらえるんでしょうか")
    assert out.faq_id == "fines"
    assert out.text.startswith(engine.faq.answer("fines", "ja"))
    ask, next_state = RESUME[state]
    assert out.state == next_state
    if ask:
        assert ask in out.text
    after = engine.store.load(key)
    if before is not None:  # facts already given survive the question
        assert (after.sales_yen, after.industry) == (before.sales_yen, before.industry)
    # ...and the quote carries on from there.
    if state == "need_sales":
        assert say(engine, key, "3億円").state == "quoted"
    if state == "need_industry":
        assert say(engine, key, "小売業").quote.as_dict()["monthly_yen"] == 8140


def test_english_question_mid_quote_is_answered_in_english_and_resumes(engine):
    key = "t:faq:en"
    say(engine, key, "We're a logistics company")
    out = say(engine, key, "Do you cover sole proprietors too?")
    assert out.faq_id == "sole-proprietor"
    assert "annual sales" in out.text.lower() and out.state == "need_sales"
    assert say(engine, key, "about 500 million yen").quote.as_dict()["monthly_yen"] == 14440


@pytest.mark.parametrize("text, lang", [
    ("自動車保険の見積り", "ja"),
    ("今日の天気は?", "ja"),
    ("今日の天気", "ja"),
    ("Tell me a joke", "en"),
    ("Can you insure my car?", "en"),
])
def test_out_of_scope_gets_no_wrong_answer_and_an_offer_of_a_person(engine, text, lang):
    key = f"t:oos:{text}"
    out = say(engine, key, text)
    assert out.faq_id is None and out.quote is None and not out.handoff
    expected = "サイバー保険" if lang == "ja" else "cyber insurance"
    assert expected in out.text
    assert ("担当者" in out.text) if lang == "ja" else ("agent" in out.text)
    # Accepting the offer hands over; the handoff records why.
    accepted = say(engine, key, "はい" if lang == "ja" else "yes please")
    assert accepted.handoff and accepted.state == "with_person"
    h = engine.store.load(key).handoff
    assert (h.reason, h.after) == ("requested", "faq_abstained")  # their request, after the bot could not answer


def test_out_of_scope_offer_declined_keeps_the_bot(engine):
    key = "t:oos:declined"
    say(engine, key, "Tell me a joke")
    out = say(engine, key, "no thanks")
    assert not out.handoff and out.state == "need_both"


@pytest.mark.parametrize("text", ["見積もりしたいです", "お見積りをお願いします", "I'd like a quote", "Quote me please"])
def test_asking_for_a_quote_starts_it(engine, text):
    out = say(engine, f"t:start:{text}", text)
    assert out.state == "need_both" and out.faq_id is None


@pytest.mark.parametrize("text, faq_id", [
    ("見積もりには何が必要ですか?", "quote-inputs"),
    ("What do you need from me for a quote?", "quote-inputs"),
])
def test_a_question_about_quoting_is_answered(engine, text, faq_id):
    out = say(engine, f"t:q:{text}", text)
    assert out.faq_id == faq_id and out.state == "need_both"


@pytest.mark.parametrize("text", ["こんにちは", "はじめまして、山田商事の山田です", "hello there", "Good morning!", "よろしくお願いします"])
def test_a_greeting_opens_the_quote(engine, text):
    out = say(engine, f"t:hi:{text}", text)
    assert out.state == "need_both" and not out.handoff
    assert ("annual sales" in out.text) if text.isascii() else ("売上高" in out.text)


@pytest.mark.parametrize("text, lang", [("ありがとうございます", "ja"), ("thanks!", "en"), ("Thank you, that helps", "en")])
def test_thanks_after_a_quote_is_acknowledged_not_out_of_scope(engine, text, lang):
    key = f"t:thanks:{text}"
    say(engine, key, "売上5億の製造業です")
    out = say(engine, key, text)
    assert out.state == "quoted" and not out.handoff and out.faq_id is None
    assert ("お役に立てて幸いです" in out.text) if lang == "ja" else ("welcome" in out.text)
    assert "サイバー保険に関するご質問にのみ" not in out.text and "only help" not in out.text


@pytest.mark.parametrize("text, lang", [("ウイルスに感染した", "ja"), ("we've been hacked", "en")])
def test_an_incident_is_an_urgent_handoff_with_the_accident_procedure_first(engine, text, lang):
    key = f"t:incident:{lang}"
    say(engine, key, "売上5億の製造業です")
    out = say(engine, key, text)
    assert out.handoff and out.urgent and out.state == "with_person"
    first_line = out.text.splitlines()[0]
    assert ("事故のご連絡" in first_line) if lang == "ja" else ("accident-reporting procedure" in first_line)
    record = engine.store.load(key).handoff
    assert record.reason == "incident" and record.urgent and record.status == "waiting"


def test_a_hypothetical_incident_is_a_product_question(engine):
    out = say(engine, "t:incident:what-if", "ウイルスに感染したら補償されますか?")
    assert not out.handoff and out.faq_id is not None


def test_asking_for_a_person_works_in_every_state(engine):
    for state in RESUME:
        key = f"t:person:{state}"
        _to_state(engine, key, state)
        out = say(engine, key, "担当者と話したいです")
        assert out.handoff and out.state == "with_person", state


def test_monthly_sales_are_quoted_on_twelve_months_and_the_reply_says_so(engine):
    out = say(engine, "t:monthly", "月商2000万円の小売店です")
    assert out.quote.as_dict()["sales_yen"] == 240_000_000
    assert "12倍" in out.text and "2億4,000万円" in out.text


@pytest.mark.parametrize("back", ["プラン1に戻して", "やっぱり標準のプランで", "go back to the standard plan"])
def test_plan1_can_be_asked_for_again_after_plan2(engine, back):
    key = f"t:plan1:{back}"
    say(engine, key, "売上5億の製造業です")
    assert say(engine, key, "プラン2で").quote.as_dict()["plan"] == "plan2"
    out = say(engine, key, back)
    assert out.quote.as_dict() == {"sales_yen": 500_000_000, "industry": "manufacturing", "plan": "plan1",
                                   "monthly_yen": 5860, "annual_yen": 67000}


def test_an_absurd_40000_digit_amount_gets_a_short_polite_answer(engine):
    out = say(engine, "t:absurd", "売上" + "5" * 40_000 + "億円")
    assert out.quote is None and out.state == "need_both"
    assert len(out.text) < 400 and "大きすぎる" in out.text


# -- found in review: statements, "no", "I don't know", price follow-ups, language -------------


@pytest.mark.parametrize("text", ["従業員50名です", "創業30年です", "2024年4月1日に創業しました", "2023年4月に開業しました", "社員は30人です", "弊社は創業50年の老舗です", "We have 12 staff"])
def test_a_statement_while_waiting_for_facts_is_not_answered_from_the_faq(engine, text):
    key = f"t:stmt:{text}"
    say(engine, key, "hello" if text.isascii() else "こんにちは")
    out = say(engine, key, text)
    assert out.faq_id is None and out.state == "need_both" and out.quote is None


def test_a_casual_question_without_a_question_mark_is_still_answered(engine):
    key = "t:casual"
    say(engine, key, "製造業です")
    out = say(engine, key, "個人事業主でも入れる")
    assert out.faq_id == "sole-proprietor" and out.state == "need_sales"


def test_declining_a_person_when_unquotable_explains_how_to_go_on_without_asking_again(engine):
    key = "t:decline"
    say(engine, key, "売上は3000億円の製造業です")
    out = say(engine, key, "いいえ")
    assert out.state == "unquotable" and not out.handoff
    assert "訂正" in out.text and "おつなぎいたしましょうか" not in out.text


def test_a_bare_no_after_a_quote_does_not_repeat_the_quote(engine):
    key = "t:no-after-quote"
    say(engine, key, "売上5億の製造業です")
    out = say(engine, key, "いいえ")
    assert out.quote is None and "読み取れません" not in out.text and out.state == "quoted"


@pytest.mark.parametrize("text, lang", [("わからない", "ja"), ("I don't know", "en")])
def test_not_knowing_sales_gets_help_not_an_error(engine, text, lang):
    key = f"t:dk:{lang}"
    say(engine, key, "製造業です" if lang == "ja" else "We're a manufacturer")
    out = say(engine, key, text)
    assert out.state == "need_sales"
    assert ("見込み" in out.text) if lang == "ja" else ("projected" in out.text)
    assert any(c.action == "sales" for c in out.choices) or out.choices  # the range buttons


def test_two_unreadable_answers_in_a_row_bring_an_offer_of_a_person(engine):
    key = "t:misses"
    say(engine, key, "こんにちは")
    first = say(engine, key, "ぴよぴよ")  # ("うーん" now reads as not knowing, and gets help instead)
    assert "おつなぎいたしましょうか" not in first.text
    second = say(engine, key, "ほげほげ")
    assert "おつなぎいたしましょうか" in second.text
    assert say(engine, key, "はい").handoff
    h = engine.store.load(key).handoff
    assert (h.reason, h.after) == ("requested", "not_understood")


@pytest.mark.parametrize("text", ["年払いだといくら？", "月額いくら？", "how much per month?"])
def test_a_price_question_after_a_quote_restates_their_own_quote(engine, text):
    key = f"t:price:{text}"
    say(engine, key, "売上3億の製造業です")
    out = say(engine, key, text)
    assert out.quote is not None and out.quote.as_dict()["sales_yen"] == 300_000_000


@pytest.mark.parametrize("text", ["EC", "OK"])
def test_an_acronym_does_not_switch_a_japanese_conversation_to_english(engine, text):
    key = f"t:lang:{text}"
    say(engine, key, "売上は5億円です")
    out = say(engine, key, text)
    assert out.lang == "ja"


def test_english_with_a_japanese_figure_is_answered_in_english(engine):
    out = say(engine, "t:lang:mixed", "Our annual sales are 5億円")
    assert out.lang == "en" and "What industry" in out.text
