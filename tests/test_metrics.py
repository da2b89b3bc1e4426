"""/metrics: what is counted (Redis round trips and errors, Web API calls, refused events,
handoff transitions, the inbox's depth), the page it is served as, METRICS=0, and a served
`python -m bot serve` with two workers whose counts add up."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from tests.conftest import ROOT, cli_env
from tests.redis_server import free_port
from tests.slack_app import AppProcess, card_for
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.inproc import AGENT_CHANNEL, AGENT_MEMBERS, SIGNING_SECRET, InProcessApp


def families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(sample: str, text: str | None = None, **labels: str) -> float:
    """A sample's value summed over the label sets that match `labels` (0 when none)."""
    text = metrics.exposition()[0].decode() if text is None else text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))


# -- Redis: round trips and errors, in a process of their own (nothing else counts there) ------

ROUND_TRIPS = r"""
import json, socket, sys
import redis
from prometheus_client.parser import text_string_to_metric_families
from bot import metrics
from bot.redis_client import open_client

def value(sample, **labels):
    text = metrics.exposition()[0].decode()
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))

def delta(name, fn, warm=False, **labels):
    if warm:  # once first: a node's first command opens its connection (a handshake of its own)
        fn()
    before = value(name, **labels)
    try:
        fn()
    except redis.RedisError as exc:
        out.setdefault("raised", []).append(type(exc).__name__)
    return value(name, **labels) - before

url, dead_port = sys.argv[1], int(sys.argv[2])
out = {}
c = open_client(url)
c.ping()  # connected, handshake done: those are round trips of their own
trips = "bot_redis_round_trips_total"
out["get"] = delta(trips, lambda: c.get("{t}k"), warm=True)

def pipeline(transaction):
    p = c.pipeline(transaction=transaction)
    p.set("{t}k", "v"); p.incr("{t}n"); p.get("{t}k")
    p.execute()

out["pipeline"] = delta(trips, lambda: pipeline(True), warm=True)
out["plain_pipeline"] = delta(trips, lambda: pipeline(False), warm=True)
reader = open_client(url, command_timeout=2.0)
reader.xgroup_create("{t}s", "g", id="0", mkstream=True)
out["blocking_read"] = delta(trips, lambda: reader.xreadgroup("g", "c", {"{t}s": ">"}, count=1, block=200), warm=True)
errors = "bot_redis_errors_total"
out["reply_error"] = delta(errors, lambda: c.incr("{t}k"))  # "v" is not an integer
dead = open_client(f"redis://127.0.0.1:{dead_port}/0", retries=0)
out["refused"] = delta(errors, dead.ping, kind="ConnectionError")
mute = socket.socket(); mute.bind(("127.0.0.1", 0)); mute.listen(8)  # accepts, never answers
stalled = open_client(f"redis://127.0.0.1:{mute.getsockname()[1]}/0", retries=0)
out["stalled"] = delta(errors, stalled.ping, kind="TimeoutError")
print(json.dumps(out))
"""


