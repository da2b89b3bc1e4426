"""The agent desk as its people use it: card threads, the card, App Home, business hours,
escalation, closing and the day's figures (the agent-desk issue).

The workspace: the insurer (T_HOME) with three agents in the agent channel (佐藤, 鈴木, 伊藤), a
salesperson who is not an agent (山本); a customer company (T_TANAKA) with two people in a
Slack Connect channel, and a second prospect of another company. Time is a clock the tests
hold, starting on Wednesday 2 December 2026 at 10:00 in Tokyo, and business hours are the
served default (weekdays 9 to 5, Japanese holidays, closed 12-29..01-03). Everything is
asserted as people would see it, silence included (no Web API call within a wait).
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest

from tests.slack_app import button_labels, buttons, card_for, click, eventually, message_text
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, InProcessApp

TOKYO = ZoneInfo("Asia/Tokyo")
SHARED = "CSHARED01"          # Slack Connect: the insurer and the customer
OTHER_CHANNEL = "CSHARED02"   # Slack Connect with a second company
CUSTOMER_TEAM, SECOND_TEAM = "T_TANAKA", "T_KIMURA"
TANAKA, KATO = "UTANAKA", "UKATO"       # the customer's people
KIMURA = "UKIMURA"                      # the second company's prospect
YAMAMOTO = "USALES1"                    # the insurer's salesperson, not an agent
SATO, SUZUKI, ITO = "UAGENT1", "UAGENT2", "UAGENT3"
GUEST = "UEXTAGENT"                     # a Slack Connect guest who sits in the agent channel
ONCALL = "<!subteam^S0ONCALL>"
assert {SATO, SUZUKI, ITO, GUEST} <= set(AGENT_MEMBERS) and YAMAMOTO not in AGENT_MEMBERS

TEAMS = {TANAKA: CUSTOMER_TEAM, KATO: CUSTOMER_TEAM, KIMURA: SECOND_TEAM,
         YAMAMOTO: "T_HOME", SATO: "T_HOME", SUZUKI: "T_HOME", ITO: "T_HOME", GUEST: "T_EXT"}
CHANNEL_OF = {TANAKA: SHARED, KATO: SHARED, KIMURA: OTHER_CHANNEL}
SILENCE = 0.3


def jst(year, month, day, hour, minute=0, second=0) -> float:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TOKYO).timestamp()


WEDNESDAY_10 = jst(2026, 12, 2, 10)


class Clock:
    """The bot's clock, held by the test: `clock.now` is epoch seconds."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, seconds: float = 0) -> float:
        self.now += minutes * 60 + seconds
        return self.now

    def set(self, at: float) -> float:
        self.now = at
        return at


# -- the workspace ---------------------------------------------------------------------------


@pytest.fixture()
def fake():
    with FakeSlackAPI(
        users={
            TANAKA: {"name": "utanaka", "real_name": "田中 太郎", "team_id": CUSTOMER_TEAM, "profile": {"display_name": "田中"}},
            KATO: {"name": "ukato", "real_name": "加藤 花子", "team_id": CUSTOMER_TEAM, "profile": {"display_name": "加藤"}},
            KIMURA: {"name": "ukimura", "real_name": "木村 次郎", "team_id": SECOND_TEAM, "profile": {"display_name": "木村"}},
            YAMAMOTO: {"name": "yamamoto.k", "real_name": "山本 健", "profile": {"display_name": "山本"}},
            SATO: {"name": "sato.i", "real_name": "佐藤 一郎", "profile": {"display_name": "佐藤"}},
            SUZUKI: {"name": "suzuki.h", "real_name": "鈴木 花子", "profile": {"display_name": "鈴木"}},
            ITO: {"name": "ito.j", "real_name": "伊藤 純", "profile": {"display_name": "伊藤"}},
            GUEST: {"name": "guest", "real_name": "代理店 太郎", "team_id": "T_EXT"},  # in the agent channel, not ours
        },
        channel_members={AGENT_CHANNEL: AGENT_MEMBERS},
    ) as api:
        yield api


@pytest.fixture()
def clock():
    return Clock(WEDNESDAY_10)


DESK_ENV = {"BUSINESS_HOURS": "Mon-Fri 09:00-17:00", "HANDOFF_REMIND_MINUTES": "10",
            "HANDOFF_REMIND_MAX_MINUTES": "40", "URGENT_REMIND_MINUTES": "5", "ONCALL_MENTION": "S0ONCALL"}


def home_redraws_done(timeout: float = 10.0) -> None:
    """Wait until App Home redraws started so far have finished (they run on a pool of two
    threads the harness does not track): two tasks that can only meet when both threads are
    free, so nothing submitted before them is still running (or left for the next test)."""
    from bot.slack import home

    meet = threading.Barrier(2, timeout=timeout)
    for f in [home._REDRAWS.submit(meet.wait) for _ in range(2)]:
        f.result(timeout)


@pytest.fixture()
def bot(slack_runtime, fake, redis_url, clock):
    app = InProcessApp(slack_runtime, fake, redis_url, clock=clock, **DESK_ENV)
    yield app
    home_redraws_done()
    app.close()


@pytest.fixture()
def bot_b(slack_runtime, fake, redis_url, clock):
    """A second process on the same Redis, with the same clock."""
    app = InProcessApp(slack_runtime, fake, redis_url, clock=clock, **DESK_ENV)
    yield app
    home_redraws_done()
    app.close()


# -- what people do --------------------------------------------------------------------------


def say(bot, user, text, thread=None, channel=None, **kw):
    """A person writes, with the workspace Slack names in the event (`user_team`)."""
    kw.setdefault("user_team", TEAMS[user])
    _, _, ts = bot.slack.message(channel or CHANNEL_OF.get(user, AGENT_CHANNEL), user, text, thread_ts=thread, **kw)
    return ts


def in_card_thread(bot, user, card, text):
    """An agent (or anyone) writes in a card's thread."""
    _, _, ts = bot.slack.message(AGENT_CHANNEL, user, text, thread_ts=card["ts"], user_team=TEAMS[user])
    return ts


def posts_in(fake, channel, thread=None):
    return [dict(c.params, ts=c.response["ts"]) for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") == channel and c.params.get("thread_ts") == thread and c.response.get("ok")]


def replies(fake, channel, thread, count=1):
    calls = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel
                          and c.params.get("thread_ts") == thread and c.response.get("ok"), count=count)
    return [dict(c.params, ts=c.response["ts"]) for c in calls]


def silent(fake, channel, thread=None, already=0, within=SILENCE):
    """No post by the bot in that place beyond `already`, now or within the wait."""
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == channel
                        and c.params.get("thread_ts") == thread, count=already, within=within)


def ephemerals(fake, user):
    return [c.params for c in fake.calls_to("chat.postEphemeral") if c.params.get("user") == user]


def latest_card(fake, card):
    """The card as the agents see it now (its last update, or as posted)."""
    updates = [c.params for c in fake.calls_to("chat.update") if c.params.get("ts") == card["ts"]
               and c.params.get("channel") == AGENT_CHANNEL]
    return dict(updates[-1], ts=card["ts"], channel=AGENT_CHANNEL) if updates else card


def header_of(message):
    return next(b["text"]["text"] for b in message.get("blocks") or [] if b.get("type") == "header")


def card_shows(fake, card, fragment):
    """Wait until the card's header shows `fragment`; the card as it is then."""
    return eventually(lambda: fragment in header_of(latest_card(fake, card)) and latest_card(fake, card))


