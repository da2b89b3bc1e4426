"""Only signed, well-formed requests reach Bolt; everything else is refused quietly."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.slack import signed
from bot.slack.signed import signed_only

SECRET = "testsigningsecret0123"


def _inner_app(seen: list[bytes]):
    def app(environ: dict[str, Any], start_response):
        seen.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def _environ(body: bytes, content_type: str, *, sign: bool = True, secret: str = SECRET, age: int = 0,
             timestamp: str | None = None) -> dict[str, Any]:
    ts = timestamp if timestamp is not None else str(int(time.time()) - age)
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_TYPE": content_type,
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    if sign:
        mac = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        env.update(HTTP_X_SLACK_REQUEST_TIMESTAMP=ts, HTTP_X_SLACK_SIGNATURE=f"v0={mac}")
    return env


def _call(env: dict[str, Any]) -> tuple[str, list[bytes]]:
    seen: list[bytes] = []
    status: list[str] = []
    signed_only(_inner_app(seen), SECRET)(env, lambda s, headers: status.append(s))
    return status[0], seen


EVENT = json.dumps({"type": "event_callback", "event": {"type": "message", "text": "売上5億"}}).encode()


def test_a_signed_event_reaches_the_app_with_its_body_intact():
    status, seen = _call(_environ(EVENT, "application/json"))
    assert status.startswith("200") and seen == [EVENT]


@pytest.mark.parametrize("env", [
    _environ(EVENT, "application/json", sign=False),
    _environ(EVENT, "application/json", secret="someoneelsessecret"),
    _environ(EVENT, "application/json", age=600),       # a replay of an old request
    _environ(EVENT, "application/json", timestamp="abc"),
])
def test_unsigned_forged_or_stale_requests_get_401_and_never_reach_the_app(env):
    status, seen = _call(env)
    assert status.startswith("401") and seen == []


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (json.dumps({"type": "event_callback"}).encode(), "application/json"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode(), "application/x-www-form-urlencoded"),
    (urlencode({"payload": "{broken"}).encode(), "application/x-www-form-urlencoded"),
    (b"\xff\xfe", "application/json"),
])
def test_signed_but_malformed_bodies_get_400_not_a_500(body, content_type):
    status, seen = _call(_environ(body, content_type))
    assert status.startswith("400") and seen == []


def test_an_oversized_body_is_refused_without_being_read():
    env = _environ(b"", "application/json", sign=False)
    env["CONTENT_LENGTH"] = str(signed.MAX_BODY_BYTES + 1)
    env["wsgi.input"] = io.BytesIO(b"x" * 10)
    status, seen = _call(env)
    assert status.startswith("413") and seen == []


def test_refusals_log_one_short_line_per_interval_quoting_nothing(caplog):
    secret_words = "田中様の売上は5億円です\nforged log line"
    body = urlencode({"payload": json.dumps({"type": "block_actions", "text": secret_words})}).encode() + b"A" * 200_000
    guarded = signed_only(_inner_app([]), SECRET)
    with caplog.at_level(logging.INFO):
        for _ in range(50):
            guarded(_environ(body, "application/x-www-form-urlencoded", sign=False), lambda s, h: None)
    lines = [r for r in caplog.records if r.name == "bot.slack.signed"]
    assert len(lines) == 1
    text = caplog.text
    assert "田中" not in text and "forged" not in text and len(text) < 1000
