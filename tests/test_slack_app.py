"""The Slack app in-process: Bolt's App.dispatch with signed Slack-shaped requests, real Redis,
simulated Web API (tests/slack_sim/inproc.py). What only a served process shows (HTTP signature
checks, /healthz, start-up errors, two processes) is in tests/test_slack_process.py."""

from __future__ import annotations

import pytest

from tests.slack_app import button_labels, click, message_text
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, InProcessApp

CHANNEL = "CPROSPECTS"
PROSPECT = "UPROS1"
EXTERNAL = "UEXT1"


@pytest.fixture()
def fake():
    with FakeSlackAPI(
        users={PROSPECT: {"name": "hanako", "team_id": "T_CUST"}, EXTERNAL: {"name": "guest", "team_id": "T_EXT"}},
        channel_members={AGENT_CHANNEL: AGENT_MEMBERS},
    ) as api:
        yield api


@pytest.fixture()
def bot(slack_runtime, fake, redis_url):
    app = InProcessApp(slack_runtime, fake, redis_url)
    yield app
    app.close()


@pytest.fixture()
def slack(bot):
    return bot.slack


def replies_in(fake, channel, thread_ts=None, count=1):
    calls = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts,
        count=count,
    )
    return [dict(c.params, ts=c.response["ts"]) for c in calls]


def no_more_posts(fake, channel, thread_ts, count):
    """Silence: no more than `count` posts in that thread, now or within a short wait."""
    fake.assert_no_call("chat.postMessage",
                        lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts,
                        count=count)


def test_full_quote_typed_in_a_channel_thread(slack, fake):
    resp, _, root = slack.message(CHANNEL, PROSPECT, "サイバー保険の見積もりをお願いします")
    assert resp.status == 200
    [ask] = replies_in(fake, CHANNEL, root)
    assert "売上高" in ask["text"] and "業種" in ask["text"]
    slack.message(CHANNEL, PROSPECT, "売上は5億円です", thread_ts=root)
    ask_industry = replies_in(fake, CHANNEL, root, count=2)[-1]
    assert "業種" in ask_industry["text"]
    assert {"製造業", "小売業", "卸売業", "物流業", "建設業", "飲食業", "その他"} <= set(button_labels(ask_industry))
    slack.message(CHANNEL, PROSPECT, "製造業です", thread_ts=root)
    card = replies_in(fake, CHANNEL, root, count=3)[-1]
    shown = message_text(card)
    assert "5,860円" in shown and "67,000円" in shown and "5億円" in shown and "製造業" in shown
    assert "目安" in shown  # the disclaimer
    assert {"担当者に相談", "条件を変えて再見積り", "よくある質問"} <= set(button_labels(card))
    assert any(b["type"] == "context" for b in card["blocks"])


def test_full_quote_by_clicks_only_and_clicked_buttons_are_retired(slack, fake):
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりしたいです")
    [ask] = replies_in(fake, CHANNEL, root)
    assert "3億〜5億円" in button_labels(ask)
    assert click(slack, PROSPECT, ask, "3億〜5億円").status == 200
    update = fake.wait_for("chat.update", lambda c: c.params["ts"] == ask["ts"])[0]
    assert not [b for b in update.params["blocks"] if b["type"] == "actions"]
    assert "3億〜5億円" in message_text(update.params)
    ask_industry = replies_in(fake, CHANNEL, root, count=2)[-1]
    click(slack, PROSPECT, ask_industry, "製造業")
    card = replies_in(fake, CHANNEL, root, count=3)[-1]
    assert "5,860円" in message_text(card)
    # A second click on an answered message changes nothing.
    click(slack, PROSPECT, ask, "1億円以下")
    click(slack, PROSPECT, card, "プラン②で見積り")
    plan2 = replies_in(fake, CHANNEL, root, count=4)[-1]
    assert "10,240円" in message_text(plan2)  # 117,000 x 1.05 / 12
    fake.assert_no_call("chat.postMessage", count=4)
    assert len(fake.calls_to("chat.postMessage")) == 4


def test_a_dm_is_one_conversation(slack, fake):
    dm = "DPROS1"
    slack.message(dm, PROSPECT, "Hi, I'd like a quote. We are a wholesaler.", channel_type="im")
    [ask] = replies_in(fake, dm, None)
    assert "sales" in ask["text"].lower()
    slack.message(dm, PROSPECT, "about 500 million yen", channel_type="im")
    card = replies_in(fake, dm, None, count=2)[-1]
    assert "¥5,430" in message_text(card)
    assert "Talk to an agent" in button_labels(card)