def card_update_count(fake, card):
    return len([c for c in fake.calls_to("chat.update") if c.params.get("ts") == card["ts"]])


def card_thread_posts(fake, card):
    return [c.params for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") == AGENT_CHANNEL and c.params.get("thread_ts") == card["ts"]]


def reminders(fake):
    return [c.params for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == AGENT_CHANNEL
            and c.response.get("ok") and "再通知" in c.params.get("text", "")]


def has_picker(message):
    return any(e.get("type") == "users_select" for b in message.get("blocks") or [] if b.get("type") == "actions"
               for e in b["elements"])


def pick(bot, user, card, chosen):
    """Choose `chosen` in the card's 他の担当者に割り当て picker."""
    [(block_id, picker)] = [(b.get("block_id"), e) for b in card.get("blocks") or [] if b.get("type") == "actions"
                            for e in b["elements"] if e.get("type") == "users_select"]
    original = {"type": "message", "user": "U_BOT", "bot_id": "B_BOT", "text": card.get("text", ""),
                "ts": card["ts"], "blocks": card.get("blocks") or []}
    return bot.slack.user_select(user, picker["action_id"], chosen, channel=AGENT_CHANNEL, message_ts=card["ts"],
                                 block_id=block_id, message=original, user_team=TEAMS[user])


def ask_for_a_person(bot, fake, user=TANAKA, first="売上5億の製造業です", then="担当者と話したいです"):
    """A prospect gets a quote, then asks for a person: (root, the notice they got, the card)."""
    channel = CHANNEL_OF[user]
    cards_before = len(agent_cards(fake))
    root = say(bot, user, first)
    replies(fake, channel, root)
    say(bot, user, then, thread=root)
    notice = replies(fake, channel, root, count=2)[-1]
    card = card_for(fake, count=cards_before + 1)[-1]
    return root, notice, card


def report_incident(bot, fake, user=TANAKA, text="社内のパソコンがウイルスに感染したみたいです"):
    channel = CHANNEL_OF[user]
    cards_before = len(agent_cards(fake))
    root = say(bot, user, text)
    [notice] = replies(fake, channel, root)
    card = card_for(fake, count=cards_before + 1)[-1]
    return root, notice, card


def agent_cards(fake):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == AGENT_CHANNEL
            and c.response.get("ok") and any(b.get("type") == "header" for b in c.params.get("blocks") or [])]


def claim(bot, fake, card, agent=SATO):
    click(bot.slack, agent, latest_card(fake, card), "担当する")
    return card_shows(fake, card, "🟢 対応中")


def close(bot, agent, card, outcome="quote_sent", note=None):
    [close_button] = [b for b in buttons(card) if b["action_id"] == "handoff.close"]
    selected = {"value": outcome, "text": {"type": "plain_text", "text": outcome}}
    values = {"outcome": {"value": {"type": "static_select", "selected_option": selected}}}
    if note is not None:
        values["note"] = {"value": {"type": "plain_text_input", "value": note}}
    return bot.slack.view_submission(agent, "handoff_close", private_metadata=close_button["value"], values=values)


def conv_of(bot, channel, root):
    return bot.ctx.store.load(f"T_HOME:{channel}:{root}")


def handoff(bot, channel, root):
    conv = conv_of(bot, channel, root)
    return conv.handoff if conv else None


def relayed_to_prospect(fake, root, text):
    """What reached the prospect's thread under an agent's name (the bot posts as itself)."""
    return [m for m in posts_in(fake, SHARED, root) if m.get("username") and text in (m.get("text") or "")]


def reactions_on(fake, ts):
    return [c.params for c in fake.calls_to("reactions.add") if c.params.get("timestamp") == ts]


# == 1. notes stay inside ======================================================================


def test_a_colleagues_message_in_the_card_thread_stays_inside_with_one_hint(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    before = len(posts_in(fake, SHARED, root))
    first = in_card_thread(bot, SUZUKI, card, "このお客さま、先月もお問い合わせがありました")
    [hint] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SUZUKI)
    assert hint.params["channel"] == AGENT_CHANNEL and hint.params.get("thread_ts") == card["ts"]
    assert "社内メモ" in hint.params["text"] and "佐藤" in hint.params["text"]
    second = in_card_thread(bot, SUZUKI, card, "田中様、鈴木です。補足いたします。")
    silent(fake, SHARED, root, already=before)
    fake.assert_no_call("chat.postEphemeral", lambda c: c.params["user"] == SUZUKI, count=1, within=0.0)
    assert not reactions_on(fake, first) and not reactions_on(fake, second)
    assert not relayed_to_prospect(fake, root, "鈴木です")


def test_a_guest_from_another_workspace_in_the_agent_channel_is_never_relayed(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    before = len(posts_in(fake, SHARED, root))
    in_card_thread(bot, GUEST, card, "田中様、代理店の者です")
    silent(fake, SHARED, root, already=before)
    fake.assert_no_call("reactions.add", within=0.0)
    # nor can they take it over with the picker
    pick(bot, GUEST, latest_card(fake, card), GUEST)
    fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == GUEST and "メンバー" in c.params["text"])
    assert handoff(bot, SHARED, root).agent_id == SATO


def test_before_anyone_claims_every_message_is_a_note_and_says_how_to_reply(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    before = len(posts_in(fake, SHARED, root))
    in_card_thread(bot, ITO, card, "田中様、伊藤です。いま確認します。")
    [hint] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == ITO)
    assert "社内メモ" in hint.params["text"] and "「担当する」" in hint.params["text"]
    silent(fake, SHARED, root, already=before)
    assert handoff(bot, SHARED, root).status == "waiting"  # writing in the card's thread claims nothing


def test_the_owners_message_reaches_the_prospect_as_the_owner_and_is_marked(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    ts = in_card_thread(bot, SATO, card, "田中様、担当の佐藤です。ご相談内容を伺います。")
    [copy] = eventually(lambda: relayed_to_prospect(fake, root, "ご相談内容を伺います"))
    assert copy["username"] == "佐藤" and copy["text"] == "田中様、担当の佐藤です。ご相談内容を伺います。"
    [mark] = eventually(lambda: reactions_on(fake, ts))
    assert mark["channel"] == AGENT_CHANNEL and mark["name"] == "white_check_mark"
    assert not ephemerals(fake, SATO)  # the owner is not told it is a note


def test_an_owners_message_slack_would_not_post_is_not_marked_and_the_owner_is_told(bot, fake, monkeypatch):
    monkeypatch.setattr("bot.slack.web.POST_BACKOFF_SECONDS", (0.01, 0.01))
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    before = len(posts_in(fake, SHARED, root))
    fake.fail_next("chat.postMessage", error="internal_error", times=3, when=lambda p: p.get("channel") == SHARED)
    ts = in_card_thread(bot, SATO, card, "田中様、資料をお送りします。")
    [told] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SATO)
    assert told.params["channel"] == AGENT_CHANNEL and told.params.get("thread_ts") == card["ts"]
    assert "お客さまに届いていません" in told.params["text"] and "もう一度" in told.params["text"]
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == SHARED and c.response.get("ok")
                        and c.params.get("thread_ts") == root, count=before, within=0.3)
    fake.assert_no_call("reactions.add", lambda c: c.params.get("timestamp") == ts, within=0.0)
    # Slack answers again: the owner sends it again, and it goes out as usual
    again = in_card_thread(bot, SATO, card, "田中様、資料をお送りします。")
    eventually(lambda: relayed_to_prospect(fake, root, "資料をお送りします"))
    eventually(lambda: reactions_on(fake, again))
    assert len(ephemerals(fake, SATO)) == 1


