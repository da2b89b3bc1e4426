"""The Web API client keeps its connections: one per thread and host, reused call after call,
with the SDK's retry handling unchanged (429s, errors, a connection the server dropped)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.web import web_client
from tests.test_metrics import hand_built_settings


class Server:
    """A Web API stand-in that counts the connections it accepts. `drop_after_each`: it closes
    every connection after one answer without saying so (a server timing out idle ones);
    `statuses`: the next answers' HTTP statuses (then 200)."""

    def __init__(self, drop_after_each: bool = False) -> None:
        self.connections = 0
        self.requests = 0
        self.statuses: list[int] = []
        self.unanswered: set[int] = set()  # request numbers read, then the connection dropped unanswered
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server.lock:
                    server.connections += 1

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.requests += 1
                    if server.requests in server.unanswered:
                        self.close_connection = True
                        return
                    status = server.statuses.pop(0) if server.statuses else 200
                body = json.dumps({"ok": status == 200, **({} if status == 200 else {"error": "ratelimited"})}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = drop_after_each

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/api/"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


def test_calls_from_one_thread_reuse_one_connection(server):
    client = web_client(hand_built_settings(server.url))
    for _ in range(20):
        assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert server.requests == 20 and server.connections == 1


def test_each_thread_has_its_own_connection(server):
    client = web_client(hand_built_settings(server.url))
    barrier = threading.Barrier(3)

    def calls() -> None:
        barrier.wait()
        for _ in range(5):
            client.api_test()

    threads = [threading.Thread(target=calls) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.requests == 15 and server.connections == 3


def test_a_connection_the_server_dropped_is_replaced_without_losing_the_call():
    server = Server(drop_after_each=True)
    try:
        client = web_client(hand_built_settings(server.url))
        for n in range(6):
            assert client.chat_postMessage(channel="C1", text=f"hi {n}")["ok"]
        assert server.requests == 6  # each sent once: the dropped connection failed before sending
        assert server.connections == 6
    finally:
        server.stop()


def test_a_429_is_retried_by_the_sdk_on_the_kept_connection(server):
    server.statuses = [429]
    client = web_client(hand_built_settings(server.url))
    assert client.api_test()["ok"]
    assert server.requests == 2 and server.connections == 1


def test_an_http_error_is_slacks_error_as_before(server):
    server.statuses = [500, 200]
    client = web_client(hand_built_settings(server.url))
    with pytest.raises(SlackApiError) as raised:
        client.api_test()
    assert raised.value.response.status_code == 500
    assert client.api_test()["ok"]  # the connection is still good after an error answer
    assert server.connections == 1


def test_a_request_the_server_took_is_not_sent_again_here(server):
    """The server read the second request and dropped the connection without answering (it may
    have posted it): the kept-alive layer does not send it again (the SDK's own connection
    retries, switched off here, decide that, as they did over urllib)."""
    server.unanswered = {2}
    client = web_client(hand_built_settings(server.url))
    client.retry_handlers.clear()
    assert client.api_test()["ok"]
    with pytest.raises(Exception):
        client.chat_postMessage(channel="C1", text="hi")
    assert server.requests == 2
    assert client.api_test()["ok"] and server.requests == 3  # and the next call has a new connection
    assert server.connections == 2


def test_a_redirect_is_not_taken_for_an_answer(server):
    server.statuses = [302]
    client = web_client(hand_built_settings(server.url))
    with pytest.raises(SlackApiError) as raised:
        client.api_test()
    assert raised.value.response.status_code == 302
