"""Plays Slack's side of the conversation: delivers signed requests to the app.

Payloads mimic what Slack really sends (envelope fields, rich_text blocks,
Slack Connect team fields, form-encoded interactivity) so the app's parsing is
tested against realistic input rather than against the shapes we assumed.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Union
from urllib.parse import urlencode, urlsplit

from .fake_api import FakeSlackAPI, next_ts

# Process-wide so that two drivers never reuse an event_id (the app may dedupe on it).
_IDS = itertools.count(1)


@dataclass
class Response:
    """The app's HTTP answer."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Delivered(NamedTuple):
    """What an event delivery returns; unpacks as ``resp, event_id, ts``."""

    response: Response
    event_id: str
    ts: Optional[str]


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def rich_text(text: str) -> list[dict]:
    """The ``rich_text`` block Slack attaches to user messages (user mentions split out)."""
    elements: list[dict] = []
    for part in re.split(r"(<@[UW][A-Z0-9_]+>)", text):
        m = re.fullmatch(r"<@([UW][A-Z0-9_]+)>", part)
        if m:
            elements.append({"type": "user", "user_id": m.group(1)})
        elif part:
            elements.append({"type": "text", "text": part})
    block_id = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:5]
    return [{"type": "rich_text", "block_id": block_id,
             "elements": [{"type": "rich_text_section", "elements": elements}]}]