def run_round_trips(url: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", ROUND_TRIPS, url, str(free_port())], cwd=ROOT, env=cli_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_command_a_pipeline_and_a_blocking_read_each_count_one_round_trip(redis_url):
    got = run_round_trips(redis_url)
    assert got["get"] == 1
    assert got["pipeline"] == 1 and got["plain_pipeline"] == 1  # three commands, one round trip
    assert got["blocking_read"] == 1


def test_failed_exchanges_count_as_errors_by_class_and_error_replies_do_not(redis_url):
    got = run_round_trips(redis_url)
    assert got["raised"] == ["ResponseError", "ConnectionError", "TimeoutError"]
    assert got["reply_error"] == 0  # Redis said no: an answer, not a failure to reach it
    assert got["refused"] == 1 and got["stalled"] == 1


def test_a_cluster_client_counts_its_round_trips_too(cluster):
    cluster.flush()
    got = run_round_trips(f"redis+cluster://127.0.0.1:{cluster.ports[0]}")
    assert got["get"] == 1 and got["pipeline"] == 1 and got["plain_pipeline"] == 1
    # (A blocking XREADGROUP is one send too, but redis-py's cluster client first asks a node
    # for its keys, COMMAND GETKEYS, twice: the counter shows those as well.)
    assert got["blocking_read"] >= 1


def test_tls_and_unix_socket_urls_keep_their_kind_of_connection():
    from redis.connection import SSLConnection, UnixDomainSocketConnection

    from bot.redis_client import CountedConnection, CountedSSLConnection, CountedUnixConnection, _tcp_url, open_client

    def kind(url: str) -> type:
        return open_client(url).connection_pool.connection_class

    assert kind("redis://127.0.0.1:6379/0") is CountedConnection
    assert kind("rediss://127.0.0.1:6380/0") is CountedSSLConnection and issubclass(CountedSSLConnection, SSLConnection)
    assert kind("unix:///tmp/redis.sock") is CountedUnixConnection
    assert issubclass(CountedUnixConnection, UnixDomainSocketConnection)
    assert _tcp_url("rediss://h:6380") == "redis://h:6380"  # a TLS cluster's nodes: TLS by the class


# -- the Slack Web API ----------------------------------------------------------------------------


def hand_built_settings(fake_url: str, redis_url: str = "redis://127.0.0.1:1/0", **kw):
    from bot.slack.settings import SlackSettings

    return SlackSettings("xoxb-test-token", SIGNING_SECRET, "", fake_url, redis_url, AGENT_CHANNEL, 3000, 10.0, **kw)


class HeldPacer:
    """A pacer that only notes what Slack's 429 held (so the client does not wait it out)."""

    def __init__(self) -> None:
        self.held: list[tuple[str, float]] = []

    def hold(self, channel: str, seconds: float) -> None:
        self.held.append((channel, seconds))


def test_web_api_calls_are_timed_and_failures_counted_by_method_and_slacks_error():
    from slack_sdk.errors import SlackApiError

    from bot.slack.web import pace_rate_limits, web_client

    with FakeSlackAPI() as fake:
        client = web_client(hand_built_settings(fake.url))
        timed, failed = "bot_slack_api_seconds_count", "bot_slack_api_errors_total"
        calls, refused = value(timed, method="auth.test"), value(failed, method="auth.test", error="invalid_auth")
        failures = value(failed, method="auth.test")
        client.auth_test()
        assert value(timed, method="auth.test") == calls + 1
        assert value(failed, method="auth.test") == failures  # none for a success
        fake.fail_next("auth.test", "invalid_auth")
        with pytest.raises(SlackApiError):
            client.auth_test()
        assert value(timed, method="auth.test") == calls + 2  # a failure is timed too
        assert value(failed, method="auth.test", error="invalid_auth") == refused + 1

        pacer = HeldPacer()
        pace_rate_limits(client, pacer)  # the retry handlers stay: the 429 holds the channel
        limited = value(failed, method="chat.postMessage", error="ratelimited")
        fake.fail_next("chat.postMessage", status=429, retry_after=7)
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="hello")
        assert pacer.held == [("C1", 7.0)]
        assert value(failed, method="chat.postMessage", error="ratelimited") == limited + 1


def test_a_web_api_call_that_gets_no_answer_is_counted_by_its_exception():
    from bot.slack.web import web_client

    client = web_client(hand_built_settings(f"http://127.0.0.1:{free_port()}/api/"))
    before = value("bot_slack_api_errors_total", method="api.test", error="URLError")
    with pytest.raises(Exception):
        client.api_test()
    assert value("bot_slack_api_errors_total", method="api.test", error="URLError") == before + 1


# -- events refused before Bolt -------------------------------------------------------------------


def _request(body: bytes = b"{}", method: str = "POST", path: str = "/slack/events", **headers: str) -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), **headers}


def _call(app, environ) -> tuple[str, dict[str, str], bytes]:
    got: list = []
    body = b"".join(app(environ, lambda status, headers: got.append((status, dict(headers)))))
    return got[0][0], got[0][1], body


