"""Self-tests of the Slack simulator (fake API, driver over HTTP and in-process): if these fail,
app tests built on it mean nothing."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.slack_sim import FakeSlackAPI, Response, SlackDriver

SECRET = "test-signing-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Quote*"}}]


@pytest.fixture()
def fake() -> Iterator[FakeSlackAPI]:
    users = {"U_ANN": {"name": "ann", "real_name": "Ann Lee"}, "U_EXT": {"name": "eve", "team_id": "T_EXT"}}
    with FakeSlackAPI(users=users, channel_members={"C1": ["U_ANN", "U_BOT", "U_EXT"]}) as api:
        yield api


@pytest.fixture()
def client(fake: FakeSlackAPI) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url)


class _Capture:
    """A stand-in 'app' that keeps each raw request so signatures can be checked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        cap = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                cap.requests.append((self.command, self.path, dict(self.headers.items()), raw))
                body = json.loads(raw).get("challenge", "") if raw.startswith(b"{") else ""
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            do_GET = do_POST = _reply

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def last(self) -> tuple[str, str, dict[str, str], bytes]:
        return self.requests[-1]


@pytest.fixture()
def app() -> Iterator[_Capture]:
    cap = _Capture()
    yield cap
    cap.server.shutdown()
    cap.server.server_close()


# ------------------------------------------------------------------ fake API
def test_post_message_json_and_form_bodies_record_parsed_blocks(fake: FakeSlackAPI, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)  # JSON body
    second = client.api_call("chat.postMessage", params={"channel": "C1", "text": "yo",
                                                         "blocks": json.dumps(BLOCKS), "thread_ts": first["ts"]})
    assert first["ok"] and first["channel"] == "C1" and first["message"]["bot_id"] == "B_BOT"
    assert first["message"]["blocks"] == BLOCKS and float(second["ts"]) > float(first["ts"])
    calls = fake.calls_to("chat.postMessage")
    assert [c.params["blocks"] for c in calls] == [BLOCKS, BLOCKS]
    assert all(c.token == "xoxb-test" for c in calls) and "token" not in calls[1].params
    assert [m["text"] for m in fake.messages(thread_ts=first["ts"])] == ["yo"]
    assert fake.messages(channel="C1")[0]["ts"] == first["ts"]


def test_users_members_and_other_methods(fake: FakeSlackAPI, client: WebClient) -> None:
    ann = client.users_info(user="U_ANN")["user"]
    assert ann["profile"]["real_name"] == "Ann Lee" and ann["team_id"] == "T_HOME"
    assert client.users_info(user="U_EXT")["user"]["team_id"] == "T_EXT"
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U_NOBODY")
    assert err.value.response["error"] == "user_not_found"
    page = client.conversations_members(channel="C1", limit=2)
    assert page["members"] == ["U_ANN", "U_BOT"]
    rest = client.conversations_members(channel="C1", limit=2, cursor=page["response_metadata"]["next_cursor"])
    assert rest["members"] == ["U_EXT"] and rest["response_metadata"]["next_cursor"] == ""
    assert client.auth_test()["user_id"] == "U_BOT"
    assert client.conversations_open(users="U_ANN")["channel"]["id"] == "DU_ANN"
    posted = client.chat_postMessage(channel="C1", text="v1")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert updated["message"]["text"] == "v2"
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link == f"https://example.slack.com/archives/C1/p{posted['ts'].replace('.', '')}"
    assert client.views_publish(user_id="U_ANN", view={"type": "home", "blocks": BLOCKS})["view"]["type"] == "home"
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("nope.nothing")
    assert unknown.value.response["error"] == "unknown_method"
    assert fake.calls[-1].method == "nope.nothing"


def test_wait_for_and_reset(fake: FakeSlackAPI, client: WebClient) -> None:
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C2", text="later")).start()
    [call] = fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C2", timeout=2)
    assert call.params["text"] == "later"
    with pytest.raises(AssertionError, match=r"chat.postMessage .*later"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.1)
    fake.reset()
    assert fake.calls == []


@pytest.mark.parametrize("status", [200, 429, 500])
def test_fail_next_raises_slack_api_error_then_recovers(fake: FakeSlackAPI, client: WebClient, status: int) -> None:
    fake.fail_next("chat.postMessage", error="ratelimited", times=2, status=status, retry_after=7)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x")
        assert err.value.response.status_code == status and err.value.response["error"] == "ratelimited"
        if status == 429:
            assert err.value.response.headers["Retry-After"] == "7"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 3


# -------------------------------------------------------------------- driver
def _verify(headers: dict[str, str], raw: bytes) -> bool:
    return SignatureVerifier(SECRET).is_valid_request(raw, headers)


def test_message_event_is_signed_and_slack_shaped(app: _Capture, fake: FakeSlackAPI) -> None:
    driver = SlackDriver(app.url, SECRET, fake_api=fake)
    resp, event_id, ts = driver.message("C1", "U_EXT", "hi <@U_BOT> there", user_team="T_EXT", thread_ts="1.2")
    method, path, headers, raw = app.last()
    assert resp.status == 200 and method == "POST" and path == "/slack/events" and _verify(headers, raw)
    envelope = json.loads(raw)
    ev = envelope["event"]
    assert envelope["type"] == "event_callback" and envelope["event_id"] == event_id and event_id.startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "U_BOT" and envelope["is_ext_shared_channel"] is True
    assert ev["ts"] == ts and ev["user_team"] == ev["source_team"] == "T_EXT" and ev["thread_ts"] == "1.2"
    assert ev["blocks"][0]["elements"][0]["elements"][1] == {"type": "user", "user_id": "U_BOT"}
    _, second_id, second_ts = driver.app_mention("C1", "U_ANN", "quote please")
    assert second_id != event_id and float(second_ts) > float(ts)
    assert json.loads(app.last()[3])["event"]["text"] == "<@U_BOT> quote please"
    driver.redeliver(event_id, retry_num=1)
    _, _, retry_headers, retry_raw = app.last()
    assert retry_raw == raw and retry_headers["X-Slack-Retry-Num"] == "1" and _verify(retry_headers, retry_raw)


