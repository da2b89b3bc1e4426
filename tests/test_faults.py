"""Faults only a served process shows, seen from the outside (what a prospect, Slack or an
operator sees): a gunicorn worker SIGKILLed in a burst (one process, then two on one Redis),
Redis stalled (SIGSTOP) at intake and during a turn, the 3-master Redis Cluster, and requests
that are unsigned, huge, malformed or try to forge a log line.

Real processes throughout: `python -m bot serve` (tests/slack_app.py AppProcess) against the
simulated Web API and redis-servers these tests start (the stalled ones are this module's own,
never the session's)."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from bot.limits import DEFAULT_BURST
from tests.redis_server import RedisServer
from tests.slack_app import AGENT_CHANNEL, AppProcess, card_for, eventually, message_text, posts
from tests.slack_sim import FakeSlackAPI
from tests.slack_sim.fake_api import next_ts

QUOTE = "売上5億の製造業です"
QUOTE_ANSWER = "5,860円"
NOTICE = "申し訳ございません。ただいまシステムに不具合が生じており"
AGENT1, AGENT2 = "UAGENT1", "UAGENT2"
CLAIM_IDLE = {"INBOX_CLAIM_IDLE_SECONDS": "2"}


class FaultySlack(FakeSlackAPI):
    """The simulated Web API, plus two faults: every chat.postMessage answered after
    `post_delay` seconds (so a burst keeps replies in flight), and gates that hold a post to one
    channel until the test lets it go (so a test knows the worker is mid-post)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.post_delay = 0.0
        self.gates: dict[str, tuple[threading.Event, threading.Event]] = {}

    @contextmanager
    def gate(self, channel: str):
        """Hold the next post to `channel`; yields (reached, release) events."""
        reached, release = threading.Event(), threading.Event()
        self.gates[channel] = (reached, release)
        try:
            yield reached, release
        finally:
            release.set()
            self.gates.pop(channel, None)

    def _respond(self, call):
        if call.method == "chat.postMessage":
            gate = self.gates.get(call.params.get("channel", ""))
            if gate and not gate[1].is_set():
                gate[0].set()
                gate[1].wait(10)
            if self.post_delay:
                time.sleep(self.post_delay)
        return super()._respond(call)


@pytest.fixture(scope="module")
def fake():
    with FaultySlack(
        users={AGENT1: {"name": "sato", "real_name": "佐藤 一郎"}, AGENT2: {"name": "suzuki", "real_name": "鈴木 花子"}},
        channel_members={AGENT_CHANNEL: [AGENT1, AGENT2, "U_BOT"]},
    ) as api:
        api._server.handle_error = lambda *a: None  # a killed worker's broken pipes are expected
        yield api