def test_an_unsigned_or_forged_request_counts_as_a_rejected_event_and_a_signed_one_does_not():
    import hashlib
    import hmac

    from bot.slack.signed import signed_only

    def inner(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    app = signed_only(inner, SIGNING_SECRET)
    before = value("bot_events_total", outcome="rejected")
    assert _call(app, _request(b'{"type": "event_callback", "event": {}}'))[0].startswith("401")
    assert _call(app, _request(HTTP_X_SLACK_REQUEST_TIMESTAMP=str(int(time.time())),
                               HTTP_X_SLACK_SIGNATURE="v0=forged"))[0].startswith("401")
    assert value("bot_events_total", outcome="rejected") == before + 2
    ts, body = str(int(time.time())), b'{"type": "url_verification"}'
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    assert _call(app, _request(body, HTTP_X_SLACK_REQUEST_TIMESTAMP=ts, HTTP_X_SLACK_SIGNATURE=f"v0={mac}"))[0] == "200 OK"
    assert value("bot_events_total", outcome="rejected") == before + 2


def test_an_outcome_that_is_not_one_of_the_four_is_a_mistake():
    with pytest.raises(ValueError):
        metrics.event("answered")


# -- handoffs, from the store's committed changes ---------------------------------------------------


def test_handoffs_entering_a_state_are_counted_once_per_transition():
    from bot.flows.model import Conversation, HandoffRecord

    observe = metrics.handoff_observer()

    def conv(status: str | None, hid: str = "h1") -> Conversation:
        h = None if status is None else HandoffRecord(id=hid, reason="requested", status=status, created_at=1.0,
                                                      updated_at=1.0)
        return Conversation(key="T:C:1", created_at=1.0, handoff=h)

    def counts() -> dict[str, float]:
        return {s: value("bot_handoff_transitions_total", state=s) for s in metrics.HANDOFF_STATES}

    before = counts()
    observe(None, conv(None))                      # a conversation without a handoff
    observe(conv(None), conv("waiting"))           # opened
    observe(conv("waiting"), conv("waiting"))      # changed otherwise (a reminder): no transition
    observe(conv("waiting"), conv("claimed"))
    observe(conv("claimed"), conv("closed"))
    observe(conv("closed"), conv("waiting", "h2"))  # a new handoff on the same conversation
    observe(conv("waiting", "h2"), conv("cancelled", "h2"))
    after = counts()
    assert {s: after[s] - before[s] for s in after} == {"waiting": 2, "claimed": 1, "closed": 1, "cancelled": 1}


def test_the_served_app_counts_a_handoff_it_opens(slack_runtime, redis_url):
    with FakeSlackAPI(users={"UPROS1": {"name": "hanako", "team_id": "T_CUST"}},
                      channel_members={AGENT_CHANNEL: AGENT_MEMBERS}) as fake:
        bot = InProcessApp(slack_runtime, fake, redis_url)
        try:
            before = value("bot_handoff_transitions_total", state="waiting")
            bot.slack.message("DPROS1", "UPROS1", "担当者と話したいです", channel_type="im")
            card_for(fake)
            assert value("bot_handoff_transitions_total", state="waiting") == before + 1
        finally:
            bot.close()


# -- the page ----------------------------------------------------------------------------------------


def routes(redis_url: str, **settings):
    from bot.slack.server import HealthCheck, routes as server_routes

    def bolt(environ, start_response):  # stands in for the signature guard and Bolt
        start_response("401 Unauthorized", [("Content-Length", "0")])
        return [b""]

    s = hand_built_settings("http://127.0.0.1:1/api/", redis_url, inbox_shards=4, **settings)
    return server_routes(s, bolt, HealthCheck(redis_url))


def test_metrics_page_is_prometheus_text_with_every_metric_and_the_inbox_depth(redis_url, caplog):
    from bot.inbox import Inbox
    from bot.store import connect

    inbox = Inbox(connect(redis_url).redis, shards=4)
    for n in range(3):
        inbox.put(f"C{n}:1.0", "event", {"event": {"text": "売上5億"}})
    app = routes(redis_url)
    metrics.event("rejected")  # every labelled metric has a sample
    metrics.slack_call("chat.postMessage", 0.01, "ratelimited")
    metrics.turn_seconds(0.05)
    caplog.set_level(logging.DEBUG)
    status, headers, body = _call(app, _request(b"", "GET", "/metrics", QUERY_STRING="name[]=secret",
                                                HTTP_AUTHORIZATION="Bearer secret-token"))
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert int(headers["Content-Length"]) == len(body)
    found = families(body.decode())
    assert {"bot_redis_round_trips", "bot_redis_errors", "bot_slack_api_seconds", "bot_slack_api_errors",
            "bot_events", "bot_turn_seconds", "bot_handoff_transitions", "bot_inbox_depth"} <= set(found)
    types = {name: found[name].type for name in found}
    assert types["bot_redis_round_trips"] == "counter" and types["bot_events"] == "counter"
    assert types["bot_slack_api_seconds"] == "histogram" and types["bot_turn_seconds"] == "histogram"
    assert types["bot_inbox_depth"] == "gauge"
    assert {s.labels["outcome"] for s in found["bot_events"].samples if s.name == "bot_events_total"} == \
        set(metrics.EVENT_OUTCOMES)
    assert value("bot_inbox_depth", body.decode()) == 3
    assert value("bot_redis_round_trips_total", body.decode()) > 0
    assert not [r for r in caplog.records if r.name.startswith("bot")]  # nothing logged about the request


def test_a_redis_failure_at_scrape_time_leaves_out_the_depth_and_counts_an_error():
    app = routes(f"redis://127.0.0.1:{free_port()}/0")
    before = value("bot_redis_errors_total")
    status, _, body = _call(app, _request(b"", "GET", "/metrics"))
    assert status == "200 OK"
    found = families(body.decode())
    assert "bot_inbox_depth" not in found and "bot_redis_round_trips" in found
    assert value("bot_redis_errors_total", body.decode()) >= before + 1  # (other threads may count theirs)


def test_metrics_answer_get_only_and_metrics_0_turns_them_off(redis_url):
    rejected = value("bot_events_total", outcome="rejected")
    on = routes(redis_url)
    status, headers, _ = _call(on, _request(b"", "POST", "/metrics"))
    assert status.startswith("405") and headers["Allow"] == "GET"
    off = routes(redis_url, metrics=False)
    assert _call(off, _request(b"", "GET", "/metrics"))[0].startswith("404")
    assert _call(off, _request(b"", "GET", "/healthz"))[0] == "200 OK"
    assert value("bot_events_total", outcome="rejected") == rejected  # neither went to the signature guard


def test_metrics_setting_defaults_to_on_and_a_bad_value_stops_start_up_naming_it():
    from bot.slack.settings import SettingsError, load_settings

    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "REDIS_URL": "redis://h:6379/0",
           "AGENT_CHANNEL_ID": AGENT_CHANNEL}
    assert load_settings("http", env).metrics is True
    assert load_settings("http", {**env, "METRICS": "0"}).metrics is False
    assert load_settings("http", {**env, "METRICS": "1"}).metrics is True
    assert hand_built_settings("http://x/api/").metrics is True  # settings built by hand need not name it
    with pytest.raises(SettingsError, match="METRICS must be 1"):
        load_settings("http", {**env, "METRICS": "off"})


