"""The handoff card's pure builders (bot/slack/cards.py) and what each change counts toward the
day's figures (bot/counting.py): no Slack, no Redis."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot import counting
from bot.flows.handoff import HandoffFlow
from bot.flows.model import Conversation, HandoffRecord
from bot.hours import BusinessHours
from bot.slack import cards
from bot.slack.cards import CardFacts

TOKYO = ZoneInfo("Asia/Tokyo")
WED_10 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=TOKYO).timestamp()
HOURS = BusinessHours.parse("Mon-Fri 09:00-17:00")


def facts(now: float = WED_10 + 12 * 60, name: str | None = "田中", company: str | None = "株式会社タナカ精工") -> CardFacts:
    return CardFacts(name, company, now, HOURS, lambda channel, ts: f"https://example.slack.com/archives/{channel}/p{ts}")


def conv(status: str = "waiting", urgent: bool = False, **h: object) -> Conversation:
    handoff = HandoffRecord(id="1-abc", reason=h.pop("reason", "requested"), urgent=urgent, status=status,  # type: ignore[arg-type]
                            created_at=WED_10, updated_at=WED_10, **h)
    return Conversation(key="T_HOME:CSHARED:1700000000.000100", state="with_person", sales_yen=500_000_000,
                        industry="manufacturing", handoff=handoff, meta={"user": "UTANAKA", "team": "T_TANAKA"})


TRANSCRIPT = [
    {"role": "prospect", "text": "売上5億の製造業です"},
    {"role": "bot", "kind": "quote", "text": "月額 5,860円(目安)\n・プラン① ..."},
    {"role": "system", "text": "handoff claimed"},
    {"role": "prospect", "text": "担当の方と   話したいです"},
    {"role": "bot", "kind": "handoff", "text": "担当者におつなぎいたします。"},
]


def shown(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("status, urgent, extra, header", [
    ("waiting", False, {}, "🟡 待機中 12分 | 株式会社タナカ精工 田中様"),
    ("waiting", True, {}, "🔴 至急 · 待機中 12分 | 株式会社タナカ精工 田中様"),
    ("claimed", False, {"agent_id": "UAGENT1", "agent_name": "佐藤"}, "🟢 対応中: 佐藤 | 株式会社タナカ精工 田中様"),
    ("closed", False, {"agent_id": "UAGENT1", "agent_name": "佐藤", "outcome": "quote_sent"}, "✅ 完了: 佐藤 | 株式会社タナカ精工 田中様"),
    ("cancelled", False, {}, "⚪ キャンセル | 株式会社タナカ精工 田中様"),
])
def test_the_header_says_state_urgency_and_who(content, status, urgent, extra, header):
    c = conv(status, urgent, **extra)
    assert cards.header(content, c.handoff, facts()) == header
    blocks = cards.card_blocks(content, c, c.handoff, TRANSCRIPT, facts())
    assert blocks[0]["text"]["text"] == header


@pytest.mark.parametrize("status, labels", [
    ("waiting", ["担当する"]),
    ("claimed", ["対応完了", "担当を外れる"]),
    ("closed", ["再開する"]),
    ("cancelled", []),
])
def test_the_controls_follow_the_state(content, status, labels):
    c = conv(status, agent_id="UAGENT1", agent_name="佐藤")
    controls = cards.controls(content, c, c.handoff)
    assert [x.label for x in controls if hasattr(x, "value")] == labels
    assert any(isinstance(x, cards.CardPicker) for x in controls) == (status in ("waiting", "claimed"))


def test_the_card_reads_in_five_seconds(content):
    c = conv()
    text = shown(cards.card_blocks(content, c, c.handoff, TRANSCRIPT, facts()))
    for part in ("株式会社タナカ精工 田中様", "<@UTANAKA>", "<#CSHARED>", "日本語", "待ち時間 12分", "受付 12/2 10:00",
                 "担当者との相談をご希望", "担当の方と 話したいです", "5億円", "製造業", "5,860円", "スレッドを開く",
                 "見積りを提示", "担当者へのおつなぎをご案内"):
        assert part in text, part
    assert "プラン① ..." not in text  # the bot's replies are summarised, not dumped
    assert "handoff claimed" not in text  # system lines are left out


def test_waiting_counts_business_time_for_a_normal_handoff_and_wall_time_for_an_incident(content):
    friday_1655 = dt.datetime(2026, 12, 4, 16, 55, tzinfo=TOKYO).timestamp()
    monday_0910 = dt.datetime(2026, 12, 7, 9, 10, tzinfo=TOKYO).timestamp()
    normal = HandoffRecord(id="1", reason="requested", created_at=friday_1655, updated_at=friday_1655)
    urgent = normal.model_copy(update={"urgent": True})
    assert cards.waited(normal, facts(monday_0910)) == 15
    assert cards.waited(urgent, facts(monday_0910)) == (monday_0910 - friday_1655) // 60


def test_the_notification_says_who_and_why_and_escapes_nothing_it_should_not(content):
    urgent = conv(urgent=True, reason="incident").handoff
    assert cards.notification(content, urgent, facts()) == "【至急】株式会社タナカ精工 田中様: 事故のご連絡"
    assert cards.notification(content, conv().handoff, facts(company=None)) == "田中様: 担当者との相談をご希望"
    assert cards.notification(content, conv().handoff, facts(name=None, company=None)) == "お客さま: 担当者との相談をご希望"
    hostile = conv()
    blocks = cards.card_blocks(content, hostile, hostile.handoff, [{"role": "prospect", "text": "<!channel> <https://evil|click>"}],
                               facts(name="<@U1>"))
    assert "<!channel>" not in shown(blocks) and "<https://evil" not in shown(blocks) and "&lt;@U1&gt;" in shown(blocks)


def test_a_request_made_on_the_bots_offer_says_what_led_to_it(content):
    h = conv(after="faq_abstained").handoff
    assert cards.reason_text(content, h) == "担当者との相談をご希望(ボットが回答できない質問のあと)"


def test_a_closed_card_shows_outcome_note_and_satisfaction(content):
    c = conv("closed", agent_id="UAGENT1", agent_name="佐藤", outcome="quote_sent", note="来週見積書送付", satisfaction=4)
    status = cards.status_line(content, c.handoff)
    assert "見積り・提案を送付" in status and "来週見積書送付" in status and "4 / 5" in status


# -- figures ---------------------------------------------------------------------------------------


def names(before: Conversation | None, after: Conversation) -> list[str]:
    return [e[0] for e in counting.events(before, after, HOURS)]


def test_each_change_counts_once_for_what_it_did():
    new = Conversation(key="K", created_at=WED_10, updated_at=WED_10)
    assert names(None, new) == ["started"]
    quoted = new.model_copy(update={"state": "quoted"})
    assert names(new, quoted) == ["quotes"] and names(quoted, quoted) == []
    waiting = conv()
    assert names(quoted, waiting) == ["handoffs:requested"]
    claimed = waiting.model_copy(deep=True)
    HandoffFlow(claimed.handoff).send("claim", agent_id="UAGENT1", agent_name="佐藤", now=WED_10 + 300)
    [(name, _, _, seconds)] = counting.events(waiting, claimed, HOURS)
    assert (name, seconds) == ("claimed", 300)
    released = claimed.model_copy(deep=True)
    HandoffFlow(released.handoff).send("release", by="UAGENT1", now=WED_10 + 400)
    again = released.model_copy(deep=True)
    HandoffFlow(again.handoff).send("claim", agent_id="UAGENT2", agent_name="鈴木", now=WED_10 + 500)
    assert names(released, again) == []  # the time to claim is the first claim's
    closed = again.model_copy(deep=True)
    HandoffFlow(closed.handoff).send("close", by="UAGENT2", outcome="quote_sent", now=WED_10 + 900)
    assert names(again, closed) == ["closed:quote_sent"]
    rated = closed.model_copy(deep=True)
    rated.handoff.satisfaction = 5
    assert names(closed, rated) == ["satisfaction:5"] and names(rated, rated) == []


def test_a_claim_out_of_hours_counts_business_time_only():
    friday_1655 = dt.datetime(2026, 12, 4, 16, 55, tzinfo=TOKYO).timestamp()
    before = conv()
    before.handoff.created_at = friday_1655
    after = before.model_copy(deep=True)
    HandoffFlow(after.handoff).send("claim", agent_id="U", agent_name="u",
                                    now=dt.datetime(2026, 12, 7, 9, 5, tzinfo=TOKYO).timestamp())
    [(_, _, _, seconds)] = counting.events(before, after, HOURS)
    assert seconds == 10 * 60