def test_slack_connect_external_user_is_a_prospect(slack, fake):
    _, _, root = slack.message(CHANNEL, EXTERNAL, "売上3億円の運送会社です", user_team="T_EXT")
    [card] = replies_in(fake, CHANNEL, root)
    assert "物流業" in message_text(card) and "円" in message_text(card)


def test_app_mention_answers_once_even_with_its_message_event(slack, fake):
    resp, _, ts = slack.app_mention(CHANNEL, PROSPECT, "売上5億の小売業です")
    slack.message(CHANNEL, PROSPECT, "<@U_BOT> 売上5億の小売業です", ts=ts)
    [card] = replies_in(fake, CHANNEL, ts)
    assert "8,140円" in message_text(card)
    # barrier: a later message is answered, and still only one reply to the mention
    _, _, other = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    replies_in(fake, CHANNEL, other)
    no_more_posts(fake, CHANNEL, ts, 1)
    assert len(fake.messages(channel=CHANNEL, thread_ts=ts)) == 1


def test_bot_messages_edits_and_joins_are_ignored(slack, fake):
    slack.bot_message(CHANNEL, "売上5億の製造業です")
    slack.message(CHANNEL, "U_BOT", "売上5億の製造業です", bot_id="B_BOT")
    slack.message_changed(CHANNEL, "1699999999.000100", PROSPECT, "売上5億の製造業です")
    slack.member_joined_channel(CHANNEL, PROSPECT)
    slack.message(CHANNEL, "UAGENT1", "雑談です", )  # a person, as a barrier
    slack.message(AGENT_CHANNEL, "UAGENT1", "売上5億の製造業です")  # agent channel, not a handoff
    _, _, barrier = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    replies_in(fake, CHANNEL, barrier)
    fake.assert_no_call("chat.postMessage", lambda c: c.params["channel"] == AGENT_CHANNEL or "5,860" in message_text(c.params))
    posted_channels = [c.params["channel"] for c in fake.calls_to("chat.postMessage")]
    assert AGENT_CHANNEL not in posted_channels
    assert all("5,860" not in message_text(c.params) for c in fake.calls_to("chat.postMessage"))


def test_a_redelivered_event_is_processed_once(slack, fake):
    resp, event_id, ts = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    assert slack.redeliver(event_id, retry_num=1).status == 200
    assert slack.redeliver(event_id, retry_num=2).status == 200
    replies_in(fake, CHANNEL, ts)
    _, _, barrier = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    replies_in(fake, CHANNEL, barrier)
    no_more_posts(fake, CHANNEL, ts, 1)
    assert len(fake.messages(channel=CHANNEL, thread_ts=ts)) == 1


def test_slash_command_without_text_starts_a_quote_in_a_dm(slack, fake):
    resp = slack.slash_command("/cyber-quote", "", PROSPECT, CHANNEL, channel_name="general")
    assert resp.status == 200 and "DM" in resp.json()["text"]
    fake.wait_for("conversations.open")
    dm = f"D{PROSPECT}"
    [greeting] = replies_in(fake, dm, None)
    assert "売上高" in greeting["text"]


def test_slash_command_with_a_question_answers_privately(slack, fake):
    resp = slack.slash_command("/cyber-quote", "個人事業主でも入れますか", PROSPECT, CHANNEL)
    body = resp.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert "個人事業主" in body["text"] and "ご加入いただけます" in body["text"]
    resp = slack.slash_command("/cyber-quote", "Can a sole proprietor buy this?", PROSPECT, CHANNEL)
    assert "sole proprietor" in resp.json()["text"].lower()
    fake.assert_no_call("chat.postMessage")
    assert not fake.calls_to("chat.postMessage")


def test_app_home_is_published(slack, fake):
    slack.app_home_opened(PROSPECT)
    [call] = fake.wait_for("views.publish")
    assert call.params["user_id"] == PROSPECT
    shown = message_text({"blocks": call.params["view"]["blocks"]})
    assert "/cyber-quote" in shown and "売上高" in shown and "annual sales" in shown


# -- found in review: shared channels, stray threads, files, failures ---------------------------


