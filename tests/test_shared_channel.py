"""A shared channel with two companies in it, as its people use it (issue 12).

The workspace: the insurer's home workspace (T_HOME) with a salesperson (not an agent) and
three agents, one of whom also sits in the shared channel; the customer's company (T_TANAKA)
with two people in the channel; a third company's guest; the agent channel; a DM; and an
internal channel listed in ANSWER_ALL_CHANNELS. Every rule is asserted as the people there
would see it, silence included (no Web API post within a wait).
"""

from __future__ import annotations

import json

import pytest

from tests.slack_app import button_labels, buttons, card_for, click, eventually, handoff_of, message_text
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, InProcessApp

SHARED = "CSHARED01"      # Slack Connect: the insurer and 株式会社タナカ精工
INTERNAL = "CASKCYBER"    # the insurer's own #ask-cyber-insurance (ANSWER_ALL_CHANNELS)
DM = "DTANAKA01"

CUSTOMER_TEAM, OTHER_TEAM = "T_TANAKA", "T_OTHERCO"
TANAKA, KATO = "UTANAKA", "UKATO"          # the customer's people
YAMAMOTO = "USALES1"                        # the insurer's salesperson, not an agent
SATO, SUZUKI, ITO = "UAGENT1", "UAGENT2", "UAGENT3"  # agents (SATO is also in the shared channel)
STRANGER = "UOTHER1"                        # a third company's person in the channel
assert {SATO, SUZUKI, ITO} <= set(AGENT_MEMBERS) and YAMAMOTO not in AGENT_MEMBERS

TEAMS = {TANAKA: CUSTOMER_TEAM, KATO: CUSTOMER_TEAM, STRANGER: OTHER_TEAM,
         YAMAMOTO: "T_HOME", SATO: "T_HOME", SUZUKI: "T_HOME", ITO: "T_HOME"}


@pytest.fixture()
def fake():
    with FakeSlackAPI(
        users={
            TANAKA: {"name": "utanaka", "real_name": "田中 太郎", "team_id": CUSTOMER_TEAM, "profile": {"display_name": "田中"}},
            KATO: {"name": "ukato", "real_name": "加藤 花子", "team_id": CUSTOMER_TEAM, "profile": {"display_name": ""}},
            STRANGER: {"name": "uother", "real_name": "Other Person", "team_id": OTHER_TEAM},
            YAMAMOTO: {"name": "yamamoto.k", "real_name": "山本 健", "profile": {"display_name": "山本"}},
            SATO: {"name": "sato.i", "real_name": "佐藤 一郎", "profile": {"display_name": "佐藤"}},
            SUZUKI: {"name": "suzuki.h", "real_name": "鈴木 花子", "profile": {"display_name": "鈴木"}},
            ITO: {"name": "ito.j", "real_name": "伊藤 純", "profile": {"display_name": "伊藤"}},
        },
        channel_members={AGENT_CHANNEL: AGENT_MEMBERS},
    ) as api:
        yield api


@pytest.fixture()
def bot(slack_runtime, fake, redis_url):
    app = InProcessApp(slack_runtime, fake, redis_url, ANSWER_ALL_CHANNELS=INTERNAL)
    yield app
    app.close()


def say(bot, user, text, channel=SHARED, thread=None, **kw):
    """A person writes, with the workspace Slack names in the event (`user_team`)."""
    kw.setdefault("user_team", TEAMS[user])
    if channel.startswith("D"):
        kw.setdefault("channel_type", "im")
    _, _, ts = bot.slack.message(channel, user, text, thread_ts=thread, **kw)
    return ts


def posts_in(fake, channel, thread=None):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == channel
            and c.params.get("thread_ts") == thread and c.response.get("ok")]


def replies(fake, channel, thread, count=1):
    calls = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel
                          and c.params.get("thread_ts") == thread and c.response.get("ok"), count=count)
    return [dict(c.params, ts=c.response["ts"]) for c in calls]


def silent(fake, channel=SHARED, thread=None, already=0, within=0.3):
    """No post by the bot in that place beyond `already`, now or within the wait."""
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == channel
                        and c.params.get("thread_ts") == thread, count=already, within=within)