@pytest.fixture(scope="module")
def burst_redis():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app1(fake, burst_redis):
    process = AppProcess(fake, burst_redis.url, WEB_CONCURRENCY="1", **CLAIM_IDLE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def app2(fake, burst_redis, app1):
    process = AppProcess(fake, burst_redis.url, WEB_CONCURRENCY="1", **CLAIM_IDLE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def stall_redis():
    """This module's own Redis, the one that is SIGSTOPped."""
    server = RedisServer()
    yield server
    os.kill(server.proc.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture(scope="module")
def stall_app(fake, stall_redis):
    process = AppProcess(fake, stall_redis.url, **CLAIM_IDLE)
    yield process
    process.stop()


# -- helpers -----------------------------------------------------------------------------------


def worker_pids(app: AppProcess) -> list[int]:
    """The gunicorn workers of a served process (children of its master)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        if int(fields[1]) == app.proc.pid and fields[0] not in "ZX":
            out.append(int(entry.name))
    return out


def kill_worker(app: AppProcess) -> int:
    [pid] = worker_pids(app)
    os.kill(pid, signal.SIGKILL)
    return pid


def healthy(app: AppProcess, fake) -> bool:
    try:
        return app.driver(fake).get("/healthz").status == 200
    except OSError:
        return False


def replies(fake, prefix: str) -> Counter:
    """How many posts each channel whose id starts with `prefix` received."""
    return Counter(c.params["channel"] for c in fake.calls_to("chat.postMessage")
                   if c.params.get("channel", "").startswith(prefix) and c.response.get("ok"))


def to(channel: str):
    return lambda c: c.params.get("channel") == channel


def deliver_like_slack(driver, channel: str, user: str, text: str) -> int:
    """One DM delivered as Slack does: the first try, then retries (X-Slack-Retry-Num) while
    the app answers anything but 200 or the connection breaks (its worker was killed).
    Returns how many tries it took."""
    event_id, ts = f"EvF{uuid.uuid4().hex[:12]}", next_ts()
    try:
        resp, _, _ = driver.message(channel, user, text, channel_type="im", ts=ts, event_id=event_id)
        if resp.status == 200:
            return 1
    except Exception:  # connection reset by the dying worker
        pass
    for retry in range(1, 20):
        time.sleep(0.3)
        try:
            if driver.redeliver(event_id, retry_num=retry).status == 200:
                return retry + 1
        except Exception:
            pass
    raise AssertionError(f"{channel}: never acknowledged")


def inbox_depth(client) -> int:
    return sum(client.xlen(f"inbox:{{{s}}}") for s in range(8))


def inbox_dump(client) -> str:
    out = []
    for s in range(8):
        key = f"inbox:{{{s}}}"
        for entry_id, fields in client.xrange(key):
            out.append(f"{key} {entry_id} {fields.get(b'r')}")
        try:
            out += [f"  pending {p}" for p in client.xpending_range(key, "bot", "-", "+", 100)]
            out += [f"  consumer {c}" for c in client.xinfo_consumers(key, "bot")]
        except redis.ResponseError:
            pass
    return "\n".join(out)


def pending(client) -> int:
    total = 0
    for s in range(8):
        try:
            total += client.xpending(f"inbox:{{{s}}}", "bot")["pending"]
        except redis.ResponseError:
            pass
    return total


# -- 1. a worker SIGKILLed in a burst ----------------------------------------------------------


def _burst_with_a_kill(fake, drivers, victim: AppProcess, store: redis.Redis, prefix: str, n: int = 30):
    """`n` prospects, each in their own DM, each send one full quote request (spread over
    `drivers`); once a few replies are out the victim's worker is SIGKILLed."""
    channels = [f"{prefix}{i:02d}" for i in range(n)]
    report = {}
    fake.post_delay = 0.15  # keeps replies in flight: 4 inbox threads, 0.15 s a post
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = []
            for i, ch in enumerate(channels):
                futures.append(pool.submit(deliver_like_slack, drivers[i % len(drivers)], ch, f"U{ch}", QUOTE))
                time.sleep(0.04)  # about a second of traffic: some of it arrives while the worker is down
                if i == 8:
                    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith(prefix),
                                  count=3, timeout=10)
                    report["pending_at_kill"] = pending(store)
                    report["killed"] = kill_worker(victim)
                    report["killed_at"] = time.monotonic()
            tries = [f.result() for f in futures]
        report["retried_deliveries"] = sum(t > 1 for t in tries)
        eventually(lambda: len(replies(fake, prefix)) == n, timeout=30, interval=0.1)
        report["all_answered_after_kill_s"] = round(time.monotonic() - report["killed_at"], 2)
        report["drain_locks_left"] = {k.decode(): store.ttl(k) for k in store.scan_iter("*drain*")}
        wall = time.time() - time.monotonic() + report["killed_at"]
        report["reply_s_after_kill"] = sorted(round(c.ts - wall, 1) for c in fake.calls_to("chat.postMessage")
                                              if c.params.get("channel", "").startswith(prefix) and c.ts > wall)
    finally:
        fake.post_delay = 0.0
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel", "").startswith(prefix),
                        count=n, within=2.5)  # longer than a claim idle: a late reclaim would show
    counts = replies(fake, prefix)
    assert set(counts) == set(channels)
    assert [ch for ch, k in counts.items() if k != 1] == [], counts
    for ch in channels:
        [reply] = fake.messages(channel=ch)
        assert QUOTE_ANSWER in reply["text"], reply["text"]
        assert reply["metadata"]["event_type"] == "cyber_quote_reply"
    return report


def test_a_worker_killed_in_a_burst_leaves_every_prospect_answered_exactly_once(app1, fake, burst_redis):
    fake.reset()
    client = redis.Redis(port=burst_redis.port)
    report = _burst_with_a_kill(fake, [app1.driver(fake)], app1, client, "DP")
    [new_worker] = eventually(lambda: [p for p in worker_pids(app1) if p != report["killed"]] or None)
    assert new_worker != report["killed"]
    assert healthy(app1, fake)
    print("one process:", report)


def test_a_worker_killed_with_a_second_process_on_the_same_redis_still_answers_once(app1, app2, fake, burst_redis):
    fake.reset()
    eventually(lambda: healthy(app1, fake), timeout=30)  # its replacement worker from the test above
    report = _burst_with_a_kill(fake, [app1.driver(fake), app2.driver(fake)], app1, redis.Redis(port=burst_redis.port), "DQ")
    assert healthy(app1, fake) or eventually(lambda: healthy(app1, fake), timeout=30)
    assert healthy(app2, fake)
    print("two processes:", report)


def test_after_a_worker_is_killed_mid_reply_those_prospects_next_messages_are_answered_promptly(fake):
    """What the prospects whose replies were being posted when the worker died see next: their
    following message answered within seconds (not after the dead worker's locks expire), and
    the operator sees no entry dead-lettered."""
    fake.reset()
    server = RedisServer()  # a fresh process and Redis: nothing left over from the tests above
    app = None
    try:
        app = AppProcess(fake, server.url, WEB_CONCURRENCY="1", **CLAIM_IDLE)
        _follow_ups(fake, app, redis.Redis(port=server.port))
    finally:
        if app is not None:
            app.stop()
        server.stop()


def _follow_ups(fake, app, client):
    report = _burst_with_a_kill(fake, [app.driver(fake)], app, client, "DR", n=12)
    eventually(lambda: healthy(app, fake), timeout=30)
    slack = app.driver(fake)
    channels = [f"DR{i:02d}" for i in range(12)]
    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda ch: deliver_like_slack(slack, ch, f"U{ch}", "補償内容を教えてください"), channels))
    late = []
    for ch in channels:
        try:
            posts(fake, ch, count=2, timeout=max(0.1, 6 - (time.monotonic() - started)))
        except AssertionError:
            late.append(ch)
    locks = {k.decode(): client.ttl(k) for k in client.scan_iter("conv:*:drain")}
    dead = sum(client.xlen(f"inbox:dead:{{{s}}}") for s in range(8))
    print("follow-ups:", report, "late:", late, "locks:", locks, "dead-lettered:", dead)
    assert late == [], f"not answered within 6 s: {late}; drain locks left by the dead worker: {locks}"
    assert dead == 0, f"{dead} inbox entries dead-lettered after the kill"


