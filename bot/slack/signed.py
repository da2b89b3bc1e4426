"""Signed requests only: the signature is checked before anything parses a request body.

Bolt parses a body before its own verification middleware runs, so a forged request could
reach its parser and its logs (it logs the body of a request it rejects). This WSGI layer sits
in front of Bolt: it reads at most `MAX_BODY_BYTES`, checks Slack's v0 signature and timestamp
on the raw bytes, then checks the body has the shape Slack sends. Anything else is answered
401 (unsigned, forged, stale) or 400 (signed but malformed) with an empty body and, at most
once every `LOG_EVERY_SECONDS`, one short log line that quotes nothing of the request. Each
refusal counts as a `rejected` event on /metrics (bot/metrics.py).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from bot import metrics

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024
MAX_AGE_SECONDS = 300  # Slack's own bound on a request's timestamp: older is a replay
LOG_EVERY_SECONDS = 10.0

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Rejected(Exception):
    """Why a request is refused: its HTTP status and a fixed reason word for the log."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class _Throttle:
    """At most one log line per interval; the next line says how many were held back."""

    def __init__(self, interval: float) -> None:
        self.interval, self.last, self.held = interval, float("-inf"), 0
        self.lock = threading.Lock()

    def admit(self) -> int | None:
        """None to stay quiet; else how many lines were held back since the last one."""
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.interval:
                self.held += 1
                return None
            held, self.held, self.last = self.held, 0, now
            return held


def read_body(environ: dict[str, Any]) -> bytes:
    raw_length = environ.get("CONTENT_LENGTH") or ""
    if not raw_length.isdigit():
        raise Rejected("411 Length Required", "no_length")
    length = int(raw_length)
    if length > MAX_BODY_BYTES:
        raise Rejected("413 Payload Too Large", "too_large")
    return environ["wsgi.input"].read(length) if length else b""


def check_signature(secret: bytes, environ: dict[str, Any], body: bytes, now: float | None = None) -> None:
    """Slack's v0 scheme on the raw bytes (slack_sdk's verifier decodes the body first, which a
    forged non-UTF-8 body would turn into an exception)."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if not timestamp.isdigit() or not signature.startswith("v0="):
        raise Rejected("401 Unauthorized", "unsigned")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        raise Rejected("401 Unauthorized", "stale")
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Rejected("401 Unauthorized", "bad_signature")


def check_shape(environ: dict[str, Any], body: bytes) -> None:
    """A signed body is still checked: Slack sends JSON for events and a form with a JSON
    `payload` (or a slash command's fields) for interactivity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("400 Bad Request", "not_utf8") from None
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        data = _json_object(text)
        if data.get("type") == "event_callback" and not isinstance(data.get("event"), dict):
            raise Rejected("400 Bad Request", "no_event")
        return
    if content_type != "application/x-www-form-urlencoded":
        raise Rejected("415 Unsupported Media Type", "content_type")
    form = parse_qs(text, keep_blank_values=True)
    if "payload" not in form:
        if "command" not in form:
            raise Rejected("400 Bad Request", "form")
        return
    payload = _json_object(form["payload"][0])
    if payload.get("type") == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            raise Rejected("400 Bad Request", "no_actions")


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise Rejected("400 Bad Request", "not_json") from None
    if not isinstance(data, dict):
        raise Rejected("400 Bad Request", "not_object")
    return data


def signed_only(app: WsgiApp, signing_secret: str) -> WsgiApp:
    """Wrap a WSGI app (Bolt's handler) so only well-formed, signed requests reach it."""
    secret = signing_secret.encode()
    throttle = _Throttle(LOG_EVERY_SECONDS)

    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = read_body(environ)
            check_signature(secret, environ, body)
            check_shape(environ, body)
        except Rejected as refused:
            metrics.event("rejected")
            held = throttle.admit()
            if held is not None:
                log.warning("request refused", extra={"fields": {"reason": refused.reason, "status": refused.status[:3],
                                                                 "held_back": held}})
            start_response(refused.status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        environ = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        return app(environ, start_response)

    return guarded