@pytest.mark.parametrize("note", ["// 電話で折り返す予定", "メモ: 既契約の確認中", "メモ：既契約の確認中", "  //見積り前提を再確認"])
def test_an_owner_note_stays_inside(bot, fake, note):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    before = len(posts_in(fake, SHARED, root))
    ts = in_card_thread(bot, SATO, card, note)
    silent(fake, SHARED, root, already=before)
    fake.assert_no_call("reactions.add", lambda c: c.params.get("timestamp") == ts, within=0.0)
    assert not ephemerals(fake, SATO)


def test_editing_a_relayed_message_edits_the_copy_the_prospect_sees(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    ts = in_card_thread(bot, SATO, card, "保険料は月額5,860円です")
    [copy] = eventually(lambda: relayed_to_prospect(fake, root, "5,860円"))
    bot.slack.message_changed(AGENT_CHANNEL, ts, SATO, "保険料は月額5,860円(プラン①)です", old_text="保険料は月額5,860円です",
                              thread_ts=card["ts"])
    [edit] = fake.wait_for("chat.update", lambda c: c.params.get("channel") == SHARED and c.params["ts"] == copy["ts"])
    assert edit.params["text"] == "保険料は月額5,860円(プラン①)です"
    fake.assert_no_call("chat.delete")


def test_deleting_a_relayed_message_deletes_the_copy_the_prospect_sees(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    ts = in_card_thread(bot, SATO, card, "別のお客さま宛ての文面でした")
    [copy] = eventually(lambda: relayed_to_prospect(fake, root, "別のお客さま"))
    bot.slack.message_deleted(AGENT_CHANNEL, ts, SATO, thread_ts=card["ts"], old_text="別のお客さま宛ての文面でした")
    [gone] = fake.wait_for("chat.delete", lambda c: c.params.get("channel") == SHARED)
    assert gone.params["ts"] == copy["ts"] and gone.response["ok"]


def test_editing_a_relayed_message_into_a_note_takes_the_copy_back(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    ts = in_card_thread(bot, SATO, card, "来週お電話します")
    [copy] = eventually(lambda: relayed_to_prospect(fake, root, "来週お電話します"))
    bot.slack.message_changed(AGENT_CHANNEL, ts, SATO, "// 来週お電話します", old_text="来週お電話します", thread_ts=card["ts"])
    [gone] = fake.wait_for("chat.delete", lambda c: c.params.get("channel") == SHARED)
    assert gone.params["ts"] == copy["ts"]
    fake.assert_no_call("chat.update", lambda c: c.params.get("channel") == SHARED and c.params["ts"] == copy["ts"], within=0.0)


def test_editing_or_deleting_a_note_changes_nothing_the_prospect_sees(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    claim(bot, fake, card, SATO)
    updates = len([c for c in fake.calls_to("chat.update") if c.params.get("channel") == SHARED])  # retired buttons
    note = in_card_thread(bot, SATO, card, "// 与信確認中")
    colleague = in_card_thread(bot, SUZUKI, card, "前回の担当は私です")
    bot.slack.message_changed(AGENT_CHANNEL, note, SATO, "// 与信確認済み", old_text="// 与信確認中", thread_ts=card["ts"])
    bot.slack.message_changed(AGENT_CHANNEL, colleague, SUZUKI, "前回の担当は私(鈴木)です", old_text="前回の担当は私です",
                              thread_ts=card["ts"])
    bot.slack.message_deleted(AGENT_CHANNEL, colleague, SUZUKI, thread_ts=card["ts"], old_text="前回の担当は私(鈴木)です")
    fake.assert_no_call("chat.update", lambda c: c.params.get("channel") == SHARED, count=updates, within=SILENCE)
    fake.assert_no_call("chat.delete", within=0.0)
    assert len(ephemerals(fake, SUZUKI)) == 1


def test_once_closed_even_the_former_owner_writes_notes(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    card = claim(bot, fake, card, SATO)
    assert close(bot, SATO, card).status == 200
    card_shows(fake, card, "✅ 完了")
    before = len(posts_in(fake, SHARED, root))
    in_card_thread(bot, SATO, card, "田中様、追伸です")
    [hint] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SATO)
    assert "終了" in hint.params["text"]
    silent(fake, SHARED, root, already=before)


# == 2. the card ===============================================================================


def test_the_card_says_who_where_why_and_what_in_one_look(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    assert header_of(card) == "🟡 待機中 1分 | T_TANAKA 田中様"  # the company is team.info's name (the fake's: the id)
    assert card["text"] == "T_TANAKA 田中様: 担当者との相談をご希望"  # what the notification shows
    fake.wait_for("team.info", lambda c: c.params.get("team") == CUSTOMER_TEAM)
    shown = message_text(card)
    for expected in (f"<@{TANAKA}>", f"<#{SHARED}>", "日本語", "受付 12/2 10:00", "待ち時間 1分",
                     "担当者との相談をご希望", "担当者と話したいです",  # why, and the last thing they said
                     "5億円", "製造業", "プラン① 月額 5,860円",  # the facts and the quote
                     "これまでの会話(要約)", "*ボット*: 見積りを提示",  # the summary, not the bot's raw text
                     f"https://example.slack.com/archives/{SHARED}/p{root.replace('.', '')}"):
        assert expected in shown, expected
    assert "賠償責任" not in shown  # the quote card's text is summarised, not copied
    assert button_labels(card) == ["担当する"] and has_picker(card)


def test_an_incident_card_is_urgent_and_its_notification_says_who_and_why(bot, fake):
    root, notice, card = report_incident(bot, fake)
    assert "事故のご連絡" in notice["text"]
    assert card["text"] == f"{ONCALL} 【至急】T_TANAKA 田中様: 事故のご連絡"
    assert header_of(card).startswith("🔴 至急 · 待機中 1分 | T_TANAKA 田中様")
    [claim_button] = [b for b in buttons(card) if b["action_id"] == "handoff.claim"]
    assert claim_button["style"] == "danger"
    card = claim(bot, fake, card, SUZUKI)
    assert header_of(card) == "🟢 対応中: 鈴木(至急) | T_TANAKA 田中様"


def test_the_card_follows_the_handoff_through_its_life(bot, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    told = lambda: posts_in(fake, SHARED, root)  # noqa: E731
    clock.advance(minutes=3)
    now = claim(bot, fake, card, SATO)
    assert header_of(now) == "🟢 対応中: 佐藤 | T_TANAKA 田中様"
    assert button_labels(now) == ["対応完了", "担当を外れる"] and has_picker(now)
    assert "担当者の佐藤が対応いたします" in replies(fake, SHARED, root, count=3)[-1]["text"]

    # released: back in the queue; the prospect, still waiting for a person, is told nothing
    click(bot.slack, SATO, now, "担当を外れる")
    now = card_shows(fake, card, "🟡 待機中")
    assert button_labels(now) == ["担当する"] and has_picker(now)
    silent(fake, SHARED, root, already=3)
    assert handoff(bot, SHARED, root).status == "waiting"

    # claimed by another agent, who hands it to a colleague: the header names them, the prospect is told
    click(bot.slack, ITO, now, "担当する")
    now = card_shows(fake, card, "🟢 対応中: 伊藤")
    pick(bot, ITO, now, SUZUKI)
    now = card_shows(fake, card, "🟢 対応中: 鈴木")
    assert "担当者の鈴木が対応いたします" in told()[-1]["text"]
    h = handoff(bot, SHARED, root)
    assert (h.status, h.agent_id, h.agent_name) == ("claimed", SUZUKI, "鈴木")

    # closed by its owner: only 再開する is left
    click(bot.slack, SUZUKI, now, "対応完了")
    fake.wait_for("views.open")
    assert close(bot, SUZUKI, now, outcome="answered").status == 200
    now = card_shows(fake, card, "✅ 完了: 鈴木")
    assert button_labels(now) == ["再開する"] and not has_picker(now)
    assert "質問に回答済み" in message_text(now)

    # reopened by another agent: theirs now, and the prospect is with a person again
    click(bot.slack, SATO, now, "再開する")
    now = card_shows(fake, card, "🟢 対応中: 佐藤")
    assert button_labels(now) == ["対応完了", "担当を外れる"]
    assert "担当者の佐藤が引き続き対応いたします" in eventually(lambda: "引き続き" in told()[-1]["text"] and told()[-1])["text"]
    before = len(told())
    say(bot, TANAKA, "追加でもう一点よろしいでしょうか", thread=root)
    eventually(lambda: [p for p in card_thread_posts(fake, card) if "追加でもう一点" in p.get("text", "")])
    silent(fake, SHARED, root, already=before)  # the bot does not answer while a person has it


def test_a_waiting_card_shows_the_minutes_waited(bot, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    bot.sweep(now=clock.advance(minutes=7))
    assert header_of(card_shows(fake, card, "待機中 7分")).startswith("🟡 待機中 7分")
    assert "待ち時間 7分" in message_text(latest_card(fake, card))


def test_assigning_to_someone_who_is_not_an_agent_is_refused_and_changes_nothing(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    now = claim(bot, fake, card, SATO)
    updates, told = card_update_count(fake, card), len(posts_in(fake, SHARED, root))
    pick(bot, SATO, now, YAMAMOTO)
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SATO)
    assert f"<@{YAMAMOTO}>" in refusal.params["text"] and "担当者チャンネルのメンバーではない" in refusal.params["text"]
    fake.assert_no_call("chat.update", lambda c: c.params.get("ts") == card["ts"], count=updates, within=SILENCE)
    silent(fake, SHARED, root, already=told)
    h = handoff(bot, SHARED, root)
    assert (h.status, h.agent_id) == ("claimed", SATO)


def test_only_the_owner_hands_a_claimed_handoff_to_a_colleague(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    now = claim(bot, fake, card, SATO)
    updates = card_update_count(fake, card)
    pick(bot, ITO, now, SUZUKI)
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == ITO)
    assert "佐藤" in refusal.params["text"]
    fake.assert_no_call("chat.update", lambda c: c.params.get("ts") == card["ts"], count=updates, within=SILENCE)
    assert handoff(bot, SHARED, root).agent_id == SATO


def test_assigning_to_the_owner_themself_changes_nothing(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    now = claim(bot, fake, card, SATO)
    updates, told = card_update_count(fake, card), len(posts_in(fake, SHARED, root))
    pick(bot, SATO, now, SATO)
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SATO)
    assert "すでに佐藤さんが担当" in refusal.params["text"]
    fake.assert_no_call("chat.update", lambda c: c.params.get("ts") == card["ts"], count=updates, within=SILENCE)
    silent(fake, SHARED, root, already=told)


def test_a_non_agent_cannot_use_the_picker(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    pick(bot, YAMAMOTO, card, SATO)
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == YAMAMOTO)
    assert "担当者チャンネルのメンバー" in refusal.params["text"]
    fake.assert_no_call("chat.update", lambda c: c.params.get("ts") == card["ts"], within=SILENCE)
    assert handoff(bot, SHARED, root).status == "waiting"


def test_a_waiting_handoff_assigned_by_one_agent_to_another_is_theirs_to_answer(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    pick(bot, SATO, card, SUZUKI)
    card_shows(fake, card, "🟢 対応中: 鈴木")
    assert "担当者の鈴木が対応いたします" in replies(fake, SHARED, root, count=3)[-1]["text"]
    in_card_thread(bot, SATO, card, "鈴木さん、よろしくお願いします")
    in_card_thread(bot, SUZUKI, card, "田中様、鈴木です。よろしくお願いいたします。")
    eventually(lambda: relayed_to_prospect(fake, root, "鈴木です"))
    assert not relayed_to_prospect(fake, root, "よろしくお願いします")  # 佐藤's was a note
    assert "鈴木" in fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SATO)[0].params["text"]


def test_a_request_the_prospect_takes_back_shows_as_cancelled(bot, fake):
    root, notice, card = ask_for_a_person(bot, fake)
    click(bot.slack, TANAKA, notice, "依頼を取り消す", user_team=CUSTOMER_TEAM)
    now = card_shows(fake, card, "⚪ キャンセル")
    assert header_of(now) == "⚪ キャンセル | T_TANAKA 田中様"
    assert not buttons(now) and not has_picker(now)
    assert "取り消し" in message_text(now)


# == 3. App Home ===============================================================================


def home_of(fake, user, after=0, predicate=lambda view: True):
    """The Home view last published for `user` (waiting for publish number `after + 1`)."""
    calls = fake.wait_for("views.publish", lambda c: c.params.get("user_id") == user and predicate(c.params["view"]),
                          count=after + 1)
    return calls[-1].params["view"]


def home_text(view):
    return message_text({"blocks": view["blocks"]})


def queue_rows(view):
    """The waiting handoffs on an agent's Home, in order: (their text, their claim button)."""
    return [(b["text"]["text"], b["accessory"]) for b in view["blocks"]
            if b.get("type") == "section" and (b.get("accessory") or {}).get("action_id") == "handoff.claim"]


def three_waiting(bot, fake, clock):
    """田中様 asks for a person at 10:00, 木村様 at 10:05, and 加藤様 reports an incident at 10:10."""
    tanaka = ask_for_a_person(bot, fake, TANAKA)
    clock.advance(minutes=5)
    kimura = ask_for_a_person(bot, fake, KIMURA, first="売上3億の小売業です")
    clock.advance(minutes=5)
    kato = report_incident(bot, fake, KATO, text="先ほど社内のPCがウイルスに感染しました")
    return tanaka, kimura, kato


def test_an_agents_home_lists_the_queue_urgent_first_then_the_oldest(bot, fake, clock):
    three_waiting(bot, fake, clock)
    clock.advance(minutes=2)
    bot.slack.app_home_opened(SATO)
    view = home_of(fake, SATO)
    assert view["type"] == "home"
    rows = queue_rows(view)
    who = [next(name for name in ("加藤様", "田中様", "木村様") if name in text) for text, _ in rows]
    assert who == ["加藤様", "田中様", "木村様"]  # the incident, then the oldest
    assert rows[0][0].startswith("*🔴 至急 · 待機中 2分") and "事故のご連絡" in rows[0][0]
    assert rows[1][0].startswith("*🟡 待機中 12分") and rows[2][0].startswith("*🟡 待機中 7分")
    assert [b["style"] for _, b in rows] == ["danger", "primary", "primary"]
    shown = home_text(view)
    assert "担当者デスク" in shown and "待機中の相談(3件)" in shown and "あなたが担当中の相談(0件)" in shown
    assert "本日" in shown and "直近7日間" in shown  # the figures


def test_claiming_from_home_claims_the_card_and_redraws_home(bot, fake, clock):
    (root, _, card), _, _ = three_waiting(bot, fake, clock)
    bot.slack.app_home_opened(SATO)
    view = home_of(fake, SATO)
    [(_, tanaka_button)] = [(t, b) for t, b in queue_rows(view) if "田中様" in t]
    published = len([c for c in fake.calls_to("views.publish") if c.params.get("user_id") == SATO])
    bot.slack.home_action(SATO, tanaka_button["action_id"], tanaka_button["value"], text="担当する")
    assert header_of(card_shows(fake, card, "🟢 対応中: 佐藤")).startswith("🟢 対応中: 佐藤 | T_TANAKA 田中様")
    assert "担当者の佐藤が対応いたします" in replies(fake, SHARED, root, count=3)[-1]["text"]
    view = home_of(fake, SATO, after=published - 1, predicate=lambda v: "あなたが担当中の相談(1件)" in home_text(v))
    assert "待機中の相談(2件)" in home_text(view)
    assert [t for t, _ in queue_rows(view) if "田中様" in t] == []
    assert "田中様" in home_text(view)  # under "mine"
    # the same button, clicked again from a stale Home, is refused with who has it
    bot.slack.home_action(ITO, tanaka_button["action_id"], tanaka_button["value"], text="担当する")
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == ITO)
    assert refusal.params["channel"] == AGENT_CHANNEL and "佐藤" in refusal.params["text"]
    assert handoff(bot, SHARED, root).agent_id == SATO


def test_a_claim_from_home_by_someone_not_an_agent_is_refused(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    [claim_button] = [b for b in buttons(card) if b["action_id"] == "handoff.claim"]
    bot.slack.home_action(YAMAMOTO, "handoff.claim", claim_button["value"], text="担当する")
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == YAMAMOTO)
    assert refusal.params["channel"] == AGENT_CHANNEL and "メンバー" in refusal.params["text"]
    assert handoff(bot, SHARED, root).status == "waiting"


def test_home_is_redrawn_when_the_queue_changes_for_agents_who_looked_lately(bot, fake, clock):
    bot.slack.app_home_opened(SATO)
    assert "待機中の相談はありません" in home_text(home_of(fake, SATO))
    clock.advance(minutes=5)
    bot.slack.app_home_opened(SUZUKI)
    home_of(fake, SUZUKI)
    clock.advance(minutes=26)  # 佐藤 looked 31 minutes ago, 鈴木 26
    ask_for_a_person(bot, fake)
    view = home_of(fake, SUZUKI, after=1)
    assert "待機中の相談(1件)" in home_text(view) and "田中様" in home_text(view)
    home_redraws_done()
    fake.assert_no_call("views.publish", lambda c: c.params.get("user_id") == SATO, count=1, within=SILENCE)
    fake.assert_no_call("views.publish", lambda c: c.params.get("user_id") not in (SATO, SUZUKI), within=0.0)


@pytest.mark.parametrize("who", [YAMAMOTO, TANAKA])
def test_everyone_else_sees_what_the_bot_does_and_can_start_a_quote(bot, fake, who):
    bot.slack.app_home_opened(who)
    view = home_of(fake, who)
    shown = home_text(view)
    assert "担当者デスク" not in shown and "待機中の相談" not in shown  # no queue, no figures
    assert "サイバー保険 見積りボット" in shown and "売上高" in shown and "よくあるご質問" in shown
    starts = [e for b in view["blocks"] if b.get("type") == "actions" for e in b["elements"]
              if e.get("action_id") == "home.start_quote"]
    assert [e["value"] for e in starts] == ["ja", "en"] and starts[0]["text"]["text"] == "見積りを始める"
    bot.slack.home_action(who, "home.start_quote", "ja", block_id="home-start-ja", text="見積りを始める",
                          user_team=TEAMS[who])
    [opened] = fake.wait_for("conversations.open")
    assert opened.params["users"] == who
    [greeting] = replies(fake, "D" + who, None)
    assert "こんにちは" in greeting["text"] and "売上高" in greeting["text"]


@pytest.fixture()
def live_bot(slack_runtime, fake, redis_url):
    """The bot on the wall clock, always open: Home's figures are today's."""
    app = InProcessApp(slack_runtime, fake, redis_url)
    yield app
    home_redraws_done()
    app.close()


def test_an_agents_home_shows_todays_figures(live_bot, fake):
    root, _, card = ask_for_a_person(live_bot, fake)
    claim(live_bot, fake, card, SATO)
    live_bot.slack.app_home_opened(ITO)
    shown = home_text(home_of(fake, ITO))
    today, week = [f["text"] for b in home_of(fake, ITO)["blocks"] for f in b.get("fields") or [] if "会話開始" in f["text"]]
    for period in (today, week):
        assert "会話開始 1 · 見積り 1" in period and "引き継ぎ 1 · 担当決定 1" in period and "完了 0 · 取消 0" in period
    assert today.startswith("*本日*") and week.startswith("*直近7日間*")
    assert "あなたが担当中の相談(0件)" in shown  # 伊藤's own: 佐藤 has it


# == 4. business hours =========================================================================


@pytest.mark.parametrize("when, told", [
    (jst(2026, 12, 2, 18), "翌営業日(12月3日)9時以降"),      # Wednesday evening
    (jst(2026, 12, 2, 8, 15), "本日9時以降"),                # before opening
    (jst(2026, 12, 4, 18), "翌営業日(12月7日)9時以降"),      # Friday evening: Monday
    (jst(2026, 12, 5, 11), "翌営業日(12月7日)9時以降"),      # Saturday
    (jst(2026, 11, 23, 10), "翌営業日(11月24日)9時以降"),    # 勤労感謝の日, a Monday
    (jst(2026, 12, 29, 10), "翌営業日(1月4日)9時以降"),      # 年末年始
], ids=["wed-evening", "wed-early", "fri-evening", "saturday", "holiday", "new-year"])
def test_out_of_hours_the_prospect_is_told_when_an_agent_will_reply(bot, fake, clock, when, told):
    clock.set(when)
    root, notice, card = ask_for_a_person(bot, fake)
    assert "営業時間外" in notice["text"] and told in notice["text"]
    assert "15分" not in notice["text"]
    assert header_of(card).startswith("🟡 待機中")  # the agents see it at once all the same


def test_in_hours_the_prospect_is_told_the_usual_wait(bot, fake, clock):
    clock.set(jst(2026, 12, 2, 16, 59))
    _, notice, _ = ask_for_a_person(bot, fake)
    assert "目安:15分程度" in notice["text"] and "営業時間外" not in notice["text"]


def test_an_incident_out_of_hours_alerts_the_agents_at_once(bot, fake, clock):
    clock.set(jst(2026, 12, 5, 3, 10))  # Saturday night
    root, notice, card = report_incident(bot, fake)
    assert "事故のご連絡" in notice["text"] and "営業時間外ですが、担当者には至急通知いたしました" in notice["text"]
    assert card["text"].startswith(ONCALL) and "【至急】" in card["text"]
    assert header_of(card).startswith("🔴 至急")
    # incidents don't keep office hours: the first reminder comes five minutes later, Saturday or not
    bot.sweep(now=clock.advance(minutes=5))
    [reminder] = eventually(lambda: reminders(fake))
    assert reminder["text"].startswith(ONCALL) and "5分間" in reminder["text"]


def test_waiting_time_counts_business_time_only(bot, fake, clock):
    clock.set(jst(2026, 12, 4, 16, 55))  # Friday
    root, _, card = ask_for_a_person(bot, fake)
    clock.set(jst(2026, 12, 7, 9, 3))  # Monday: 5 minutes on Friday, 3 today
    bot.sweep(now=clock.now)
    assert header_of(card_shows(fake, card, "待機中 8分")).startswith("🟡 待機中 8分 |")
    say(bot, TANAKA, "まだでしょうか?", thread=root)
    status = replies(fake, SHARED, root, count=3)[-1]
    assert "8分ほど経過" in status["text"] and "営業時間外" not in status["text"]


# == 5. escalation =============================================================================


def both_sweep(bot, bot_b, at, times=2):
    """Both processes sweep at `at`, at once, `times` times each."""
    apps = [bot, bot_b] * times
    barrier = threading.Barrier(len(apps))

    def sweep(app):
        barrier.wait()
        app.sweep(now=at)

    with ThreadPoolExecutor(len(apps)) as pool:
        for f in [pool.submit(sweep, app) for app in apps]:
            f.result()


def test_an_unclaimed_handoff_is_reminded_at_doubling_intervals_up_to_the_cap_once_each(bot, bot_b, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    start = handoff(bot, SHARED, root).created_at
    assert start == WEDNESDAY_10
    expected = 0
    for minute, due in [(9, 0), (10, 1), (10, 1), (29, 1), (30, 2), (69, 2), (70, 3), (109, 3), (110, 4), (149, 4)]:
        clock.set(start + minute * 60)
        both_sweep(bot, bot_b, clock.now)
        if due > expected:
            eventually(lambda: len(reminders(fake)) >= due)
            expected = due
        fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == AGENT_CHANNEL
                            and c.response.get("ok") and "再通知" in c.params.get("text", ""), count=expected, within=0.05)
        assert len(reminders(fake)) == expected, minute
    texts = [r["text"] for r in reminders(fake)]
    for n, (text, minutes) in enumerate(zip(texts, (10, 30, 70, 110)), start=1):
        assert text.startswith(f"【再通知・{n}回目】T_TANAKA 田中様が{minutes}分お待ちです"), text
        assert "担当者との相談をご希望" in text and "https://example.slack.com/archives/CAGENTS01/p" in text
        assert ONCALL not in text  # a normal handoff does not page the on-call agents
    assert handoff(bot, SHARED, root).reminders == 4
    assert "(再通知 4回)" in message_text(latest_card(fake, card))
    # the prospect is told once, after the first, that the agents were reminded
    [delayed] = [m for m in posts_in(fake, SHARED, root) if "改めて連絡" in m["text"]]
    assert delayed["text"].startswith("お待たせしており、申し訳ございません。")
    assert len(posts_in(fake, SHARED, root)) == 3  # the quote, the notice, that: nothing per reminder


def test_a_reminder_claimed_by_a_process_that_died_before_posting_goes_out_once_its_lease_runs_out(bot, bot_b, fake, clock,
                                                                                                  monkeypatch):
    from bot.slack import reminders as sweeper

    monkeypatch.setattr(sweeper, "REMINDER_LEASE_SECONDS", 1)
    root, _, card = ask_for_a_person(bot, fake)
    h = handoff(bot, SHARED, root)
    claim = f"once:remind:{h.id}:{int(h.waiting_since or h.created_at)}:1"
    real_post = sweeper.post_with_retry

    def dies(ctx, **params):  # the process is killed between its claim and its post
        raise SystemExit("killed")

    monkeypatch.setattr(sweeper, "post_with_retry", dies)
    with pytest.raises(SystemExit):
        bot.sweep(now=clock.set(h.created_at + 10 * 60))
    assert bot.ctx.store.redis.exists(claim)
    monkeypatch.setattr(sweeper, "post_with_retry", real_post)
    both_sweep(bot, bot_b, clock.now, times=1)  # still claimed by the dead one: nothing yet
    fake.assert_no_call("chat.postMessage", lambda c: "再通知" in c.params.get("text", ""), within=0.1)
    eventually(lambda: not bot.ctx.store.redis.exists(claim), timeout=3)
    both_sweep(bot, bot_b, clock.advance(seconds=30))
    eventually(lambda: len(reminders(fake)) == 1)
    assert reminders(fake)[0]["text"].startswith("【再通知・1回目】T_TANAKA 田中様が10分お待ちです")
    # once out, the claim is kept for good, and the next sweeps send nothing more
    assert bot.ctx.store.redis.ttl(claim) > 24 * 3600
    assert handoff(bot, SHARED, root).reminders == 1
    both_sweep(bot, bot_b, clock.advance(seconds=30))
    fake.assert_no_call("chat.postMessage", lambda c: "再通知" in c.params.get("text", ""), count=1, within=0.1)


@pytest.mark.parametrize("asked, quiet, due", [
    (jst(2026, 12, 4, 16, 55), [jst(2026, 12, 4, 17, 5), jst(2026, 12, 5, 12), jst(2026, 12, 6, 20)],
     jst(2026, 12, 7, 9, 5)),                                        # Friday evening: Monday morning
    (jst(2026, 12, 2, 18), [jst(2026, 12, 2, 18, 10), jst(2026, 12, 3, 8, 59)], jst(2026, 12, 3, 9, 10)),
    (jst(2026, 11, 20, 16, 55), [jst(2026, 11, 23, 9, 5), jst(2026, 11, 23, 15)], jst(2026, 11, 24, 9, 5)),  # 勤労感謝の日
    (jst(2026, 12, 28, 16, 55), [jst(2026, 12, 29, 9, 5), jst(2027, 1, 2, 12)], jst(2027, 1, 4, 9, 5)),     # 年末年始
], ids=["weekend", "overnight", "holiday", "new-year"])
def test_reminders_count_business_time_only(bot, bot_b, fake, clock, asked, quiet, due):
    clock.set(asked)
    ask_for_a_person(bot, fake)
    for at in [*quiet, due - 1]:
        both_sweep(bot, bot_b, clock.set(at), times=1)
    assert reminders(fake) == []
    both_sweep(bot, bot_b, clock.set(due))
    [reminder] = eventually(lambda: reminders(fake))
    assert reminder["text"].startswith("【再通知・1回目】T_TANAKA 田中様が10分お待ちです")
    both_sweep(bot, bot_b, clock.advance(minutes=1))
    assert len(reminders(fake)) == 1


def test_an_urgent_handoff_pages_on_call_at_once_and_every_five_minutes_until_claimed(bot, bot_b, fake, clock):
    root, _, card = report_incident(bot, fake)
    assert card["text"].startswith(f"{ONCALL} 【至急】")
    start = clock.now
    both_sweep(bot, bot_b, clock.set(start + 4 * 60 + 59))
    assert reminders(fake) == []
    both_sweep(bot, bot_b, clock.set(start + 5 * 60))
    [first] = eventually(lambda: reminders(fake))
    assert first["text"].startswith(f"{ONCALL} 【至急・再通知 1回目】T_TANAKA 田中様から「事故のご連絡」")
    assert "5分間担当者が決まっていません" in first["text"]
    both_sweep(bot, bot_b, clock.set(start + 9 * 60))
    assert len(reminders(fake)) == 1
    both_sweep(bot, bot_b, clock.set(start + 10 * 60))
    second = eventually(lambda: len(reminders(fake)) == 2 and reminders(fake))[-1]
    assert second["text"].startswith(f"{ONCALL} 【至急・再通知 2回目】") and "10分間" in second["text"]
    assert len(posts_in(fake, SHARED, root)) == 1  # the incident notice said it all: no "sorry for the wait"
    clock.set(start + 12 * 60)
    claim(bot, fake, card, ITO)
    for minutes in (15, 20, 60):
        both_sweep(bot, bot_b, clock.set(start + minutes * 60), times=1)
    fake.assert_no_call("chat.postMessage", lambda c: "再通知" in c.params.get("text", ""), count=2, within=SILENCE)


def test_a_waiting_request_that_turns_out_to_be_an_incident_pages_on_call_once(bot, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    assert ONCALL not in card["text"]
    clock.advance(minutes=2)
    say(bot, TANAKA, "今、ランサムウェアでファイルが暗号化されました", thread=root)
    card_shows(fake, card, "🔴 至急")
    alert = lambda c: c.params.get("channel") == AGENT_CHANNEL and ONCALL in c.params.get("text", "")  # noqa: E731
    [page] = fake.wait_for("chat.postMessage", alert)
    assert "至急" in page.params["text"] and "田中様" in page.params["text"]
    say(bot, TANAKA, "サーバーもウイルスに感染しているようです", thread=root)
    eventually(lambda: len([p for p in card_thread_posts(fake, card) if "サーバーも" in p.get("text", "")]) == 1)
    fake.assert_no_call("chat.postMessage", alert, count=1, within=SILENCE)


def test_releasing_starts_the_reminders_over(bot, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    start = clock.now
    clock.set(start + 2 * 60)
    now = claim(bot, fake, card, SATO)
    bot.sweep(now=clock.set(start + 15 * 60))  # claimed: nobody is reminded
    clock.set(start + 30 * 60)
    click(bot.slack, SATO, now, "担当を外れる")
    card_shows(fake, card, "🟡 待機中")
    bot.sweep(now=clock.set(start + 39 * 60))
    assert reminders(fake) == []
    bot.sweep(now=clock.set(start + 40 * 60))
    [reminder] = eventually(lambda: reminders(fake))
    assert reminder["text"].startswith("【再通知・1回目】T_TANAKA 田中様が")


def test_asking_how_it_stands_gets_the_minutes_then_the_reminder(bot, fake, clock):
    root, _, card = ask_for_a_person(bot, fake)
    clock.advance(minutes=7)
    say(bot, TANAKA, "まだでしょうか?", thread=root)
    status = replies(fake, SHARED, root, count=3)[-1]
    assert status["text"].startswith("ご依頼から7分ほど経過しております。") and "通知済み" in status["text"]
    bot.sweep(now=clock.advance(minutes=4))
    eventually(lambda: reminders(fake))
    told = replies(fake, SHARED, root, count=4)[-1]  # the prospect hears of the reminder unasked
    assert "担当者に改めて連絡いたしました" in told["text"]
    say(bot, TANAKA, "まだですか?", thread=root)
    status = replies(fake, SHARED, root, count=5)[-1]
    assert status["text"].startswith("ご依頼から11分ほど経過しております。") and "改めて通知" in status["text"]
    # both questions reached the agents too
    eventually(lambda: len([p for p in card_thread_posts(fake, card) if p.get("text", "").startswith("お客さま:")]) == 2)


def test_asking_how_it_stands_out_of_hours_says_when_agents_are_back(bot, fake, clock):
    clock.set(jst(2026, 12, 2, 17, 30))
    root, _, _ = ask_for_a_person(bot, fake)
    clock.advance(minutes=40)
    say(bot, TANAKA, "まだでしょうか?", thread=root)
    status = replies(fake, SHARED, root, count=3)[-1]
    assert status["text"].startswith("ご依頼から40分ほど経過しております。")  # their wait, as the clock says
    assert "営業時間外のため、担当者からは翌営業日(12月3日)9時以降にご連絡いたします" in status["text"]


# == 6. closing ================================================================================


def closed_by(bot, fake, agent=SATO, outcome="quote_sent", note=None):
    """A handoff claimed by `agent` and closed: (root, card, the prospect's closing message)."""
    root, _, card = ask_for_a_person(bot, fake)
    now = claim(bot, fake, card, agent)
    click(bot.slack, agent, now, "対応完了")
    fake.wait_for("views.open")
    assert close(bot, agent, now, outcome=outcome, note=note).status == 200
    card_shows(fake, card, "✅ 完了")
    closing = eventually(lambda: [m for m in posts_in(fake, SHARED, root) if "終了いたしました" in m["text"]])[-1]
    return root, card, closing


def test_the_close_dialog_asks_for_an_outcome_and_an_optional_internal_note(bot, fake):
    root, _, card = ask_for_a_person(bot, fake)
    now = claim(bot, fake, card, SATO)
    click(bot.slack, SATO, now, "対応完了")
    [opened] = fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "handoff_close" and view["private_metadata"].endswith(handoff(bot, SHARED, root).id)
    [outcome] = [b for b in view["blocks"] if b["block_id"] == "outcome"]
    [note] = [b for b in view["blocks"] if b["block_id"] == "note"]
    assert outcome["element"]["type"] == "static_select" and not outcome.get("optional")
    assert "見積り・提案を送付" in [o["text"]["text"] for o in outcome["element"]["options"]]
    assert note["optional"] and note["element"]["type"] == "plain_text_input" and note["element"]["action_id"] == "value"
    # someone else's close button opens nothing
    click(bot.slack, SUZUKI, now, "対応完了")
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == SUZUKI)
    assert "佐藤" in refusal.params["text"]
    assert len(fake.calls_to("views.open")) == 1


def test_closing_asks_the_prospect_once_how_satisfied_they_were(bot, fake):
    root, card, closing = closed_by(bot, fake)
    now = latest_card(fake, card)
    assert header_of(now) == "✅ 完了: 佐藤 | T_TANAKA 田中様" and "見積り・提案を送付" in message_text(now)
    assert closing["text"].startswith("担当者による対応を終了いたしました。") and "満足度" in closing["text"]
    assert button_labels(closing) == ["1 大変不満", "2 不満", "3 ふつう", "4 満足", "5 大変満足"]
    h = handoff(bot, SHARED, root)
    assert (h.status, h.outcome, h.note, h.satisfaction) == ("closed", "quote_sent", None, None)


def test_closing_with_an_internal_note_keeps_it_on_the_card_only(bot, fake):
    note = "電話で補償内容を説明済み。来週プラン②の見積書を送付予定"
    root, card, closing = closed_by(bot, fake, note=note)
    now = latest_card(fake, card)
    assert header_of(now) == "✅ 完了: 佐藤 | T_TANAKA 田中様"
    assert f"社内メモ:{note}" in message_text(now)
    assert "満足度" in closing["text"] and buttons(closing)
    assert not [m for m in fake.messages(channel=SHARED) if "見積書を送付予定" in m.get("text", "")]  # never to the prospect
    h = handoff(bot, SHARED, root)
    assert (h.status, h.outcome, h.note) == ("closed", "quote_sent", note)


def test_a_satisfaction_answer_is_kept_once(bot, fake):
    root, card, closing = closed_by(bot, fake)
    click(bot.slack, TANAKA, closing, "4 満足", user_team=CUSTOMER_TEAM)
    thanks = eventually(lambda: [m for m in posts_in(fake, SHARED, root) if "ご回答いただき" in m["text"]])
    assert len(thanks) == 1
    assert handoff(bot, SHARED, root).satisfaction == 4
    eventually(lambda: "お客さま満足度:4 / 5" in message_text(latest_card(fake, card)))  # the agents see it on the card
    told = len(posts_in(fake, SHARED, root))
    click(bot.slack, TANAKA, closing, "1 大変不満", user_team=CUSTOMER_TEAM)  # the same message, clicked again
    click(bot.slack, KATO, closing, "5 大変満足", user_team=CUSTOMER_TEAM)    # a colleague, too
    silent(fake, SHARED, root, already=told)
    assert handoff(bot, SHARED, root).satisfaction == 4


def test_a_reopened_and_closed_again_handoff_does_not_ask_again(bot, fake):
    root, card, first_closing = closed_by(bot, fake)
    click(bot.slack, TANAKA, first_closing, "5 大変満足", user_team=CUSTOMER_TEAM)
    eventually(lambda: handoff(bot, SHARED, root).satisfaction == 5)
    click(bot.slack, SUZUKI, latest_card(fake, card), "再開する")
    now = card_shows(fake, card, "🟢 対応中: 鈴木")
    click(bot.slack, SUZUKI, now, "対応完了")
    fake.wait_for("views.open", count=2)
    assert close(bot, SUZUKI, now, outcome="follow_up").status == 200
    card_shows(fake, card, "✅ 完了: 鈴木")
    closings = eventually(lambda: len(c := [m for m in posts_in(fake, SHARED, root) if "終了いたしました" in m["text"]]) == 2 and c)
    assert "満足度" not in closings[-1]["text"] and not buttons(closings[-1])
    h = handoff(bot, SHARED, root)
    assert (h.status, h.outcome, h.satisfaction, h.reopened) == ("closed", "follow_up", 5, 1)


def test_a_closed_handoff_gives_the_conversation_back_to_the_bot(bot, fake):
    root, card, closing = closed_by(bot, fake)
    before = len(posts_in(fake, SHARED, root))
    say(bot, TANAKA, "ちなみに卸売業だといくらになりますか", thread=root)
    answer = replies(fake, SHARED, root, count=before + 1)[-1]
    assert "月額" in message_text(answer) and "卸売業" in message_text(answer)
    assert not [p for p in card_thread_posts(fake, card) if "卸売業" in p.get("text", "")]


# == 7. figures ================================================================================


DEC_2 = dt.date(2026, 12, 2)


def test_the_days_figures_after_a_scripted_day(bot, fake, clock):
    figures = bot.ctx.figures
    # 10:00 田中様: a quote, then a person; 佐藤 claims at 10:04, closes at 10:20; rated 4
    tanaka_root, _, tanaka_card = ask_for_a_person(bot, fake, TANAKA)
    clock.set(jst(2026, 12, 2, 10, 4))
    now = claim(bot, fake, tanaka_card, SATO)
    # 10:10 木村様: an incident; 鈴木 claims at 10:12, closes at 10:25
    clock.set(jst(2026, 12, 2, 10, 10))
    kimura_root, _, kimura_card = report_incident(bot, fake, KIMURA)
    clock.set(jst(2026, 12, 2, 10, 12))
    kimura_now = claim(bot, fake, kimura_card, SUZUKI)
    clock.set(jst(2026, 12, 2, 10, 20))
    assert close(bot, SATO, now, outcome="quote_sent").status == 200
    closing = eventually(lambda: [m for m in posts_in(fake, SHARED, tanaka_root) if buttons(m) and "満足度" in m["text"]])[-1]
    click(bot.slack, TANAKA, closing, "4 満足", user_team=CUSTOMER_TEAM)
    clock.set(jst(2026, 12, 2, 10, 25))
    assert close(bot, SUZUKI, kimura_now, outcome="incident_referred").status == 200
    # 10:30 加藤様 (田中様's colleague): an industry the bot does not quote, a person, then not after all
    clock.set(jst(2026, 12, 2, 10, 30))
    kato_root = say(bot, KATO, "不動産業で売上2億です")
    [offer] = replies(fake, SHARED, kato_root)
    click(bot.slack, KATO, offer, "担当者と話す", user_team=CUSTOMER_TEAM)
    card_for(fake, count=3)
    clock.set(jst(2026, 12, 2, 10, 31))
    say(bot, KATO, "やっぱり大丈夫です、自分で確認します", thread=kato_root)
    eventually(lambda: handoff(bot, SHARED, kato_root).status == "cancelled")
    eventually(lambda: handoff(bot, SHARED, tanaka_root).satisfaction == 4)
    eventually(lambda: handoff(bot, OTHER_CHANNEL, kimura_root).status == "closed")

    day = eventually(lambda: (d := figures.day(DEC_2)).cancelled == 1 and d.satisfaction and d)
    assert (day.started, day.quotes) == (3, 1)
    assert day.handoffs == {"incident": 1, "requested": 1, "unrated_industry": 1}
    assert day.claimed == 2 and sorted(day.claim_seconds) == [120.0, 240.0]
    assert (day.claim_median, day.claim_p90) == (180.0, 240.0)
    assert day.closed == {"incident_referred": 1, "quote_sent": 1}
    assert day.cancelled == 1 and day.satisfaction == {4: 1} and day.satisfaction_mean == 4.0
    week = figures.total(figures.last_days(7, today=DEC_2))
    assert (week.started, week.handoffs_total, week.closed_total, week.claimed) == (3, 3, 2, 2)
    assert figures.day(dt.date(2026, 12, 1)).started == 0


def test_time_to_claim_counts_business_time_only(bot, fake, clock):
    clock.set(jst(2026, 12, 4, 16, 58))  # Friday, two minutes before closing
    root, _, card = ask_for_a_person(bot, fake)
    clock.set(jst(2026, 12, 7, 9, 3))   # claimed on Monday at 9:03
    claim(bot, fake, card, SATO)
    figures = bot.ctx.figures
    monday = eventually(lambda: (d := figures.day(dt.date(2026, 12, 7))).claimed and d)
    assert monday.claim_seconds == (300.0,)  # 2 minutes on Friday, 3 on Monday; not the weekend
    friday = figures.day(dt.date(2026, 12, 4))
    assert (friday.started, friday.handoffs, friday.claimed) == (1, {"requested": 1}, 0)


def test_an_urgent_claim_counts_wall_time(bot, fake, clock):
    clock.set(jst(2026, 12, 5, 23, 50))  # Saturday night
    root, _, card = report_incident(bot, fake)
    clock.set(jst(2026, 12, 6, 0, 5))   # claimed on Sunday, 15 minutes later
    claim(bot, fake, card, ITO)
    sunday = eventually(lambda: (d := bot.ctx.figures.day(dt.date(2026, 12, 6))).claimed and d)
    assert sunday.claim_seconds == (900.0,)
    assert bot.ctx.figures.day(dt.date(2026, 12, 5)).handoffs == {"incident": 1}
