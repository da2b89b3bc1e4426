"""Nothing lost, nothing twice, in-process: the durable inbox, idempotent turns, the outbox
that recognises what it already posted, state lost but the thread remembered, forged clicks,
odd text, floods and the channel pace. Real Redis, simulated Web API, Bolt's dispatch.
(What needs a served process, a killed worker or a stalled Redis is in tests/test_faults.py.)"""

from __future__ import annotations

import time

import pytest

from bot.limits import DEFAULT_BURST
from bot.inbox import Inbox
from bot.slack import outbox, posted
from bot.slack.codec import conversation_key
from bot.store import OutboxItem, outbox_key, state_key, transcript_key
from bot.turn import Inbound
from tests.slack_app import click
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, InProcessApp

CHANNEL = "CPROSPECTS"
OTHER_CHANNEL = "COTHERCO"
PROSPECT = "UPROS1"
COLLEAGUE = "UPROS2"
HOME = "T_HOME"


@pytest.fixture()
def fake():
    with FakeSlackAPI(users={PROSPECT: {"name": "hanako", "team_id": "T_CUST"}, COLLEAGUE: {"name": "taro", "team_id": "T_CUST"},
                             "UAGENT1": {"name": "sato", "real_name": "佐藤 一郎", "profile": {"display_name": "佐藤"}}},
                      channel_members={AGENT_CHANNEL: AGENT_MEMBERS}) as api:
        yield api


@pytest.fixture()
def bot(slack_runtime, fake, redis_url):
    app = InProcessApp(slack_runtime, fake, redis_url, durable=True)
    yield app
    app.close()


@pytest.fixture()
def slack(bot):
    return bot.slack


def posts(fake, channel, thread_ts=None):
    return [c for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts]


def is_in(channel, thread_ts=None):
    return lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts


# -- at least once, answered once --------------------------------------------------------------


def test_an_event_is_queued_before_it_is_acknowledged_and_answered_by_the_inbox_workers(slack, fake, bot):
    resp, _, root = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    assert resp.status == 200
    [quote] = fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    assert "5,860円" in quote.params["text"]
    meta = quote.params["metadata"]
    assert meta["event_type"] == posted.EVENT_TYPE and meta["event_payload"]["reply_id"]
    assert bot.ctx.inbox.depth() == 0  # done and forgotten
    assert bot.ctx.store.outbox_size(conversation_key(HOME, CHANNEL, root)) == 0


def test_a_redelivered_event_and_the_mention_twin_of_a_message_are_answered_once(slack, fake, bot):
    _, event_id, root = slack.message(CHANNEL, PROSPECT, f"<@{fake.bot_user_id}> 売上5億の製造業です")
    fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    assert slack.redeliver(event_id, retry_num=1).status == 200  # Slack's retry is processed, not dropped
    slack.message(CHANNEL, PROSPECT, f"<@{fake.bot_user_id}> 売上5億の製造業です", ts=root, event_type="app_mention")
    fake.assert_no_call("chat.postMessage", is_in(CHANNEL, root), count=1)
    conv = bot.ctx.store.load(conversation_key(HOME, CHANNEL, root))
    assert conv.turns == 1


def test_a_second_processing_of_the_same_inbound_changes_nothing_and_says_nothing(engine, store):
    first = engine.handle("T:D1:dm", Inbound(text="売上5億の製造業です", id="D1:1.0"), outbox=True)
    before = store.redis.get(state_key("T:D1:dm"))
    again = engine.handle("T:D1:dm", Inbound(text="売上5億の製造業です", id="D1:1.0"), outbox=True)
    assert first and again == []
    assert store.redis.get(state_key("T:D1:dm")) == before
    assert store.redis.llen(transcript_key("T:D1:dm")) == 2
    assert store.outbox_size("T:D1:dm") == 1  # the first turn's reply, not a second one