class SlackDriver:
    """Sends Slack-shaped, signed HTTP requests to the app under test.

    Pass ``fake_api`` so response_urls point at the fake (posts to them are then
    recorded as method ``"response_url"``) and the bot user id matches it.
    Signing can be broken on purpose: ``bad_signature``, ``timestamp_offset``
    (seconds, e.g. -600 = stale) and ``unsigned``; see also :meth:`with_signing`.
    """

    def __init__(self, app_url: str, signing_secret: str, team_id: str = "T_HOME", api_app_id: str = "A_APP",
                 *, fake_api: Optional[FakeSlackAPI] = None, bot_user_id: Optional[str] = None,
                 bad_signature: bool = False, timestamp_offset: int = 0, unsigned: bool = False,
                 timeout: float = 10.0) -> None:
        self.app_url, self.signing_secret, self.team_id, self.api_app_id = app_url, signing_secret, team_id, api_app_id
        self.fake_api = fake_api
        self.bot_user_id = bot_user_id or (fake_api.bot_user_id if fake_api else "U_BOT")
        self.bad_signature, self.timestamp_offset, self.unsigned = bad_signature, timestamp_offset, unsigned
        self.timeout = timeout
        self._sent: dict[str, bytes] = {}  # event_id -> body, for redelivery

    def with_signing(self, *, bad_signature: bool = False, timestamp_offset: int = 0,
                     unsigned: bool = False) -> "SlackDriver":
        """A copy of this driver that signs differently (e.g. a forged or replayed request)."""
        clone = copy.copy(self)
        clone.bad_signature, clone.timestamp_offset, clone.unsigned = bad_signature, timestamp_offset, unsigned
        return clone

    def pointed_at(self, app_url: str) -> "SlackDriver":
        """A copy of this driver sending to another app (e.g. a second process); it shares
        what was sent, so :meth:`redeliver` can send an event there that went here first."""
        clone = copy.copy(self)
        clone.app_url = app_url
        return clone

    # ------------------------------------------------------------- transport
    def signed_headers(self, body: bytes, content_type: str,
                       extra_headers: Optional[dict[str, str]] = None) -> dict[str, str]:
        """The headers Slack sends with ``body``, signed per this driver's signing settings."""
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if not self.unsigned:
            ts = str(int(time.time()) + self.timestamp_offset)
            sig = sign(self.signing_secret, ts, body)
            if self.bad_signature:
                sig = sig[:-4] + ("0000" if not sig.endswith("0000") else "1111")
            headers.update({"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
        headers.update(extra_headers or {})
        return headers

    def post(self, body: bytes, content_type: str, extra_headers: Optional[dict[str, str]] = None) -> Response:
        """Sign a raw body and send it to the app."""
        return self.send(body, self.signed_headers(body, content_type, extra_headers))

    def send(self, body: bytes, headers: dict[str, str]) -> Response:
        """The one place a request leaves: an HTTP POST to ``app_url``.  An in-process
        driver (``tests/slack_sim/inproc.py``) overrides this to dispatch to a Bolt app."""
        return self._http(urllib.request.Request(self.app_url, data=body, headers=headers, method="POST"))

    def get(self, path: str) -> Response:
        """GET ``path`` on the app's host (e.g. ``/healthz``); not signed, Slack never GETs."""
        parts = urlsplit(self.app_url)
        return self._http(urllib.request.Request(f"{parts.scheme}://{parts.netloc}{path}", method="GET"))

    def _http(self, req: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.read().decode("utf-8"), dict(resp.headers.items()))
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read().decode("utf-8", "replace"), dict(err.headers.items()))

    def _form(self, fields: dict[str, str]) -> Response:
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def _response_url(self, kind: str) -> str:
        rid = f"{kind}-{next(_IDS)}"
        if self.fake_api:
            return f"{self.fake_api.base_url}response_url/{rid}"
        return f"https://hooks.slack.com/{kind}/{self.team_id}/{rid}"

    @staticmethod
    def _trigger_id() -> str:
        return f"{next(_IDS)}.1700000000.{uuid.uuid5(uuid.NAMESPACE_URL, str(next(_IDS))).hex}"

    # ---------------------------------------------------------------- events
    def event(self, event: dict, *, event_id: Optional[str] = None, team_id: Optional[str] = None,
              retry_num: Optional[int] = None, retry_reason: str = "http_timeout",
              authorizations: Optional[list[dict]] = None, is_ext_shared_channel: bool = False) -> Delivered:
        """Deliver ``event`` in an ``event_callback`` envelope."""
        team = team_id or self.team_id
        event_id = event_id or f"Ev{next(_IDS):010d}"
        event_ts = event.get("event_ts") or event.get("ts") or next_ts()
        envelope = {
            "token": "verification-token", "team_id": team, "context_team_id": team,
            "context_enterprise_id": None, "api_app_id": self.api_app_id, "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(float(event_ts)),
            "authorizations": authorizations if authorizations is not None else [
                {"enterprise_id": None, "team_id": team, "user_id": self.bot_user_id,
                 "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": is_ext_shared_channel,
            "event_context": f"4-{event_id.lower()}-{team.lower()}",
        }
        body = json.dumps(envelope).encode()
        self._sent[event_id] = body
        resp = self.post(body, "application/json", _retry_headers(retry_num, retry_reason))
        return Delivered(resp, event_id, event.get("ts"))

    def redeliver(self, event_id: str, retry_num: int = 1, reason: str = "http_timeout") -> Response:
        """Re-send the identical envelope as Slack does when the first delivery timed out."""
        return self.post(self._sent[event_id], "application/json", _retry_headers(retry_num, reason))

    def message(self, channel: str, user: Optional[str], text: str, *, ts: Optional[str] = None,
                thread_ts: Optional[str] = None, channel_type: str = "channel", user_team: Optional[str] = None,
                team: Optional[str] = None, subtype: Optional[str] = None, bot_id: Optional[str] = None,
                event_type: str = "message", **extra: Any) -> Delivered:
        """A user's message.  ``user_team`` != home team makes it a Slack Connect guest's
        (adds ``user_team``/``source_team``).  :meth:`event` kwargs (event_id, retry_num...)
        are passed through; any other ``extra`` key is added to the event."""
        deliver = _envelope_kwargs(extra)
        ts = ts or next_ts()
        ev: dict[str, Any] = {"type": event_type, "text": text, "ts": ts}
        if user is not None:
            ev["user"] = user
        if subtype:
            ev["subtype"] = subtype
        if bot_id:
            ev["bot_id"] = bot_id
        else:
            ev["client_msg_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, ts))
        ev["blocks"] = rich_text(text)
        ev["team"] = team or user_team or self.team_id
        if user_team:
            ev["user_team"] = ev["source_team"] = user_team
        if thread_ts:
            ev["thread_ts"] = thread_ts
            ev["parent_user_id"] = extra.pop("parent_user_id", self.bot_user_id)
        ev.update({"channel": channel, "event_ts": ts})
        if event_type == "message":
            ev["channel_type"] = channel_type
        ev.update(extra)
        if user_team and user_team != self.team_id:
            deliver.setdefault("is_ext_shared_channel", True)
        return self.event(ev, **deliver)

    def app_mention(self, channel: str, user: str, text: str, **kw: Any) -> Delivered:
        """``@bot text`` in a channel (Slack prefixes the mention)."""
        return self.message(channel, user, f"<@{self.bot_user_id}> {text}", event_type="app_mention", **kw)

    def bot_message(self, channel: str, text: str, *, bot_id: str = "B_OTHER", user: Optional[str] = None,
                    subtype: Optional[str] = "bot_message", **kw: Any) -> Delivered:
        """Another bot's post, which apps must not answer.  Default is the classic
        ``subtype: bot_message`` (no ``user``); ``user="U.."`` and ``subtype=None`` give the
        modern shape of an app posting with its bot token."""
        kw.setdefault("bot_profile", {"id": bot_id, "name": "otherbot", "app_id": "A_OTHER"})
        if user is None:
            kw.setdefault("username", "otherbot")
        return self.message(channel, user, text, subtype=subtype, bot_id=bot_id, **kw)

    def message_changed(self, channel: str, ts: str, user: str, new_text: str, *, old_text: str = "",
                        channel_type: str = "channel", thread_ts: Optional[str] = None,
                        **deliver: Any) -> Delivered:
        """An edit: Slack sends the new message nested, with no top-level ``user``; an edited
        thread reply carries its ``thread_ts`` inside ``message`` and ``previous_message``."""
        now = next_ts()
        ev = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
              "channel_type": channel_type, "ts": now, "event_ts": now,
              "message": {"type": "message", "user": user, "text": new_text, "ts": ts,
                          "blocks": rich_text(new_text), "edited": {"user": user, "ts": now}},
              "previous_message": {"type": "message", "user": user, "text": old_text, "ts": ts}}
        if thread_ts:
            for inner in (ev["message"], ev["previous_message"]):
                inner.update({"thread_ts": thread_ts, "parent_user_id": self.bot_user_id})
        return self.event(ev, **deliver)

    def message_deleted(self, channel: str, deleted_ts: str, user: str, *, thread_ts: Optional[str] = None,
                        old_text: str = "", channel_type: str = "channel", **deliver: Any) -> Delivered:
        """A deletion: ``subtype: message_deleted``, hidden, with the ``deleted_ts`` and the
        message as it was (``previous_message``); no top-level ``user`` or ``message``."""
        now = next_ts()
        previous: dict[str, Any] = {"type": "message", "user": user, "text": old_text, "ts": deleted_ts,
                                    "blocks": rich_text(old_text) if old_text else []}
        if thread_ts:
            previous.update({"thread_ts": thread_ts, "parent_user_id": self.bot_user_id})
        ev = {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": channel,
              "channel_type": channel_type, "ts": now, "event_ts": now, "deleted_ts": deleted_ts,
              "previous_message": previous}
        return self.event(ev, **deliver)

    def app_home_opened(self, user: str, *, tab: str = "home", channel: Optional[str] = None,
                        **deliver: Any) -> Delivered:
        ev = {"type": "app_home_opened", "user": user, "channel": channel or "D" + user,
              "tab": tab, "event_ts": next_ts()}
        return self.event(ev, **deliver)

    def member_joined_channel(self, channel: str, user: str, *, inviter: Optional[str] = None,
                              channel_type: str = "C", team: Optional[str] = None,
                              **deliver: Any) -> Delivered:
        ev = {"type": "member_joined_channel", "user": user, "channel": channel,
              "channel_type": channel_type, "team": team or self.team_id, "event_ts": next_ts()}
        if inviter:
            ev["inviter"] = inviter
        return self.event(ev, **deliver)

    def url_verification(self, challenge: str) -> Response:
        body = json.dumps({"token": "verification-token", "challenge": challenge, "type": "url_verification"})
        return self.post(body.encode(), "application/json")

    # -------------------------------------------------------- interactivity
    def block_action(self, user: str, action_id: str, value: Optional[str] = None, *, channel: str,
                     message_ts: str, thread_ts: Optional[str] = None, block_id: str = "b",
                     message: Optional[dict] = None, team_id: Optional[str] = None,
                     user_team: Optional[str] = None, action_type: str = "button",
                     selected_option: Union[str, dict, None] = None, container_type: str = "message",
                     text: str = "", state: Optional[dict] = None) -> Response:
        """A click on a button/select in a message (``container_type="message"``)."""
        team = team_id or self.team_id
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type,
                                  "action_ts": next_ts()}
        if action_type == "button":
            action.update({"value": value, "text": {"type": "plain_text", "text": text or value or "", "emoji": True}})
        else:
            opt = selected_option if selected_option is not None else value
            if not isinstance(opt, dict):
                opt = {"text": {"type": "plain_text", "text": text or str(opt), "emoji": True}, "value": opt}
            action["selected_option"] = opt
        return self._message_action(user, action, channel=channel, message_ts=message_ts, thread_ts=thread_ts,
                                    message=message, team=team, user_team=user_team, state=state,
                                    container_type=container_type)

    def _message_action(self, user: str, action: dict[str, Any], *, channel: str, message_ts: str,
                        thread_ts: Optional[str], message: Optional[dict], team: str, user_team: Optional[str],
                        state: Optional[dict], container_type: str = "message") -> Response:
        """The block_actions payload Slack sends for `action` on a message."""
        if message is None:
            message = {"type": "message", "user": self.bot_user_id, "bot_id": "B_BOT", "text": "", "ts": message_ts,
                       "blocks": []}
            if thread_ts:
                message["thread_ts"] = thread_ts
        container: dict[str, Any] = {"type": container_type, "message_ts": message_ts, "channel_id": channel,
                                     "is_ephemeral": False}
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(),
                                              "team_id": user_team or team},
            "api_app_id": self.api_app_id, "token": "verification-token", "container": container,
            "trigger_id": self._trigger_id(), "team": {"id": team, "domain": team.lower()},
            "enterprise": None, "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else channel.lower()},
            "message": message, "state": state or {"values": {}},
            "response_url": self._response_url("actions"), "actions": [action],
        }
        return self._form({"payload": json.dumps(payload)})

    def user_select(self, user: str, action_id: str, selected_user: str, *, channel: str, message_ts: str,
                    block_id: str = "b", message: Optional[dict] = None, team_id: Optional[str] = None,
                    user_team: Optional[str] = None, thread_ts: Optional[str] = None) -> Response:
        """A person picked someone in a ``users_select`` on a message (the card's "assign to"):
        the action carries ``selected_user`` and no value; the container is the message."""
        action = {"type": "users_select", "action_id": action_id, "block_id": block_id,
                  "selected_user": selected_user, "action_ts": next_ts()}
        state = {"values": {block_id: {action_id: {"type": "users_select", "selected_user": selected_user}}}}
        return self._message_action(user, action, channel=channel, message_ts=message_ts, thread_ts=thread_ts,
                                    message=message, team=team_id or self.team_id, user_team=user_team, state=state)

    def home_action(self, user: str, action_id: str, value: Optional[str] = None, *, view_id: str = "VHOME",
                    block_id: str = "b", text: str = "", team_id: Optional[str] = None,
                    user_team: Optional[str] = None, view_blocks: Optional[list] = None) -> Response:
        """A click on a button in App Home: the container is the view (``type: view``), the
        payload has the ``view`` (``type: home``) and no channel, message or response_url."""
        team = team_id or self.team_id
        action = {"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                  "text": {"type": "plain_text", "text": text or value or "", "emoji": True}, "action_ts": next_ts()}
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(),
                                              "team_id": user_team or team},
            "api_app_id": self.api_app_id, "token": "verification-token",
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self._trigger_id(), "team": {"id": team, "domain": team.lower()},
            "enterprise": None, "is_enterprise_install": False,
            "view": {"id": view_id, "team_id": team, "type": "home", "blocks": view_blocks or [],
                     "private_metadata": "", "callback_id": "", "state": {"values": {}}, "hash": f"{view_id}.hash",
                     "app_id": self.api_app_id, "bot_id": "B_BOT"},
            "state": {"values": {}}, "actions": [action],
        }
        return self._form({"payload": json.dumps(payload)})

    def view_submission(self, user: str, callback_id: str, *, private_metadata: str = "",
                        values: Optional[dict] = None, team_id: Optional[str] = None,
                        view_id: str = "V1") -> Response:
        """Submitting a modal (``view_submission``); ``values`` is the view's
        ``state.values`` (block id -> action id -> element state)."""
        team = team_id or self.team_id
        payload = {
            "type": "view_submission", "team": {"id": team, "domain": team.lower()},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": self.api_app_id, "token": "verification-token", "trigger_id": self._trigger_id(),
            "view": {"id": view_id, "type": "modal", "callback_id": callback_id, "team_id": team,
                     "private_metadata": private_metadata, "hash": f"{view_id}.hash", "app_id": self.api_app_id,
                     "bot_id": "B_BOT", "state": {"values": values or {}}},
            "response_urls": [], "is_enterprise_install": False,
        }
        return self._form({"payload": json.dumps(payload)})

    def slash_command(self, command: str, text: str, user: str, channel: str, *, team_id: Optional[str] = None,
                      channel_name: str = "directmessage") -> Response:
        team = team_id or self.team_id
        return self._form({
            "token": "verification-token", "team_id": team, "team_domain": team.lower(),
            "channel_id": channel, "channel_name": channel_name, "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": self.api_app_id, "is_enterprise_install": "false",
            "response_url": self._response_url("commands"), "trigger_id": self._trigger_id(),
        })


_EVENT_KWARGS = ("event_id", "team_id", "retry_num", "retry_reason", "authorizations", "is_ext_shared_channel")


def _envelope_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    """Pop the :meth:`SlackDriver.event` keyword arguments out of ``kw``."""
    return {k: kw.pop(k) for k in _EVENT_KWARGS if k in kw}


def _retry_headers(retry_num: Optional[int], reason: str) -> dict[str, str]:
    if retry_num is None:
        return {}
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
