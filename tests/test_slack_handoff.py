"""Handoffs in-process: two apps sharing one Redis as two processes do (tests/slack_sim/inproc.py),
simulated Slack; the sweeper is run by calling it. Two real processes racing on one claim or one
redelivered event: tests/test_slack_process.py."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.store import connect
from tests.slack_app import button_labels, buttons, card_for, click, eventually, handoff_of, message_text, posts
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, InProcessApp

CHANNEL = "CPROSPECTS"
PROSPECT = "UPROS1"
AGENT1, AGENT2 = "UAGENT1", "UAGENT2"
OUTSIDER = "UNOTAGENT"      # home workspace, not in the agent channel
GUEST_AGENT = "UEXTAGENT"   # in a shared agent channel, but from another workspace
REMIND_MINUTES = "10"
REMIND_SECONDS = 10 * 60
assert {AGENT1, AGENT2, GUEST_AGENT} <= set(AGENT_MEMBERS) and OUTSIDER not in AGENT_MEMBERS


@pytest.fixture()
def fake():
    with FakeSlackAPI(
        users={
            PROSPECT: {"name": "hanako", "team_id": "T_CUST"},
            AGENT1: {"name": "sato", "real_name": "佐藤 一郎", "profile": {"display_name": "佐藤"}},
            AGENT2: {"name": "suzuki", "real_name": "鈴木 花子", "profile": {"display_name": "鈴木"}},
            OUTSIDER: {"name": "tanaka"},
            GUEST_AGENT: {"name": "guest", "team_id": "T_EXT"},
        },
        channel_members={AGENT_CHANNEL: AGENT_MEMBERS},
    ) as api:
        yield api


@pytest.fixture()
def bot(slack_runtime, fake, redis_url):
    app = InProcessApp(slack_runtime, fake, redis_url, HANDOFF_REMIND_MINUTES=REMIND_MINUTES)
    yield app
    app.close()


@pytest.fixture()
def bot_b(slack_runtime, fake, redis_url):
    """A second process on the same Redis."""
    app = InProcessApp(slack_runtime, fake, redis_url, HANDOFF_REMIND_MINUTES=REMIND_MINUTES)
    yield app
    app.close()


@pytest.fixture()
def slack(bot):
    return bot.slack


def start_handoff(slack, fake, text="担当者と話したいです"):
    _, _, root = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    posts(fake, CHANNEL, root)
    slack.message(CHANNEL, PROSPECT, text, thread_ts=root)
    told = posts(fake, CHANNEL, root, count=2)[-1]
    [card] = card_for(fake)
    return root, told, card


def submit_close(slack, user, card, outcome="quote_sent"):
    [close_button] = [b for b in buttons(card) if b["action_id"] == "handoff.close"]
    selected = {"value": outcome, "text": {"type": "plain_text", "text": outcome}}
    return slack.view_submission(user, "handoff_close", private_metadata=close_button["value"],
                                 values={"outcome": {"value": {"type": "static_select", "selected_option": selected}}})


def agent_posts(fake, predicate):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == AGENT_CHANNEL and predicate(c)]


def claimed_card(fake, card):
    update = fake.wait_for("chat.update", lambda c: c.params["ts"] == card["ts"] and "handoff.close" in json.dumps(c.params["blocks"]))[-1]
    return dict(update.params, ts=card["ts"], channel=AGENT_CHANNEL)


# -- triggers and the card -------------------------------------------------------------------


def test_asking_in_words_records_then_announces_a_full_card(slack, fake, redis_server):
    root, told, card = start_handoff(slack, fake)
    assert "担当者" in told["text"] and "15分" in told["text"]
    h = eventually(lambda: (h := handoff_of(redis_server, CHANNEL, root)) and h.announced and h)
    assert h.status == "waiting" and h.reason == "requested" and h.card_ts == card["ts"]
    shown = message_text(card)
    for expected in ("担当者との相談をご希望", "🟡 待機中", f"<@{PROSPECT}>", "5億円", "製造業", "5,860円", "67,000円",
                     "担当者と話したいです", "https://example.slack.com/archives/"):
        assert expected in shown, expected
    assert button_labels(card) == ["担当する"]


def test_quote_card_button_hands_over(slack, fake, redis_server):
    _, _, root = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    [quote_card] = posts(fake, CHANNEL, root)
    click(slack, PROSPECT, quote_card, "担当者に相談")
    [card] = card_for(fake)
    assert handoff_of(redis_server, CHANNEL, root).status == "waiting"
    assert "担当者との相談をご希望" in message_text(card)


@pytest.mark.parametrize("text, said, on_card, reason", [
    ("アプリ開発の会社で売上3億です", "ITサービス業", "IT業務特約", "it_services_option"),
    ("売上50億の製造業です", "30億円を超える", "見積り範囲(30億円)を超える", "above_table"),
    ("不動産業で売上2億です", "担当者", "不動産", "unrated_industry"),  # the card names what they said
])
def test_cannot_quote_then_accepting_a_person(slack, fake, redis_server, text, said, on_card, reason):
    _, _, root = slack.message(CHANNEL, PROSPECT, text)
    [offer] = posts(fake, CHANNEL, root)
    assert said in offer["text"]
    click(slack, PROSPECT, offer, "担当者と話す")
    [card] = card_for(fake)
    assert on_card in message_text(card)
    assert handoff_of(redis_server, CHANNEL, root).reason == reason


def test_faq_abstains_and_the_prospect_accepts(slack, fake, redis_server):
    # Off-topic in a channel is answered only when the bot is asked (a mention).
    _, _, root = slack.app_mention(CHANNEL, PROSPECT, "自動車保険の見積りもできますか?")
    [offer] = posts(fake, CHANNEL, root)
    assert "サイバー保険" in offer["text"]
    slack.message(CHANNEL, PROSPECT, "はい", thread_ts=root)
    [card] = card_for(fake)
    h = handoff_of(redis_server, CHANNEL, root)
    assert (h.reason, h.after) == ("requested", "faq_abstained")
    # the card says what happened: they asked, after a question the bot could not answer
    assert "担当者との相談をご希望(ボットが回答できない質問のあと)" in message_text(card)


def test_incident_is_urgent_and_the_prospect_is_told_what_to_do_at_once(slack, fake, redis_server):
    _, _, root = slack.message(CHANNEL, PROSPECT, "社内のパソコンがウイルスに感染したみたいです")
    [told] = posts(fake, CHANNEL, root)
    assert "事故のご連絡" in told["text"] and "至急" in told["text"]
    [card] = card_for(fake)
    assert "至急" in card["blocks"][0]["text"]["text"]
    h = handoff_of(redis_server, CHANNEL, root)
    assert h.urgent and h.reason == "incident"


def test_a_failed_card_post_is_retried_until_posted(bot, slack, fake, redis_server):
    fake.fail_next("chat.postMessage", error="internal_error", times=3, when=lambda p: p.get("channel") == AGENT_CHANNEL)
    bot.auto_settle = False  # look while the card's post is still being retried
    _, _, root = slack.message(CHANNEL, PROSPECT, "担当者につないでください")
    [told] = posts(fake, CHANNEL, root)
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == AGENT_CHANNEL and not c.response.get("ok"))
    assert handoff_of(redis_server, CHANNEL, root) is not None  # recorded even while Slack fails
    bot.settle()
    [card] = card_for(fake)
    failures = [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == AGENT_CHANNEL and not c.response.get("ok")]
    assert len(failures) == 3
    eventually(lambda: handoff_of(redis_server, CHANNEL, root).announced)


# -- claim, relay, close ---------------------------------------------------------------------


def test_relay_both_ways_silence_while_claimed_and_close(slack, fake, redis_server):
    root, _, card = start_handoff(slack, fake)
    click(slack, AGENT1, card, "担当する")
    card = claimed_card(fake, card)
    assert "🟢 対応中: 佐藤" in message_text(card) and button_labels(card) == ["対応完了", "担当を外れる"]
    joined = posts(fake, CHANNEL, root, count=3)[-1]
    assert "佐藤" in joined["text"]

    # agent -> prospect, under the agent's name and icon
    slack.message(AGENT_CHANNEL, AGENT1, "担当の佐藤です。ご相談内容を伺います。", thread_ts=card["ts"])
    relayed = posts(fake, CHANNEL, root, count=4)[-1]
    assert relayed["text"] == "担当の佐藤です。ご相談内容を伺います。"
    assert relayed["username"] == "佐藤" and relayed["icon_url"].endswith("_72.png")

    # prospect -> agent; the bot itself says nothing in the prospect's thread
    slack.message(CHANNEL, PROSPECT, "売上は3億円に訂正します。見積りを送ってください", thread_ts=root)
    [to_agent] = posts(fake, AGENT_CHANNEL, card["ts"])
    assert "売上は3億円に訂正します" in to_agent["text"]
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == CHANNEL and c.params.get("thread_ts") == root,
                        count=4)
    assert len(fake.messages(channel=CHANNEL, thread_ts=root)) == 4

    # close with an outcome: the prospect is told and the bot is back
    click(slack, AGENT1, card, "対応完了")
    [opened] = fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "handoff_close"
    assert submit_close(slack, AGENT1, card).status == 200
    closed_note = posts(fake, CHANNEL, root, count=5)[-1]
    assert "終了" in closed_note["text"]
    fake.wait_for("chat.update", lambda c: c.params["ts"] == card["ts"] and "✅ 完了: 佐藤" in message_text(c.params) and "handoff.close" not in json.dumps(c.params["blocks"]))
    h = eventually(lambda: (h := handoff_of(redis_server, CHANNEL, root)) and h.status == "closed" and h)
    assert h.outcome == "quote_sent"
    slack.message(CHANNEL, PROSPECT, "卸売業でした", thread_ts=root)
    back = posts(fake, CHANNEL, root, count=6)[-1]
    assert "月額保険料" in message_text(back)

    lines = connect(redis_server.url).transcript(f"T_HOME:{CHANNEL}:{root}")
    roles = [l["role"] for l in lines]
    assert "agent" in roles and any(l.get("text") == "handoff claimed" for l in lines) and any(l.get("text") == "handoff closed" for l in lines)


# -- who may act -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", [OUTSIDER, GUEST_AGENT])
def test_non_agents_and_external_users_are_refused(slack, fake, redis_server, who):
    root, _, card = start_handoff(slack, fake)
    click(slack, who, card, "担当する", user_team="T_EXT" if who == GUEST_AGENT else None)
    [refusal] = fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == who)
    assert "メンバー" in refusal.params["text"]
    assert handoff_of(redis_server, CHANNEL, root).status == "waiting"
    # once an agent owns it, others can neither relay nor close
    click(slack, AGENT1, card, "担当する")
    card = claimed_card(fake, card)
    slack.message(AGENT_CHANNEL, AGENT2, "私が回答します", thread_ts=card["ts"])
    fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == AGENT2 and "佐藤" in c.params["text"])
    submit_close(slack, AGENT2, card)
    fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == AGENT2, count=2)
    assert handoff_of(redis_server, CHANNEL, root).status == "claimed"
    assert all(m["text"] != "私が回答します" for m in fake.messages(channel=CHANNEL))


# -- reminders -------------------------------------------------------------------------------


def test_an_unclaimed_handoff_is_re_announced_exactly_once(bot, bot_b, slack, fake, redis_server):
    reminder = lambda c: "再通知" in c.params.get("text", "")  # noqa: E731
    root, _, card = start_handoff(slack, fake)
    created = handoff_of(redis_server, CHANNEL, root).created_at
    bot.sweep(now=created + REMIND_SECONDS - 5)  # not yet due
    fake.assert_no_call("chat.postMessage", reminder)
    due = created + REMIND_SECONDS + 1
    with ThreadPoolExecutor(4) as pool:  # both processes sweep at once, then again
        barrier = threading.Barrier(4)

        def sweep(app):
            barrier.wait()
            app.sweep(now=due)
            app.sweep(now=due + 60)

        for f in [pool.submit(sweep, app) for app in (bot, bot_b, bot, bot_b)]:
            f.result()
    [reminder_call] = agent_posts(fake, reminder)
    assert card["ts"] in reminder_call.params["text"].replace(".", "") or "archives" in reminder_call.params["text"]
    bot.sweep(now=due + 120)
    bot_b.sweep(now=due + 120)
    fake.assert_no_call("chat.postMessage", reminder, count=1)
    assert len(agent_posts(fake, reminder)) == 1
    eventually(lambda: handoff_of(redis_server, CHANNEL, root).reminded)


# -- found in review: what relayed text may do, incidents while claimed, lost reminders ----------


def test_relayed_text_cannot_ping_or_disguise_links(slack, fake, redis_server):
    root, _, card = start_handoff(slack, fake)
    click(slack, AGENT1, card, "担当する")
    card = claimed_card(fake, card)
    # What a prospect typed as "<!channel> 至急 <https://evil.example|請求書>" reaches the app escaped.
    slack.message(CHANNEL, PROSPECT, "&lt;!channel&gt; 至急 &lt;https://evil.example|請求書&gt;", thread_ts=root)
    [to_agent] = posts(fake, AGENT_CHANNEL, card["ts"])
    assert "<!channel>" not in to_agent["text"] and "<https://evil.example|" not in to_agent["text"]
    assert "&lt;!channel&gt;" in to_agent["text"]
    # An agent's own markup passes (mentions, links), but never a broadcast into the prospect's channel.
    slack.message(AGENT_CHANNEL, AGENT1, "<!here> 詳しくは <https://example.com/guide|こちら> をご覧ください", thread_ts=card["ts"])
    relayed = eventually(lambda: [m for m in fake.messages(channel=CHANNEL, thread_ts=root) if "ご覧ください" in m.get("text", "")])
    assert "<!here>" not in relayed[0]["text"] and "<https://example.com/guide|こちら>" in relayed[0]["text"]


def test_an_incident_reported_after_claiming_updates_the_card_not_a_second_one(slack, fake, redis_server):
    root, _, card = start_handoff(slack, fake)
    click(slack, AGENT1, card, "担当する")
    card = claimed_card(fake, card)
    before = len(fake.messages(channel=CHANNEL, thread_ts=root))
    slack.message(CHANNEL, PROSPECT, "今、ランサムウェアでファイルが暗号化されました", thread_ts=root)
    # The agent has the conversation: the message reaches them flagged urgent, and the card
    # turns urgent; the bot says nothing of its own in the prospect's thread.
    relayed = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == card["ts"] and "暗号化" in c.params.get("text", ""))
    assert "至急" in relayed[0].params["text"]
    fake.wait_for("chat.update", lambda c: c.params["ts"] == card["ts"] and "至急" in message_text(c.params))
    assert len(fake.messages(channel=CHANNEL, thread_ts=root)) == before
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") == AGENT_CHANNEL and c.response.get("ok")
                        and any(b.get("type") == "header" for b in c.params.get("blocks") or []), count=1)
    assert len(card_for(fake)) == 1
    h = handoff_of(redis_server, CHANNEL, root)
    assert h.urgent and h.status == "claimed" and h.card_ts == card["ts"]


def test_a_reminder_that_could_not_be_posted_is_tried_again(bot, bot_b, slack, fake, redis_server):
    reminder = lambda p: p.get("channel") == AGENT_CHANNEL and "再通知" in p.get("text", "")  # noqa: E731
    # Every attempt of one sweep's post fails (5 retries with backoff): a later sweep must try again.
    fake.fail_next("chat.postMessage", error="internal_error", times=6, when=reminder)
    root, _, card = start_handoff(slack, fake)
    due = handoff_of(redis_server, CHANNEL, root).created_at + REMIND_SECONDS + 1
    bot.sweep(now=due)
    assert len(agent_posts(fake, lambda c: reminder(c.params) and not c.response.get("ok"))) == 6
    assert not agent_posts(fake, lambda c: reminder(c.params) and c.response.get("ok"))
    assert not handoff_of(redis_server, CHANNEL, root).reminded
    bot_b.sweep(now=due + 30)
    fake.wait_for("chat.postMessage", lambda c: reminder(c.params) and c.response.get("ok"))
    bot.sweep(now=due + 60)
    bot_b.sweep(now=due + 60)
    fake.assert_no_call("chat.postMessage", lambda c: reminder(c.params) and c.response.get("ok"), count=1)
    sent = [c for c in fake.calls_to("chat.postMessage") if reminder(c.params) and c.response.get("ok")]
    assert len(sent) == 1
    eventually(lambda: handoff_of(redis_server, CHANNEL, root).reminded)