def nothing_posted_anywhere(fake, already=0):
    fake.assert_no_call("chat.postMessage", count=already, within=0.3)
    fake.assert_no_call("chat.postEphemeral", within=0.0)


def card_thread_posts(fake, card):
    return [c.params for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") == AGENT_CHANNEL and c.params.get("thread_ts") == card["ts"]]


def latest_card(fake, card):
    """The card as the agents see it now (its last update, or as posted)."""
    updates = [c.params for c in fake.calls_to("chat.update") if c.params.get("ts") == card["ts"]]
    return updates[-1] if updates else card


def start_quote(bot, fake, text="サイバー保険の見積りをお願いできますか。売上は5億円、製造業です。"):
    root = say(bot, TANAKA, text)
    [quote] = replies(fake, SHARED, root)
    return root, quote


# -- 1. who is who / 2. when the bot starts a conversation -----------------------------------


@pytest.mark.parametrize("text", [
    "明日の打ち合わせは15時からで問題ないでしょうか。",
    "資料ありがとうございます!社内で回覧します🙏",
    "来週月曜は祝日のため、弊社はお休みをいただきます。",
    "Thanks all, see you on Thursday.",
])
def test_a_customers_chatter_gets_silence(bot, fake, text):
    say(bot, TANAKA, text)
    nothing_posted_anywhere(fake)


@pytest.mark.parametrize("text", [
    "田中様、先日はお時間をいただきありがとうございました。ご提案資料を共有いたします。",
    "サイバー保険のお見積りの件、本日中にお送りします。",  # about the product, but to the customer
    "Tanaka-san, I'll send over the quote for the cyber policy tomorrow.",
    "売上5億円の製造業だと、保険料はいくらになりますか?",  # reads as a request, but staff never start one
])
def test_the_insurers_own_staff_writing_to_customers_get_silence(bot, fake, text):
    say(bot, YAMAMOTO, text)
    say(bot, SATO, text)  # an agent writing to the customer is not asking the bot either
    nothing_posted_anywhere(fake)


def test_a_message_to_a_named_person_is_theirs_not_the_bots(bot, fake):
    say(bot, TANAKA, "山本さん、サイバー保険の件は来週ご相談させてください。")
    say(bot, KATO, f"<@{YAMAMOTO}> 保険料の資料、もう一度いただけますか?")
    nothing_posted_anywhere(fake)


@pytest.mark.parametrize("text, expect", [
    ("年商3億円の卸売業ですが、サイバー保険の保険料はどのくらいになりますか?", "月額"),
    ("サイバー保険で、従業員のミスによる情報漏えいも補償されますか?", None),
    ("保険の内容について、担当者と話したいのですが", "担当者"),
    ("Could we get a quote for cyber insurance? We're a logistics firm.", None),
])
def test_a_customers_request_starts_a_conversation_in_its_thread(bot, fake, text, expect):
    root = say(bot, TANAKA, text)
    [reply] = replies(fake, SHARED, root)
    if expect:
        assert expect in message_text(reply)
    assert not posts_in(fake, SHARED)  # the answer is in the thread, not in the channel


def test_a_mention_is_answered_even_off_topic_and_even_from_staff(bot, fake):
    root = say(bot, YAMAMOTO, f"<@{fake.bot_user_id}> 来週の天気はどうですか?", event_type="app_mention")
    [reply] = replies(fake, SHARED, root)
    assert "サイバー保険" in reply["text"]  # declined politely, as in a DM


def test_a_dm_answers_everything_and_declines_off_topic_politely(bot, fake):
    say(bot, TANAKA, "おすすめのランチを教えてください", channel=DM)
    [reply] = replies(fake, DM, None)
    assert "サイバー保険" in reply["text"] and "申し訳" in reply["text"]


def test_an_answer_all_channel_takes_every_top_level_message(bot, fake):
    root = say(bot, YAMAMOTO, "社用車の保険もここで聞けますか?", channel=INTERNAL)
    [reply] = replies(fake, INTERNAL, root)
    assert "サイバー保険" in reply["text"]
    root = say(bot, SUZUKI, "売上2億の小売業のお客さまだと、月々いくらくらいですか", channel=INTERNAL)
    [quote] = replies(fake, INTERNAL, root)
    assert "月額" in message_text(quote)


def test_a_colleagues_unrelated_thread_gets_silence(bot, fake):
    lunch = say(bot, KATO, "今日の定例、5分遅れます")
    say(bot, TANAKA, "了解です。売上の数字は3億で合ってますか?", thread=lunch, parent_user_id=KATO)
    say(bot, YAMAMOTO, "承知しました!", thread=lunch, parent_user_id=KATO)
    nothing_posted_anywhere(fake)


# -- 3. whose turn it is in a thread -------------------------------------------------------------


def test_a_colleague_of_the_prospect_takes_turns(bot, fake):
    root = say(bot, TANAKA, "サイバー保険の見積りをお願いします。製造業です。")
    [ask] = replies(fake, SHARED, root)
    say(bot, KATO, "売上は昨年度で4億8千万円です", thread=root)
    quote = replies(fake, SHARED, root, count=2)[-1]
    assert "4億8,000万円" in message_text(quote) and "月額" in message_text(quote)


def test_staff_and_other_companies_in_the_thread_are_left_alone(bot, fake):
    root, _ = start_quote(bot, fake)
    say(bot, YAMAMOTO, "田中様、補足の資料は別途お送りします。", thread=root)
    say(bot, STRANGER, "うちも見積もりお願いしたいです", thread=root)
    silent(fake, SHARED, root, already=1)
    assert not card_for_any(fake)  # nothing was relayed or handed over either
    conv_turns = transcript_roles(bot, root)
    assert conv_turns.count("prospect") == 1


def test_an_agent_replying_in_the_thread_claims_the_waiting_handoff(bot, fake, redis_server):
    root, _ = start_quote(bot, fake)
    say(bot, TANAKA, "一度担当者の方とお話しできればと思います。担当者と話したい", thread=root)
    told = replies(fake, SHARED, root, count=2)[-1]
    assert "担当者" in told["text"]
    [card] = card_for(fake)
    say(bot, SATO, "田中様、佐藤です。お電話でご説明いたしますね。", thread=root)
    h = eventually(lambda: (h := handoff_of(redis_server, SHARED, root)) and h.status == "claimed" and h)
    assert h.agent_id == SATO and h.agent_name == "佐藤"
    shown = eventually(lambda: "佐藤" in message_text(latest_card(fake, card)) and latest_card(fake, card))
    assert "handoff.claim" not in json.dumps(shown.get("blocks"))  # nothing left to claim
    # The agent's words are not the prospect's: nothing relayed to the card thread as お客さま.
    assert not [p for p in card_thread_posts(fake, card) if "佐藤です" in p.get("text", "")]
    # From now on the bot is silent in the thread; the prospect's messages reach the card thread.
    before = len(posts_in(fake, SHARED, root))
    say(bot, TANAKA, "ありがとうございます。補償内容はどのようになっていますか?", thread=root)
    eventually(lambda: [p for p in card_thread_posts(fake, card) if "補償内容" in p.get("text", "")])
    silent(fake, SHARED, root, already=before)


def test_an_agent_replying_with_no_handoff_open_takes_the_conversation(bot, fake, redis_server):
    root, _ = start_quote(bot, fake)
    say(bot, SATO, "田中様、お見積りの前提について補足いたします。", thread=root)
    h = eventually(lambda: handoff_of(redis_server, SHARED, root))
    assert h.status == "claimed" and h.agent_id == SATO and h.reason == "agent_joined"
    [card] = card_for(fake)  # agents get a card to close it from
    assert "佐藤" in message_text(card)
    say(bot, TANAKA, "プラン2だといくらになりますか?", thread=root)
    eventually(lambda: [p for p in card_thread_posts(fake, card) if "プラン2" in p.get("text", "")])
    silent(fake, SHARED, root, already=1)


def test_a_taken_over_conversation_goes_back_to_the_bot_when_the_agent_closes_it(bot, fake, redis_server):
    root, _ = start_quote(bot, fake)
    say(bot, SATO, "田中様、佐藤です。詳しくはこちらでご案内します。", thread=root)
    [card] = card_for(fake)
    card = eventually(lambda: "handoff.close" in json.dumps(latest_card(fake, card).get("blocks"))
                      and dict(latest_card(fake, card), ts=card["ts"], channel=AGENT_CHANNEL))
    [close] = [b for b in buttons(card) if b["action_id"] == "handoff.close"]
    selected = {"value": "answered", "text": {"type": "plain_text", "text": "answered"}}
    bot.slack.view_submission(SATO, "handoff_close", private_metadata=close["value"],
                              values={"outcome": {"value": {"type": "static_select", "selected_option": selected}}})
    assert eventually(lambda: handoff_of(redis_server, SHARED, root).status == "closed")
    closed = replies(fake, SHARED, root, count=2)[-1]
    assert "終了" in closed["text"] or "担当者" in closed["text"]
    say(bot, TANAKA, "プラン2だといくらですか?", thread=root)
    again = replies(fake, SHARED, root, count=3)[-1]
    assert "月額" in message_text(again)


def test_a_non_agent_staff_reply_changes_nothing(bot, fake, redis_server):
    root, _ = start_quote(bot, fake)
    say(bot, YAMAMOTO, "田中様、ご不明点があればお気軽にどうぞ。", thread=root)
    silent(fake, SHARED, root, already=1)
    assert handoff_of(redis_server, SHARED, root) is None
    say(bot, TANAKA, "プラン2にするといくらですか?", thread=root)
    replies(fake, SHARED, root, count=2)  # the prospect is still answered by the bot


# -- 4. buttons act on what they show ------------------------------------------------------------


def test_a_newer_card_retires_the_older_ones_buttons_and_old_clicks_change_nothing(bot, fake, redis_server):
    root, first = start_quote(bot, fake)
    assert "プラン②" in " ".join(button_labels(first)) or buttons(first)
    say(bot, TANAKA, "すみません、業種は卸売業で、売上は3億円でした", thread=root)
    second = replies(fake, SHARED, root, count=2)[-1]
    assert buttons(second)
    retired = fake.wait_for("chat.update", lambda c: c.params["ts"] == first["ts"])[-1].params
    assert not [b for b in retired["blocks"] if b.get("type") == "actions"]
    posted_before = len(posts_in(fake, SHARED, root))
    plan_button = [b for b in button_labels(first) if "2" in b or "②" in b][0]
    click(bot.slack, TANAKA, first, plan_button, user_team=CUSTOMER_TEAM)
    [told] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == TANAKA)
    assert "以前のご案内" in told.params["text"] and "http" in told.params["text"]
    silent(fake, SHARED, root, already=posted_before)
    conv = bot.ctx.store.load(f"T_HOME:{SHARED}:{root}")
    assert conv.industry == "wholesale" and conv.plan == "plan1"  # nothing changed
    # The live card's button still works, for a colleague of the prospect too.
    click(bot.slack, KATO, second, plan_button, user_team=CUSTOMER_TEAM)
    third = replies(fake, SHARED, root, count=posted_before + 1)[-1]
    assert "月額" in message_text(third)
    assert bot.ctx.store.load(f"T_HOME:{SHARED}:{root}").plan == "plan2"