def test_a_reply_posted_just_before_a_crash_is_recognised_and_not_posted_again(slack, fake, bot):
    """The worker posted the reply, then died before dropping it from the outbox: the next
    drain finds the tried entry, sees its id in the thread, and does not post it twice."""
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    [ask] = fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    key = conversation_key(HOME, CHANNEL, root)
    reply_id = ask.params["metadata"]["event_payload"]["reply_id"]
    record = bot.ctx.engine.handle(key, Inbound(text="x", id="probe"))[0].to_record()  # any reply's shape
    bot.ctx.store.redis.rpush(outbox_key(key), OutboxItem(reply_id, record, attempted=True).to_json())
    assert outbox.drain(bot.ctx, key) == 0
    assert len(posts(fake, CHANNEL, root)) == 1
    assert bot.ctx.store.outbox_size(key) == 0


def test_a_reply_tried_but_never_posted_is_posted_once(slack, fake, bot):
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    key = conversation_key(HOME, CHANNEL, root)
    record = bot.ctx.engine.handle(key, Inbound(text="製造業です", id="lost-turn"))[0].to_record()
    bot.ctx.store.redis.rpush(outbox_key(key), OutboxItem("lost-turn#0", record, attempted=True).to_json())
    outbox.drain(bot.ctx, key)
    outbox.drain(bot.ctx, key)
    later = posts(fake, CHANNEL, root)[1:]
    assert [c.params["metadata"]["event_payload"]["reply_id"] for c in later] == ["lost-turn#0"]
    assert "業種" in later[0].params["text"] or "製造業" in later[0].params["text"]


# -- Redis trouble at intake -------------------------------------------------------------------


def test_when_redis_cannot_take_the_event_the_prospect_is_told_once_and_slack_asked_to_redeliver(slack, fake, bot):
    from bot.redis_client import open_client

    real = bot.ctx.inbox
    bot.ctx.inbox = Inbox(open_client("redis://127.0.0.1:9/0"), shards=2)  # nothing listens there
    try:
        started = time.monotonic()
        resp, event_id, ts = slack.message("DPROS1", PROSPECT, "売上5億の製造業です", channel_type="im")
        assert resp.status == 503
        assert time.monotonic() - started < 3.0
        [notice] = fake.wait_for("chat.postMessage", is_in("DPROS1"))
        assert "少し時間をおいて" in notice.params["text"]
        assert slack.redeliver(event_id, retry_num=1).status == 503  # still down: no second notice
        fake.assert_no_call("chat.postMessage", is_in("DPROS1"), count=1)
    finally:
        bot.ctx.inbox = real
    assert slack.redeliver(event_id, retry_num=2).status == 200  # Redis is back: answered now
    answer = fake.wait_for("chat.postMessage", is_in("DPROS1"), count=2)[-1]
    assert "5,860円" in answer.params["text"]
    fake.assert_no_call("chat.postMessage", is_in("DPROS1"), count=2)


def test_an_english_prospect_is_told_in_english(slack, fake, bot):
    from bot.redis_client import open_client

    real = bot.ctx.inbox
    bot.ctx.inbox = Inbox(open_client("redis://127.0.0.1:9/0"), shards=2)
    try:
        slack.message("DPROS2", PROSPECT, "How much is it for a retailer with 300 million yen in sales?", channel_type="im")
    finally:
        bot.ctx.inbox = real
    [notice] = fake.wait_for("chat.postMessage", is_in("DPROS2"))
    assert "Sorry" in notice.params["text"] and "申し訳" not in notice.params["text"]


def test_chatter_gets_no_outage_notice_while_redis_cannot_take_it(slack, fake, bot):
    """Even with Redis away, the bot only speaks where it would have answered: chatter in a
    shared channel and staff's posts are acknowledged with a 503 (Slack redelivers them later)
    but nobody is told anything; a prospect's request in the same channel is."""
    from bot.redis_client import open_client

    fake.add_user("USTAFF9", name="yamada", real_name="山田 一")
    real = bot.ctx.inbox
    bot.ctx.inbox = Inbox(open_client("redis://127.0.0.1:9/0"), shards=2)
    try:
        assert slack.message(CHANNEL, PROSPECT, "今日の会議、10分遅れて参加します").response.status == 503
        assert slack.message(CHANNEL, "USTAFF9", "皆さま、議事録を共有いたします。").response.status == 503
        in_channel = lambda c: c.params.get("channel") == CHANNEL  # noqa: E731
        fake.assert_no_call("chat.postMessage", in_channel, within=0.3)
        assert slack.message(CHANNEL, PROSPECT, "サイバー保険の見積りをお願いします").response.status == 503
        [notice] = fake.wait_for("chat.postMessage", in_channel)
        assert "少し時間をおいて" in notice.params["text"]
    finally:
        bot.ctx.inbox = real