def test_block_action_and_slash_command_are_form_encoded(app: _Capture, fake: FakeSlackAPI) -> None:
    driver = SlackDriver(app.url, SECRET, fake_api=fake)
    driver.block_action("U_ANN", "pick", channel="C1", message_ts="1.1", action_type="static_select",
                        selected_option="10k")
    _, _, headers, raw = app.last()
    assert _verify(headers, raw) and headers["Content-Type"] == "application/x-www-form-urlencoded"
    payload = json.loads(parse_qs(raw.decode())["payload"][0])
    assert payload["type"] == "block_actions" and payload["actions"][0]["selected_option"]["value"] == "10k"
    assert payload["container"] == {"type": "message", "message_ts": "1.1", "channel_id": "C1", "is_ephemeral": False}
    assert WebhookClient(payload["response_url"]).send(text="done").status_code == 200
    assert fake.calls_to("response_url")[0].params == {"text": "done"}
    driver.slash_command("/quote", "acme", "U_ANN", "DU_ANN")
    form = {k: v[0] for k, v in parse_qs(app.last()[3].decode()).items()}
    assert form["command"] == "/quote" and form["text"] == "acme" and form["response_url"].startswith(fake.base_url)


def test_broken_signatures_fail_verification(app: _Capture) -> None:
    driver = SlackDriver(app.url, SECRET)
    assert driver.url_verification("chal").body == "chal" and _verify(*app.last()[2:])
    for bad in (driver.with_signing(bad_signature=True), driver.with_signing(timestamp_offset=-600),
                SlackDriver(app.url, "other-secret")):
        bad.app_home_opened("U_ANN")
        assert not _verify(*app.last()[2:])
    driver.with_signing(unsigned=True).app_home_opened("U_ANN")
    assert "X-Slack-Signature" not in app.last()[2] and not _verify(*app.last()[2:])
    assert driver.get("/healthz").status == 200 and app.last()[:2] == ("GET", "/healthz")


def test_assert_no_call_waits_for_late_calls(fake: FakeSlackAPI, client: WebClient) -> None:
    fake.assert_no_call("chat.postMessage", within=0.05)
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="late")).start()
    with pytest.raises(AssertionError, match="at most 0 call"):
        fake.assert_no_call("chat.postMessage", within=2)
    fake.assert_no_call("chat.postMessage", count=1, within=0.05)
    fake.assert_no_call("chat.postMessage", lambda c: c.params["channel"] == "C2", within=0.05)


# ----------------------------------------------------------- in-process driver
def _bolt_app(fake: FakeSlackAPI):
    from slack_bolt import App

    app = App(client=WebClient(token="xoxb-test", base_url=fake.url), signing_secret=SECRET,
              token_verification_enabled=False, raise_error_for_unhandled_request=False)

    @app.event("message")
    def slow_reply(event: dict, client: WebClient) -> None:
        threading.Event().wait(0.2)  # still working well after Bolt has acked
        if event["text"] == "boom":
            raise RuntimeError("listener broke")
        client.chat_postMessage(channel=event["channel"], text=f"re: {event['text']}")

    @app.command("/quote")
    def quote(ack, command: dict) -> None:
        ack(response_type="ephemeral", text=f"quoting {command['text']}")

    return app


def test_in_process_driver_dispatches_signed_requests_and_settles(fake: FakeSlackAPI, app: _Capture) -> None:
    from tests.slack_sim.inproc import BoltHarness

    harness = BoltHarness(_bolt_app(fake), fake, signing_secret=SECRET)
    try:
        slack = harness.slack
        resp, _, ts = slack.message("C1", "U_ANN", "hello")
        assert resp.status == 200
        [post] = fake.calls_to("chat.postMessage")  # already there: the listener has returned
        assert post.params["channel"] == "C1" and post.params["text"] == "re: hello"
        assert slack.slash_command("/quote", "acme", "U_ANN", "C1").json()["text"] == "quoting acme"
        assert slack.url_verification("chal").json() == {"challenge": "chal"}
        for bad in (slack.with_signing(bad_signature=True), slack.with_signing(timestamp_offset=-600),
                    slack.with_signing(unsigned=True)):
            assert bad.message("C1", "U_ANN", "forged").response.status == 401
        harness.settle()
        assert len(fake.calls_to("chat.postMessage")) == 1
        with pytest.raises(AssertionError, match="listener broke"):
            slack.message("C1", "U_ANN", "boom")
        # The same builder, over HTTP, sends the same bytes.
        http = SlackDriver(app.url, SECRET, fake_api=fake)
        http.message("C1", "U_ANN", "same", ts="1700000001.000100", event_id="EvSAME")
        over_http = json.loads(app.last()[3])
        captured: list[bytes] = []
        harness.dispatch = lambda body, headers: captured.append(body) or Response(200, "")  # type: ignore[method-assign]
        slack.message("C1", "U_ANN", "same", ts="1700000001.000100", event_id="EvSAME")
        assert json.loads(captured[0]) == over_http
    finally:
        harness.close()