def test_others_are_refused_privately_once_and_receipts_use_display_names(bot, fake):
    root = say(bot, TANAKA, "サイバー保険の見積りをお願いします")
    [ask] = replies(fake, SHARED, root)
    label = button_labels(ask)[0]
    click(bot.slack, YAMAMOTO, ask, label)
    click(bot.slack, YAMAMOTO, ask, label)
    click(bot.slack, STRANGER, ask, label, user_team=OTHER_TEAM)
    refusals = fake.calls_to("chat.postEphemeral")
    assert sorted(c.params["user"] for c in refusals) == sorted([YAMAMOTO, STRANGER])  # once each
    fake.assert_no_call("chat.update")
    click(bot.slack, TANAKA, ask, label, user_team=CUSTOMER_TEAM)
    receipt = fake.wait_for("chat.update", lambda c: c.params["ts"] == ask["ts"])[-1]
    shown = message_text(receipt.params)
    assert "田中" in shown and "utanaka" not in shown and label in shown


def test_a_receipt_for_someone_without_a_display_name_uses_the_real_name(bot, fake):
    root = say(bot, TANAKA, "サイバー保険の見積りをお願いします")
    [ask] = replies(fake, SHARED, root)
    click(bot.slack, KATO, ask, button_labels(ask)[0], user_team=CUSTOMER_TEAM)
    receipt = fake.wait_for("chat.update", lambda c: c.params["ts"] == ask["ts"])[-1]
    assert "加藤" in message_text(receipt.params) and "ukato" not in message_text(receipt.params)