def test_a_mention_in_someone_elses_thread_starts_a_conversation_there(slack, fake):
    people_talking = "1690000000.000001"  # a thread the bot has never been part of
    slack.app_mention(CHANNEL, PROSPECT, "売上5億の小売業だといくら?", thread_ts=people_talking, parent_user_id="UCOLLEAGUE")
    [card] = replies_in(fake, CHANNEL, people_talking)
    assert "8,140円" in message_text(card)
    # A plain reply in a thread nobody called the bot into stays unanswered.
    lunch = "1690000000.000002"
    slack.message(CHANNEL, PROSPECT, "そばがいいです", thread_ts=lunch, parent_user_id="UCOLLEAGUE")
    _, _, barrier = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")  # answered after the one above
    replies_in(fake, CHANNEL, barrier)
    no_more_posts(fake, CHANNEL, lunch, 0)
    assert not fake.messages(channel=CHANNEL, thread_ts=lunch)


def test_only_the_prospect_can_press_their_buttons(slack, fake):
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりしたいです")
    [ask] = replies_in(fake, CHANNEL, root)
    click(slack, EXTERNAL, ask, "3億〜5億円", user_team="T_EXT")
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == EXTERNAL)
    assert "同じ会社の方のみ" in refusal.params["text"]
    fake.assert_no_call("chat.update")
    no_more_posts(fake, CHANNEL, root, 1)
    assert not fake.calls_to("chat.update") and len(fake.messages(channel=CHANNEL, thread_ts=root)) == 1
    # ...and the prospect's own click still works afterwards.
    click(slack, PROSPECT, ask, "3億〜5億円")
    assert "業種" in replies_in(fake, CHANNEL, root, count=2)[-1]["text"]


def test_a_file_without_text_is_not_answered(slack, fake):
    files = [{"id": "F1", "name": "screenshot.png", "permalink": "https://example.slack.com/files/F1"}]
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりしたいです")
    replies_in(fake, CHANNEL, root)
    slack.message(CHANNEL, PROSPECT, "", thread_ts=root, subtype="file_share", files=files)
    slack.message(CHANNEL, PROSPECT, "5億円です", thread_ts=root)
    later = replies_in(fake, CHANNEL, root, count=2)[-1]
    assert "業種" in later["text"]
    no_more_posts(fake, CHANNEL, root, 2)
    assert len(fake.messages(channel=CHANNEL, thread_ts=root)) == 2


def test_a_click_whose_turn_fails_can_be_retried(slack, fake, redis_server):
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりしたいです")
    [ask] = replies_in(fake, CHANNEL, root)
    # The receipt can't be written: the click still counts and the flow moves on.
    fake.fail_next("chat.update", error="message_not_found")
    click(slack, PROSPECT, ask, "3億〜5億円")
    assert "業種" in replies_in(fake, CHANNEL, root, count=2)[-1]["text"]


def test_slash_command_for_someone_the_app_cannot_dm_says_so(slack, fake):
    fake.fail_next("conversations.open", error="cannot_dm_bot")
    resp = slack.slash_command("/cyber-quote", "", EXTERNAL, CHANNEL)
    assert resp.status == 200 and "DMを開けませんでした" in resp.json()["text"]
    fake.assert_no_call("chat.postMessage")
    assert not fake.calls_to("chat.postMessage")


# -- settings (that a bad one stops `serve`: test_slack_process.py) ------------------------------


def good_env(fake, redis_url):
    return {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "testsigningsecret0123",
            "SLACK_API_URL": fake.url, "REDIS_URL": redis_url, "AGENT_CHANNEL_ID": AGENT_CHANNEL, "PORT": "3000"}


def test_good_settings_load(fake, redis_url):
    from bot.slack.settings import load_settings

    settings = load_settings("http", env=good_env(fake, redis_url))
    assert settings.api_url == fake.url and settings.agent_channel_id == AGENT_CHANNEL and settings.port == 3000


@pytest.mark.parametrize(
    "change,named",
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"AGENT_CHANNEL_ID": "#agents"}, "AGENT_CHANNEL_ID"),
        ({"PORT": "http"}, "PORT"),
        ({"SLACK_API_URL": "not a url"}, "SLACK_API_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
    ],
)
def test_each_missing_or_malformed_setting_is_named(fake, redis_url, change, named):
    from bot.slack.settings import load_settings

    env = {**good_env(fake, redis_url), **change}
    if not change.get("REDIS_URL", "x"):
        env.pop("REDIS_URL")
    with pytest.raises(ValueError) as refused:
        load_settings("http", env=env)
    assert named in str(refused.value)