# -- state lost, thread remembered -------------------------------------------------------------


def test_a_reply_in_the_bots_own_thread_is_answered_after_the_conversation_is_gone(slack, fake, bot):
    _, _, root = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    key = conversation_key(HOME, CHANNEL, root)
    bot.ctx.store.redis.delete(state_key(key), transcript_key(key), outbox_key(key))  # TTL, eviction, failover
    bot.ctx.threads = type(bot.ctx.threads)()  # a fresh process: nothing cached
    slack.message(CHANNEL, PROSPECT, "売上5億の製造業です", thread_ts=root)
    notice, quote = fake.wait_for("chat.postMessage", is_in(CHANNEL, root), count=3)[1:]
    assert "確認できなくなりました" in notice.params["text"]
    assert "5,860円" in quote.params["text"]  # started again from what this message says


def test_people_talking_in_someone_elses_thread_are_left_alone(slack, fake, bot):
    root = "1700000999.000100"  # a thread the bot never posted in
    slack.message(CHANNEL, COLLEAGUE, "売上5億の製造業です", thread_ts=root)
    fake.assert_no_call("chat.postMessage", is_in(CHANNEL, root))
    assert bot.ctx.store.load(conversation_key(HOME, CHANNEL, root)) is None


# -- forged and odd input ----------------------------------------------------------------------


def test_a_click_on_a_message_of_no_conversation_changes_nothing(slack, fake, bot):
    root = "1700000888.000100"
    forged = {"channel": CHANNEL, "ts": "1700000888.000200", "thread_ts": root, "text": "x",
              "blocks": [{"type": "actions", "block_id": "b", "elements": [
                  {"type": "button", "action_id": "bot.sales", "value": "500000000", "text": {"type": "plain_text", "text": "3億〜5億円"}}]}]}
    assert click(slack, PROSPECT, forged, "3億〜5億円").status == 200
    assert bot.ctx.store.load(conversation_key(HOME, CHANNEL, root)) is None
    fake.assert_no_call("chat.postMessage")
    fake.assert_no_call("chat.update")
    [told] = fake.calls_to("chat.postEphemeral")
    assert told.params["user"] == PROSPECT


def test_a_lone_surrogate_in_the_text_is_replaced_not_a_crash(slack, fake, bot):
    _, _, root = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です\ud800")
    [quote] = fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    assert "5,860円" in quote.params["text"]
    lines = bot.ctx.store.transcript(conversation_key(HOME, CHANNEL, root))
    assert lines[0]["text"].endswith("\ufffd")


# -- floods and the channel pace ---------------------------------------------------------------


def _not_near_a_minute_boundary() -> None:
    """The limit counts per clock minute; start a burst well inside one."""
    if time.time() % 60 > 45:
        time.sleep(60 - time.time() % 60 + 0.1)


def test_a_flood_from_one_person_is_told_once_then_ignored(slack, fake, bot):
    _not_near_a_minute_boundary()
    for n in range(25):
        slack.message("DFLOOD", PROSPECT, f"質問{n}です。補償内容を教えてください", channel_type="im")
    dm = posts(fake, "DFLOOD")
    notices = [c for c in dm if "1分ほどおいて" in c.params["text"]]
    assert len(notices) == 1
    assert len(dm) == 20 + 1  # twenty answers, one notice, then silence
    fake.assert_no_call("chat.postMessage", is_in("DFLOOD"), count=21)


def test_someone_else_is_not_limited_by_a_flooder(slack, fake, bot):
    _not_near_a_minute_boundary()
    for n in range(22):
        slack.message("DFLOOD", PROSPECT, f"質問{n}です", channel_type="im")
    slack.message("DCALM", COLLEAGUE, "売上5億の製造業です", channel_type="im")
    [quote] = fake.wait_for("chat.postMessage", is_in("DCALM"))
    assert "5,860円" in quote.params["text"]