# -- 5. silent while a person has it ------------------------------------------------------------


def hand_over(bot, fake):
    root, quote = start_quote(bot, fake)
    say(bot, TANAKA, "担当者と話したいです", thread=root)
    notice = replies(fake, SHARED, root, count=2)[-1]
    [card] = card_for(fake)
    return root, quote, notice, card


def test_while_waiting_questions_and_incidents_go_to_the_agents_only(bot, fake, redis_server):
    root, _, notice, card = hand_over(bot, fake)
    before = len(posts_in(fake, SHARED, root))
    say(bot, TANAKA, "ちなみに補償内容を教えてください", thread=root)
    say(bot, KATO, "先ほど社内のPCがウイルスに感染しました", thread=root)
    relayed = eventually(lambda: len(card_thread_posts(fake, card)) >= 2 and card_thread_posts(fake, card))
    urgent = [p for p in relayed if "ウイルス" in p.get("text", "")]
    assert urgent and "至急" in urgent[0]["text"]
    eventually(lambda: "至急" in message_text(latest_card(fake, card)))
    assert handoff_of(redis_server, SHARED, root).urgent
    silent(fake, SHARED, root, already=before)  # no FAQ answer, no incident text, no card


def test_asking_how_it_stands_gets_an_honest_status(bot, fake):
    root, _, _, _ = hand_over(bot, fake)
    say(bot, TANAKA, "まだでしょうか?", thread=root)
    status = replies(fake, SHARED, root, count=3)[-1]
    assert "分" in status["text"] and "お待ち" in status["text"]