def test_the_multiprocess_directory_is_fresh_or_cleared_of_an_earlier_runs_files(tmp_path):
    env: dict[str, str] = {}
    created = metrics.prepare_multiprocess_dir(env)
    assert created and env[metrics.MULTIPROC_ENV] == created and os.listdir(created) == []
    metrics.remove_multiprocess_dir(created)
    assert not os.path.exists(created)
    mine = tmp_path / "prom"
    mine.mkdir()
    (mine / "counter_12345.db").write_bytes(b"stale")
    (mine / "README").write_text("the operator's")
    env = {metrics.MULTIPROC_ENV: str(mine)}
    assert metrics.prepare_multiprocess_dir(env) is None  # the operator's: kept at exit
    assert sorted(os.listdir(mine)) == ["README"]


# -- served: two workers, one page ---------------------------------------------------------------------


def scrape(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as r:
        assert r.status == 200
        return r.read().decode()


def test_served_metrics_add_up_over_both_workers_and_each_worker_says_when_it_was_ready(redis_server):
    with FakeSlackAPI(channel_members={AGENT_CHANNEL: ["U_BOT"]}) as fake:
        process = AppProcess(fake, redis_server.url, WEB_CONCURRENCY="2")
        try:
            deadline = time.monotonic() + 60
            while len(ready := [line for line in process.output().splitlines() if '"worker ready"' in line]) < 2:
                assert time.monotonic() < deadline, process.output()
                time.sleep(0.05)
            lines = [json.loads(line) for line in ready]
            assert len({r["pid"] for r in lines}) == 2 and all(r["duration_ms"] > 0 for r in lines)
            # The master checked the token once before forking, and each worker's app asked once:
            # whichever worker answers, the page counts all three.
            assert len(fake.calls_to("auth.test")) == 3
            for _ in range(4):
                assert value("bot_slack_api_seconds_count", scrape(process.url), method="auth.test") == 3
            for _ in range(6):  # refused by whichever worker takes each connection
                req = urllib.request.Request(f"{process.url}/slack/events", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(req, timeout=5)
                assert refused.value.code == 401
            pages = [scrape(process.url) for _ in range(4)]
            assert all(value("bot_events_total", page, outcome="rejected") == 6 for page in pages)
            assert all(value("bot_redis_round_trips_total", page) > 0 for page in pages)
            assert all("bot_inbox_depth" in families(page) for page in pages)
        finally:
            process.stop()
        assert "Traceback" not in process.output()


def test_events_are_counted_processed_duplicate_and_rate_limited_and_each_turn_is_timed(slack_runtime, redis_url):
    with FakeSlackAPI(users={"UPROS1": {"name": "hanako", "team_id": "T_CUST"}},
                      channel_members={AGENT_CHANNEL: AGENT_MEMBERS}) as fake:
        bot = InProcessApp(slack_runtime, fake, redis_url, durable=True, RATE_LIMIT_PER_MINUTE="2")
        try:
            before = {o: value("bot_events_total", outcome=o) for o in ("processed", "duplicate", "rate_limited")}
            turns = value("bot_turn_seconds_count")
            first = bot.slack.message("DPROS1", "UPROS1", "売上5億の製造業です", channel_type="im")
            bot.slack.message("DPROS1", "UPROS1", "売上5億の製造業です", channel_type="im", ts=first.ts)  # Slack again
            bot.slack.message("DPROS1", "UPROS1", "補償内容を教えてください", channel_type="im")
            bot.slack.message("DPROS1", "UPROS1", "ありがとうございます", channel_type="im")  # the third this minute
            bot.settle()
            after = {o: value("bot_events_total", outcome=o) for o in before}
            assert {o: after[o] - before[o] for o in before} == {"processed": 2, "duplicate": 1, "rate_limited": 1}
            assert value("bot_turn_seconds_count") == turns + 2
        finally:
            bot.close()