def test_posts_to_one_channel_are_paced_without_holding_up_another(slack_runtime, fake, redis_url):
    bot = InProcessApp(slack_runtime, fake, redis_url, durable=True, post_interval_seconds=1.0, settle=False)
    try:
        first_roots = [bot.slack.message(CHANNEL, f"UPA{n}", "売上5億の製造業です").ts for n in range(DEFAULT_BURST + 2)]
        other_root = bot.slack.message(OTHER_CHANNEL, "UPB0", "売上5億の製造業です").ts
        busy = [fake.wait_for("chat.postMessage", is_in(CHANNEL, r), timeout=10)[0] for r in first_roots]
        [other] = fake.wait_for("chat.postMessage", is_in(OTHER_CHANNEL, other_root))
    finally:
        bot.close()
    times = sorted(c.ts for c in busy)
    # A short burst, then about one a second in one channel (Slack's allowance)
    paced = times[DEFAULT_BURST - 1:]
    assert all(b - a >= 0.9 for a, b in zip(paced, paced[1:]))
    assert other.ts - times[0] < 0.9  # the other channel did not wait its turn behind them


def test_a_retry_after_from_slack_holds_the_channel_for_everyone(slack_runtime, fake, redis_url):
    bot = InProcessApp(slack_runtime, fake, redis_url, durable=True, post_interval_seconds=0.05, settle=False)
    fake.fail_next("chat.postMessage", status=429, retry_after=2, when=lambda p: p.get("channel") == CHANNEL)
    try:
        first = bot.slack.message(CHANNEL, "UPA1", "売上5億の製造業です").ts
        time.sleep(0.5)  # the first post has met the 429 by now
        second = bot.slack.message(CHANNEL, "UPA2", "売上5億の製造業です").ts
        other = bot.slack.message(OTHER_CHANNEL, "UPB1", "売上5億の製造業です").ts
        [limited] = [c for c in fake.wait_for("chat.postMessage", is_in(CHANNEL, first), count=2, timeout=10)
                     if c.response.get("ok") is False]
        [later] = fake.wait_for("chat.postMessage", is_in(CHANNEL, second), timeout=10)
        [elsewhere] = fake.wait_for("chat.postMessage", is_in(OTHER_CHANNEL, other))
    finally:
        bot.close()
    assert later.ts - limited.ts >= 1.9  # nobody posted into the channel Slack told to wait
    assert elsewhere.ts - limited.ts < 1.5  # other channels went on


def test_an_agents_reply_is_relayed_once_however_often_it_is_processed(slack, fake, bot):
    from tests.slack_app import card_for

    _, _, root = slack.message(CHANNEL, PROSPECT, "担当者と話したい")
    fake.wait_for("chat.postMessage", is_in(CHANNEL, root))
    [card] = card_for(fake)
    click(slack, "UAGENT1", dict(card, channel=AGENT_CHANNEL), "担当する")
    fake.wait_for("chat.postMessage", is_in(CHANNEL, root), count=2)  # 「担当者の…が対応いたします」
    relayed = lambda c: is_in(CHANNEL, root)(c) and c.params.get("username")  # noqa: E731
    _, event_id, _ = slack.message(AGENT_CHANNEL, "UAGENT1", "佐藤です。ご連絡ありがとうございます。", thread_ts=card["ts"])
    fake.wait_for("chat.postMessage", relayed)
    slack.redeliver(event_id, retry_num=1)
    fake.assert_no_call("chat.postMessage", relayed, count=1)
    # A worker marked the next one taken, then died before relaying it: processed again, it goes out.
    ts = "1700009999.000100"
    bot.ctx.store.first_time(f"msg:{AGENT_CHANNEL}:{ts}", 3600)
    slack.message(AGENT_CHANNEL, "UAGENT1", "お見積りをお送りします。", ts=ts, thread_ts=card["ts"])
    [_, second] = fake.wait_for("chat.postMessage", relayed, count=2)
    assert second.params["text"] == "お見積りをお送りします。"
    fake.assert_no_call("chat.postMessage", relayed, count=2)