# -- 2. Redis stalled at intake ----------------------------------------------------------------


def test_redis_stalled_at_intake_notice_once_503_then_answered_once_on_redelivery(stall_app, stall_redis, fake):
    fake.reset()
    slack = stall_app.driver(fake)
    a, b = "DSTALLA", "DSTALLB"
    os.kill(stall_redis.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        resp, event_a, _ = slack.message(a, "USTALLA", QUOTE, channel_type="im")
        took = time.monotonic() - started
        assert resp.status == 503 and took < 3.0, (resp.status, took)
        [notice] = fake.wait_for("chat.postMessage", to(a), timeout=3)
        assert notice.params["text"].startswith(NOTICE)

        started = time.monotonic()
        health = slack.get("/healthz")
        health_took = time.monotonic() - started
        assert health.status == 503 and "redis" in health.body.lower(), health
        assert health_took < 0.5, health_took

        # a second prospect, whose Slack retry also comes while Redis is still stalled
        resp, event_b, _ = slack.message(b, "USTALLB", QUOTE, channel_type="im")
        assert resp.status == 503
        fake.wait_for("chat.postMessage", to(b), timeout=3)
        assert slack.redeliver(event_b, retry_num=1).status == 503
        fake.assert_no_call("chat.postMessage", to(b), count=1, within=0.2)  # told once, not per retry
    finally:
        os.kill(stall_redis.proc.pid, signal.SIGCONT)

    assert slack.redeliver(event_a, retry_num=1).status == 200
    assert slack.redeliver(event_b, retry_num=2).status == 200
    for ch in (a, b):
        notice, answer = posts(fake, ch, count=2, timeout=10)
        assert notice["text"].startswith(NOTICE)
        assert QUOTE_ANSWER in answer["text"] and answer["metadata"]["event_type"] == "cyber_quote_reply"
    # the XADDs that timed out while Redis was stopped may still land once it resumes: still once
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel") in (a, b), count=4, within=2.5)
    assert eventually(lambda: healthy(stall_app, fake), timeout=5)
    assert inbox_depth(redis.Redis(port=stall_redis.port)) == 0


# -- 3. Redis stalled during a turn ------------------------------------------------------------


def test_redis_stalled_while_the_reply_waits_for_its_slot_reply_comes_once_after_sigcont(stall_app, stall_redis, fake):
    """Deterministic: the prospect's last message is queued and turned while the DM's pace
    (a burst of DEFAULT_BURST, then 1/s) holds its reply back, so the reply waits; Redis is
    stopped right after Slack got its 200, i.e. before that reply can go out."""
    fake.reset()
    slack = stall_app.driver(fake)
    ch = "DSTALLC"
    for n in range(DEFAULT_BURST):  # the burst, spent
        slack.message(ch, "USTALLC", "見積もりお願いします", channel_type="im")
        replies = fake.wait_for("chat.postMessage", to(ch), count=n + 1)
    first_at = replies[0].ts  # when the fake got the burst's first post: the next slot is a second later
    resp, _, _ = slack.message(ch, "USTALLC", QUOTE, channel_type="im")
    assert resp.status == 200
    os.kill(stall_redis.proc.pid, signal.SIGSTOP)
    try:
        stopped_after = time.time() - first_at
        assert stopped_after < 0.8, f"stopped {stopped_after:.2f}s after the first reply: its slot was free"
        time.sleep(2.0)
        during = [m for m in fake.messages(channel=ch) if QUOTE_ANSWER in m["text"]]
    finally:
        os.kill(stall_redis.proc.pid, signal.SIGCONT)
        resumed = time.monotonic()
    assert during == []
    quote = eventually(lambda: [m for m in fake.messages(channel=ch) if QUOTE_ANSWER in m["text"]], timeout=10)
    print(f"quote {time.monotonic() - resumed:.2f}s after SIGCONT")
    fake.assert_no_call("chat.postMessage", lambda c: to(ch)(c) and QUOTE_ANSWER in c.params.get("text", ""),
                        count=1, within=2.5)
    assert len(quote) == 1
    # A stop that lands mid-turn is told to the prospect once (the designed notice); never twice.
    notices = [m for m in fake.messages(channel=ch) if m["text"].startswith(NOTICE)]
    assert len(notices) <= 1
    assert len(fake.messages(channel=ch)) == DEFAULT_BURST + 1 + len(notices)
    eventually(lambda: inbox_depth(redis.Redis(port=stall_redis.port)) == 0, timeout=10)


def test_redis_stalled_while_the_reply_is_being_posted_it_is_not_posted_again(stall_app, stall_redis, fake):
    """Deterministic: the worker is held inside chat.postMessage (the turn is committed, the
    outbox entry marked tried), Redis is stopped, then the post completes; the worker can't mark
    it done. After SIGCONT the entry is finished by recognising the posted reply."""
    fake.reset()
    slack = stall_app.driver(fake)
    ch = "DSTALLD"
    with fake.gate(ch) as (reached, release):
        resp, _, _ = slack.message(ch, "USTALLD", QUOTE, channel_type="im")
        assert resp.status == 200
        assert reached.wait(5), "the worker never posted"
        os.kill(stall_redis.proc.pid, signal.SIGSTOP)
        try:
            release.set()
            [reply] = posts(fake, ch)
            time.sleep(2.0)
        finally:
            os.kill(stall_redis.proc.pid, signal.SIGCONT)
    assert QUOTE_ANSWER in reply["text"]
    client = redis.Redis(port=stall_redis.port)
    eventually(lambda: inbox_depth(client) == 0, timeout=15, interval=0.1)
    fake.assert_no_call("chat.postMessage", to(ch), count=1, within=1.0)
    # and the conversation goes on: the next message is answered at once, once
    slack.message(ch, "USTALLD", "補償内容を教えてください", channel_type="im")
    started = time.monotonic()
    _, nxt = posts(fake, ch, count=2, timeout=10)
    print(f"next answer in {time.monotonic() - started:.2f}s")
    assert time.monotonic() - started < 5, "the conversation's outbox was held up after the stall"
    fake.assert_no_call("chat.postMessage", to(ch), count=2, within=1.0)


# -- 4. Redis Cluster --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_app(fake, cluster):
    cluster.flush()
    process = AppProcess(fake, f"redis+cluster://127.0.0.1:{cluster.ports[0]}", **CLAIM_IDLE)
    yield process
    process.stop()


def test_on_the_redis_cluster_quotes_are_answered_and_a_handoff_is_carded(cluster_app, fake):
    fake.reset()
    slack = cluster_app.driver(fake)
    prospects = [f"DCL{i}" for i in range(4)]
    for ch in prospects:
        assert slack.message(ch, f"U{ch}", "見積もりお願いします", channel_type="im").response.status == 200
    for ch in prospects:
        posts(fake, ch)
    for ch in prospects:
        assert slack.message(ch, f"U{ch}", QUOTE, channel_type="im").response.status == 200
    for ch in prospects:
        ask, quote = posts(fake, ch, count=2, timeout=10)
        assert QUOTE_ANSWER in quote["text"], quote["text"]
    health = slack.get("/healthz")
    assert health.status == 200 and health.body.strip() == "ok"

    resp, _, _ = slack.message("DCLH", "UDCLH", "担当者と話したい", channel_type="im")
    assert resp.status == 200
    [told] = posts(fake, "DCLH")
    [card] = card_for(fake)
    assert card["channel"] == AGENT_CHANNEL
    assert "UDCLH" in json.dumps(card, ensure_ascii=False) or "DCLH" in json.dumps(card, ensure_ascii=False)
    fake.assert_no_call("chat.postMessage", lambda c: c.params.get("channel", "").startswith("DCL"), count=9, within=1.0)
    print("handoff told:", message_text(told)[:60])


# -- 5. unsigned, huge, malformed, log forging -------------------------------------------------


def log_size(app: AppProcess) -> int:
    return os.path.getsize(app.log.name)


def log_text(app: AppProcess) -> str:
    with open(app.log.name, encoding="utf-8", errors="replace") as f:
        return f.read()


def raw_http(app: AppProcess, request: bytes) -> bytes:
    """A hand-written HTTP request; the status line (and whatever came back) as bytes."""
    with socket.create_connection(("127.0.0.1", app.port), timeout=5) as s:
        s.sendall(request)
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    return data


def test_an_unsigned_200kb_body_is_refused_and_barely_logged(app1, fake):
    eventually(lambda: healthy(app1, fake), timeout=30)
    slack = app1.driver(fake)
    body = json.dumps({"type": "event_callback", "event": {"type": "message", "text": "x" * 200_000}}).encode()
    before = log_size(app1)
    resp = slack.with_signing(unsigned=True).post(body, "application/json")
    assert resp.status in (401, 413)
    forged = slack.with_signing(bad_signature=True).post(body, "application/json")
    assert forged.status == 401
    time.sleep(0.2)
    grown = log_size(app1) - before
    assert grown < 500, f"log grew by {grown} bytes"
    # bigger than the app reads at all: refused from the Content-Length alone
    answer = raw_http(app1, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 900000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413") or answer.startswith(b"HTTP/1.1 401"), answer[:80]


def test_no_request_can_plant_a_line_in_the_log(app1, fake):
    eventually(lambda: healthy(app1, fake), timeout=30)
    slack = app1.driver(fake)
    marker = f"PLANTED{uuid.uuid4().hex[:10]}"
    line = json.dumps({"time": "2026-01-01T00:00:00.000Z", "level": "CRITICAL", "logger": "bot", "event": marker})
    planted = f'{{"type": "event_callback"}}\n{line}\n'.encode()
    assert slack.with_signing(unsigned=True).post(planted, "application/json").status == 401
    assert slack.with_signing(bad_signature=True).post(planted, "application/json").status == 401
    assert slack.post(planted, "application/json").status == 400  # signed, but not one JSON object
    # signed and well-formed, the forged line inside what a prospect wrote and in an event type
    resp, _, _ = slack.message("DLOG1", "ULOG1", f"補償内容を教えてください\n{line}\r\n{line}", channel_type="im")
    assert resp.status == 200
    posts(fake, "DLOG1", timeout=10)
    resp, _, _ = slack.event({"type": f"x\n{line}", "channel": "DLOG2", "ts": next_ts()})
    assert resp.status in (200, 400, 404)
    # at the HTTP layer: a header and a path with the forged line (bare LF inside a header)
    raw_http(app1, b"POST /slack/events?x=" + marker.encode() + b"%0A HTTP/1.1\r\nHost: x\r\nX-Note: a\n"
             + line.encode() + b"\r\nContent-Length: 0\r\n\r\n")
    raw_http(app1, b"GET /healthz?" + marker.encode() + b" HTTP/1.1\r\nHost: x\r\nUser-Agent: " + line.encode() + b"\r\n\r\n")
    time.sleep(0.3)
    forged = []
    for ln in log_text(app1).splitlines():
        try:
            parsed = json.loads(ln)
        except ValueError:
            parsed = None
        if ln.lstrip().startswith(line[:20]) or (isinstance(parsed, dict) and parsed.get("event") == marker):
            forged.append(ln)
    assert forged == [], "\n".join(forged)


def test_what_a_signed_request_says_stays_out_of_the_log(app1, fake):
    """The log never quotes a request: here a signed event of a type no listener handles."""
    eventually(lambda: healthy(app1, fake), timeout=30)
    slack = app1.driver(fake)
    marker = f"QUOTED{uuid.uuid4().hex[:10]}"
    resp, _, _ = slack.event({"type": f"x_{marker}", "channel": "DLOG3", "text": f"私の電話番号は {marker}", "ts": next_ts()})
    assert resp.status in (200, 404)
    time.sleep(0.3)
    hits = [ln[:300] for ln in log_text(app1).splitlines() if marker in ln]
    assert hits == [], "\n".join(hits)


def test_signed_but_malformed_bodies_get_400_not_500(app1, fake):
    eventually(lambda: healthy(app1, fake), timeout=30)
    slack = app1.driver(fake)
    assert slack.post(b"this is not json {", "application/json").status == 400
    assert slack.post(b"[1, 2, 3]", "application/json").status == 400
    assert slack.post(b'{"type": "event_callback", "event": "message"}', "application/json").status == 400
    assert slack.post(b"\xff\xfe\x00garbage", "application/json").status == 400
    from urllib.parse import urlencode

    base = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T_HOME"}, "api_app_id": "A_APP",
            "container": {"type": "message", "channel_id": "DX", "message_ts": "1.1"}, "channel": {"id": "DX"}}
    for actions in ([], None, ["not an object"]):
        payload = dict(base, **({} if actions is None else {"actions": actions}))
        body = urlencode({"payload": json.dumps(payload)}).encode()
        resp = slack.post(body, "application/x-www-form-urlencoded")
        assert resp.status == 400, (actions, resp.status)
    assert slack.post(urlencode({"payload": "{not json"}).encode(), "application/x-www-form-urlencoded").status == 400
    assert healthy(app1, fake)
    assert "Traceback" not in log_text(app1)