@pytest.mark.parametrize("how", ["words", "button"])
def test_the_prospect_can_take_a_waiting_request_back(bot, fake, redis_server, how):
    root, _, notice, card = hand_over(bot, fake)
    if how == "words":
        say(bot, TANAKA, "やっぱり大丈夫です、自分で確認します", thread=root)
    else:
        [cancel] = [label for label in button_labels(notice)]
        click(bot.slack, TANAKA, notice, cancel, user_team=CUSTOMER_TEAM)
    told = replies(fake, SHARED, root, count=3)[-1]
    assert "取り消" in told["text"]
    assert buttons(told)  # the bot resumes where the facts lead (quoted: what next)
    h = handoff_of(redis_server, SHARED, root)
    assert h.status == "cancelled"
    eventually(lambda: "取り消" in message_text(latest_card(fake, card)))
    assert "handoff.claim" not in json.dumps(latest_card(fake, card).get("blocks"))
    # The bot answers again.
    say(bot, TANAKA, "プラン2だといくらですか?", thread=root)
    replies(fake, SHARED, root, count=4)


def test_once_claimed_the_notice_cancel_button_is_retired(bot, fake, redis_server):
    root, _, notice, card = hand_over(bot, fake)
    click(bot.slack, SUZUKI, card, "担当する")
    eventually(lambda: handoff_of(redis_server, SHARED, root).status == "claimed")
    retired = fake.wait_for("chat.update", lambda c: c.params["ts"] == notice["ts"])[-1].params
    assert not [b for b in retired["blocks"] if b.get("type") == "actions"]
    click(bot.slack, TANAKA, notice, button_labels(notice)[0], user_team=CUSTOMER_TEAM)
    assert handoff_of(redis_server, SHARED, root).status == "claimed"


# -- helpers over the store --------------------------------------------------------------------


def card_for_any(fake):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == AGENT_CHANNEL]


def transcript_roles(bot, root):
    return [e["role"] for e in bot.ctx.store.transcript(f"T_HOME:{SHARED}:{root}")]
