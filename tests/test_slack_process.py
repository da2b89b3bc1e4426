"""What only a served process shows: `python -m bot serve` (gunicorn) against the simulated Slack
and the tests' Redis. Signatures checked over HTTP, /healthz, start-up errors, and two
processes on one Redis racing on one claim or one redelivered event. Everything else about
the Slack app is tested in-process (test_slack_app.py, test_slack_handoff.py)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import redis

from tests.conftest import ROOT
from tests.redis_server import free_port
from tests.slack_app import AGENT_CHANNEL, AppProcess, app_env, card_for, click, eventually, handoff_of, posts
from tests.slack_sim import FakeSlackAPI

CHANNEL = "CPROSPECTS"
PROSPECT = "UPROS1"
AGENT1, AGENT2 = "UAGENT1", "UAGENT2"


@pytest.fixture(scope="module")
def fake():
    with FakeSlackAPI(
        users={
            PROSPECT: {"name": "hanako", "team_id": "T_CUST"},
            AGENT1: {"name": "sato", "real_name": "佐藤 一郎", "profile": {"display_name": "佐藤"}},
            AGENT2: {"name": "suzuki", "real_name": "鈴木 花子", "profile": {"display_name": "鈴木"}},
        },
        channel_members={AGENT_CHANNEL: [AGENT1, AGENT2, "U_BOT"]},
    ) as api:
        yield api


@pytest.fixture(scope="module")
def app_a(fake, redis_server):
    process = AppProcess(fake, redis_server.url)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def app_b(fake, redis_server, app_a):
    """A second process on the same Redis (started only for the tests that need two)."""
    process = AppProcess(fake, redis_server.url)
    yield process
    process.stop()


@pytest.fixture()
def slack(app_a, fake, redis_server):
    redis.Redis.from_url(redis_server.url).flushdb()
    fake.reset()
    return app_a.driver(fake)


@pytest.fixture()
def slack_b(app_b, slack):
    """The other process, sharing what `slack` sent (so it can redeliver there)."""
    return slack.pointed_at(app_b.events_url)


def serve(env):
    return subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


# -- over HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize("breakage", [{"bad_signature": True}, {"timestamp_offset": -600}, {"unsigned": True}])
def test_bad_or_stale_signatures_are_rejected(slack, fake, breakage):
    bad = slack.with_signing(**breakage)
    resp, _, _ = bad.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    assert resp.status == 401
    assert bad.slash_command("/cyber-quote", "", PROSPECT, "DPROS1").status == 401
    _, _, barrier = slack.message(CHANNEL, PROSPECT, "見積もりお願いします")
    posts(fake, CHANNEL, barrier)
    fake.assert_no_call("chat.postMessage", count=1)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_health_check(slack):
    assert slack.get("/healthz").status == 200


# -- two processes, one Redis ------------------------------------------------------------------


def test_claim_race_between_two_processes_has_exactly_one_winner(slack, slack_b, fake, redis_server):
    for round_ in range(5):
        fake.reset()
        _, _, root = slack.message(CHANNEL, PROSPECT, f"担当者と話したい ({round_})")
        [card] = card_for(fake)
        barrier = threading.Barrier(2)
        statuses = []

        def go(driver, agent):
            barrier.wait()
            statuses.append(click(driver, agent, card, "担当する").status)

        threads = [threading.Thread(target=go, args=(slack, AGENT1)), threading.Thread(target=go, args=(slack_b, AGENT2))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200, 200]
        h = eventually(lambda: (h := handoff_of(redis_server, CHANNEL, root)) and h.status == "claimed" and h)
        loser = AGENT2 if h.agent_id == AGENT1 else AGENT1
        [refusal] = fake.wait_for("chat.postEphemeral")
        assert refusal.params["user"] == loser and h.agent_name in refusal.params["text"]
        [joined] = [m for m in posts(fake, CHANNEL, root, count=2) if "対応いたします" in m["text"]]
        assert h.agent_name in joined["text"]
        # nothing more arrives: one announcement to the prospect, one refusal
        fake.assert_no_call("chat.postEphemeral", count=1, within=0.3)
        fake.assert_no_call("chat.postMessage", lambda c: "対応いたします" in c.params.get("text", ""), count=1, within=0)
        assert len(fake.calls_to("chat.postEphemeral")) == 1
        assert len([m for m in fake.messages(channel=CHANNEL, thread_ts=root) if "対応いたします" in m["text"]]) == 1


def test_a_redelivery_that_reaches_the_other_process_is_processed_once(slack, slack_b, fake):
    _, event_id, ts = slack.message(CHANNEL, PROSPECT, "売上5億の製造業です")
    assert slack_b.redeliver(event_id, retry_num=1).status == 200
    posts(fake, CHANNEL, ts)
    _, _, barrier = slack_b.message(CHANNEL, PROSPECT, "見積もりお願いします")
    posts(fake, CHANNEL, barrier)
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("thread_ts") == ts, count=1)
    assert len(fake.messages(channel=CHANNEL, thread_ts=ts)) == 1


# -- start-up errors ---------------------------------------------------------------------------


def test_missing_or_malformed_settings_stop_start_up(fake, redis_server):
    """Every bad variable is named at once, before anything starts (each one alone is
    refused: test_slack_app.py::test_each_missing_or_malformed_setting_is_named)."""
    env = app_env(fake, redis_server.url, 1)
    env.update({"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "AGENT_CHANNEL_ID": "#agents", "PORT": "http",
                "SLACK_API_URL": "not a url"})
    env.pop("REDIS_URL")
    done = serve(env)
    assert done.returncode == 2
    for named in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "AGENT_CHANNEL_ID", "PORT", "SLACK_API_URL", "REDIS_URL"):
        assert named in done.stderr, named


def test_unreachable_redis_stops_start_up(fake):
    done = serve(app_env(fake, f"redis://127.0.0.1:{free_port()}/0", 1))
    assert done.returncode == 2 and "Redis" in done.stderr


@pytest.mark.parametrize("fault, named", [
    ({"fail": ("auth.test", "invalid_auth")}, "SLACK_BOT_TOKEN"),
    ({"fail": ("conversations.info", "channel_not_found")}, "AGENT_CHANNEL_ID"),
    ({"not_member": True}, "AGENT_CHANNEL_ID"),
    ({"api_url": "http://127.0.0.1:9/api/"}, "SLACK_API_URL"),
])
def test_slack_problems_at_start_up_name_the_setting(fake, redis_server, fault, named):
    env = app_env(fake, redis_server.url, 1)
    if "fail" in fault:
        fake.fail_next(*fault["fail"])
    if "api_url" in fault:
        env["SLACK_API_URL"] = fault["api_url"]
    if fault.get("not_member"):
        fake.channels[AGENT_CHANNEL] = {"is_member": False}
    try:
        done = serve(env)
    finally:
        fake.channels.pop(AGENT_CHANNEL, None)
        fake.reset()
    assert done.returncode == 2, done.stderr[-500:]
    assert named in done.stderr and "Traceback" not in done.stderr


def test_socket_mode_names_the_app_token_slack_refuses(fake, redis_server):
    env = app_env(fake, redis_server.url, 1, SLACK_APP_TOKEN="xapp-1-A0APP-1-revoked")
    done = subprocess.run([sys.executable, "-m", "bot", "socket"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stderr[-500:]
    assert "SLACK_APP_TOKEN" in done.stderr and "invalid_auth" in done.stderr and "Traceback" not in done.stderr
    assert "xapp-1-A0APP-1-revoked" not in done.stderr  # the token itself is never printed
    assert fake.calls_to("apps.connections.open")
