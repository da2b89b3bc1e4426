"""Intent detection: what a message asks the bot to do, with incident and handoff first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import ContentError
from bot.content.intents import load_intents
from bot.understanding.intents import Intent, prepare, read_intents


def detect_intent(text, intents):
    return read_intents(prepare(text), intents).intent


def is_other_insurance(text, intents):
    return read_intents(prepare(text), intents).other_insurance


def is_question(text, intents):
    return read_intents(prepare(text), intents).question


def is_statement(text, intents):
    return read_intents(prepare(text), intents).statement


PATH = Path(__file__).resolve().parents[1] / "content" / "intents.yaml"


@pytest.fixture(scope="module")
def intents():
    return load_intents(PATH)


CASES = [
    # incident: urgent, in either language, any politeness
    ("ウイルスに感染した", Intent.INCIDENT),
    ("ｳｲﾙｽに感染しました。どうすればいいですか", Intent.INCIDENT),
    ("顧客情報が流出したかもしれません", Intent.INCIDENT),
    ("ランサムウェアでファイルが暗号化されました", Intent.INCIDENT),
    ("不正アクセスを受けました", Intent.INCIDENT),
    ("we've been hacked", Intent.INCIDENT),
    ("Our server got infected with ransomware!!", Intent.INCIDENT),
    ("WE WERE HACKED LAST NIGHT", Intent.INCIDENT),
    ("Someone stole our customer list", Intent.INCIDENT),
    ("our website was defaced", Intent.INCIDENT),
    ("When we got hacked last night, the server went down", Intent.INCIDENT),
    ("ランサムウェアの被害にあいました", Intent.INCIDENT),
    ("顧客データが盗まれたらしいです", Intent.INCIDENT),
    # handoff
    ("担当者と話したい", Intent.HANDOFF),
    ("人と話したいです", Intent.HANDOFF),
    ("電話で相談したいのですが", Intent.HANDOFF),
    ("Can I talk to a real person?", Intent.HANDOFF),
    ("agent please", Intent.HANDOFF),
    # start a quote
    ("見積もりしたい", Intent.START_QUOTE),
    ("お見積りをお願いします", Intent.START_QUOTE),
    ("保険料を知りたい", Intent.START_QUOTE),
    ("I'd like to get a quote", Intent.START_QUOTE),
    ("how much would it cost us?", Intent.START_QUOTE),
    # plan 2
    ("プラン2にしたい", Intent.PLAN2),
    ("プラン②でお願いします", Intent.PLAN2),
    ("補償を手厚くしたい", Intent.PLAN2),
    ("Can I get higher limits?", Intent.PLAN2),
    ("plan two please", Intent.PLAN2),
    # plan 1 (back to standard limits)
    ("プラン1に戻して", Intent.PLAN1),
    ("やっぱり標準のプランで", Intent.PLAN1),
    ("go back to the standard plan", Intent.PLAN1),
    # greetings and thanks, on their own
    ("こんにちは", Intent.GREETING),
    ("Good morning!", Intent.GREETING),
    ("ありがとうございます、助かりました", Intent.THANKS),
    ("thanks a lot", Intent.THANKS),
    # restart
    ("最初からやり直したい", Intent.RESTART),
    ("条件を変えて見積もりしたい", Intent.RESTART),
    ("start over", Intent.RESTART),
    # yes / no only as the whole message
    ("はい", Intent.YES),
    ("はい、お願いします!", Intent.YES),
    ("Yes please", Intent.YES),
    ("ｏｋ", Intent.YES),
    ("いいえ", Intent.NO),
    ("結構です", Intent.NO),
    ("no thanks", Intent.NO),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_intent_is_recognised(intents, text, expected):
    assert detect_intent(text, intents) is expected


NOT_AN_INTENT = [
    "ウイルスに感染したら補償されますか?",  # a product question, not a report
    "もし不正アクセスされたらどうなりますか",
    "what if we get hacked?",
    "Are we covered if our data is breached?",
    "If hackers stole our data, would you pay?",
    "when a company gets hacked, what does it usually cost?",
    "データが盗まれた場合は対象ですか",
    "ランサムウェアの被害にあったら補償される?",
    "はい、でも売上は5億です",  # 'yes' inside a longer message is not a bare yes
    "No idea what our revenue is, maybe 3億",
    "How do I reset my Slack password?",
    "売上5億の製造業です",
    "Tell me a joke",
    "",
]


@pytest.mark.parametrize("text", NOT_AN_INTENT)
def test_no_intent_for_questions_and_facts(intents, text):
    assert detect_intent(text, intents) is None


def test_incident_outranks_handoff_and_handoff_outranks_a_quote(intents):
    assert detect_intent("ウイルスに感染したので担当者と話したい", intents) is Intent.INCIDENT
    assert detect_intent("We've been hacked, let me talk to a person", intents) is Intent.INCIDENT
    assert detect_intent("見積もりしたいので担当者と話したい", intents) is Intent.HANDOFF
    assert detect_intent("I want a quote but can I speak to someone first?", intents) is Intent.HANDOFF


@pytest.mark.parametrize(
    "text", ["自動車保険の見積り", "火災保険の見積もりをお願いします", "生命保険に加入したい", "I want a car insurance quote"]
)
def test_other_insurance_never_starts_a_cyber_quote(intents, text):
    assert is_other_insurance(text, intents)
    assert detect_intent(text, intents) is not Intent.START_QUOTE


@pytest.mark.parametrize("text", ["サイバー保険の見積もり", "保険料を知りたい", "get a cyber insurance quote"])
def test_cyber_insurance_is_not_other_insurance(intents, text):
    assert not is_other_insurance(text, intents)


def _load_with(tmp_path: Path, change) -> None:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "intents.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_intents(path)


def test_incident_must_come_first(tmp_path):
    def swap(d):
        d["intents"][0], d["intents"][1] = d["intents"][1], d["intents"][0]

    with pytest.raises(ContentError) as err:
        _load_with(tmp_path, swap)
    assert err.value.field == "intents" and "incident" in err.value.problem


def test_a_missing_intent_is_named(tmp_path):
    with pytest.raises(ContentError) as err:
        _load_with(tmp_path, lambda d: d["intents"].pop())
    assert "intents missing: status" in err.value.problem


def test_a_bad_regex_names_its_field(tmp_path):
    with pytest.raises(ContentError) as err:
        _load_with(tmp_path, lambda d: d["intents"][2]["ja"].append("(unclosed"))
    assert err.value.field == "intents.2.ja"


@pytest.mark.parametrize(
    "text",
    [
        "個人でも入れるんですかね",  # a question ending in ね
        "個人事業主でも大丈夫ですよね",
        "半年だけの契約もできるか",
        "罰金って出ないんですか",
        "what does it cover",
        "見積もりに何が必要",
    ],
)
def test_questions_without_a_question_mark_are_questions(intents, text):
    assert is_question(text, intents)
    assert not is_statement(text, intents)


@pytest.mark.parametrize(
    "text", ["従業員50名です", "2023年4月に開業しました", "町工場を営んでおります", "we have 12 staff", "Our company makes parts"]
)
def test_plain_statements_about_the_business_are_statements(intents, text):
    assert not is_question(text, intents)
    assert is_statement(text, intents)
