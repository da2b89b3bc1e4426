"""A loopback stand-in for the Slack Web API.

Slack is unreachable from CI, so the app's ``WebClient`` is pointed here
(``base_url=fake.url``, i.e. env ``SLACK_API_URL``).  The fake answers with the
response *shapes* Slack uses, records every call so tests can assert on what
the app said, and can be told to fail so error paths get exercised.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

# One process-wide counter, shared with the driver, so every ts handed out by
# the simulator (bot posts and user messages alike) is unique and increasing,
# like Slack's, and identical from run to run.
_TS_COUNTER = itertools.count(1)
_TS_BASE_US = 1_700_000_000_000_000


def next_ts() -> str:
    """Return the next Slack-style ts ("1700000000.000100", "...000200", ...)."""
    us = _TS_BASE_US + next(_TS_COUNTER) * 100
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


# Params slack_sdk serialises to JSON strings in form bodies; only these are
# decoded so that a message text like "[1]" is never mistaken for JSON.
_JSON_PARAMS = {"blocks", "attachments", "view", "metadata", "unfurls", "user_auth_blocks"}


@dataclass
class Call:
    """One request the app made.  ``method`` is the Web API method name, or
    ``"response_url"`` for posts to a response_url (then ``path`` holds its id)."""

    method: str
    params: dict
    token: Optional[str]
    ts: float
    path: str = ""
    response: Any = None  # what the fake answered (dict, or "ok" for response_url)


@dataclass
class _Fault:
    error: str
    times: int
    status: int
    retry_after: Optional[int]
    when: Optional[Callable[[dict], bool]] = None


class FakeSlackAPI:
    """Slack Web API fake on 127.0.0.1 (free port), served from a daemon thread.

    ``users``: id -> partial user dict (missing name/profile fields are filled
    in); ``channel_members``: channel id -> member ids for conversations.members;
    ``channels``: channel id -> fields merged into conversations.info answers.
    """

    def __init__(
        self,
        *,
        team_id: str = "T_HOME",
        bot_user_id: str = "U_BOT",
        bot_id: str = "B_BOT",
        team_name: str = "Example",
        users: Optional[dict[str, dict]] = None,
        channel_members: Optional[dict[str, list[str]]] = None,
        channels: Optional[dict[str, dict]] = None,
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.team_name = team_id, bot_user_id, bot_id, team_name
        self.users: dict[str, dict] = {}
        self.add_user(bot_user_id, name="bot", is_bot=True)
        for uid, info in (users or {}).items():
            self.add_user(uid, **info)
        self.channel_members: dict[str, list[str]] = dict(channel_members or {})
        self.channels: dict[str, dict] = dict(channels or {})
        self.calls: list[Call] = []
        self._store: dict[tuple[str, str], dict] = {}  # (channel, ts) -> current message
        self._faults: dict[str, list[_Fault]] = {}
        self._cond = threading.Condition()
        self._view_ids = itertools.count(1)
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> "FakeSlackAPI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # An answer's headers and body go out as two writes; with Nagle's algorithm on a
            # kept-alive connection the body waits for the client's delayed ACK (~40 ms).
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        name="FakeSlackAPI", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeSlackAPI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:5555/`` (response_urls live under it)."""
        assert self._server, "FakeSlackAPI not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def url(self) -> str:
        """WebClient ``base_url`` (ends with ``/api/``)."""
        return self.base_url + "api/"

    # ------------------------------------------------------------ test helpers
    def add_user(self, user_id: str, *, name: Optional[str] = None, real_name: Optional[str] = None,
                 team_id: Optional[str] = None, **extra: Any) -> dict:
        """Register a user for users.info; Slack Connect guests just use another team_id."""
        name = name or user_id.lower()
        real_name = real_name or name.title()
        profile = {"display_name": name, "real_name": real_name,
                   "image_48": f"https://example.slack.com/{user_id}_48.png",
                   "image_72": f"https://example.slack.com/{user_id}_72.png", **extra.pop("profile", {})}
        user = {"id": user_id, "name": name, "real_name": real_name, "team_id": team_id or self.team_id,
                "deleted": False, "is_bot": False, "tz": "Europe/London", "profile": profile, **extra}
        self.users[user_id] = user
        return user

    def fail_next(self, method: str, error: str = "ratelimited", times: int = 1,
                  status: int = 200, retry_after: Optional[int] = None,
                  when: Optional[Callable[[dict], bool]] = None) -> None:
        """Make the next ``times`` calls to ``method`` fail: ``ok: false`` with ``error``
        (status 200), or an HTTP ``status`` such as 429 (with Retry-After) or 500.
        With ``when``, only calls whose params satisfy it fail (e.g. one channel's posts)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._cond:
            self._faults.setdefault(method, []).append(_Fault(error, times, status, retry_after, when))

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, predicate: Optional[Callable[[Call], bool]] = None,
                 count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` match ``predicate`` (the app may
        answer Slack first and call the API afterwards, from another thread)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} call(s) to {method} matching predicate within {timeout}s, "
                        f"got {len(found)}. Calls made:\n{self.dump()}")
                self._cond.wait(remaining)

    def assert_no_call(self, method: str, predicate: Optional[Callable[[Call], bool]] = None,
                       within: float = 0.2, count: int = 0) -> None:
        """Silence: fail if more than ``count`` calls to ``method`` match ``predicate``, now or
        at any moment during the next ``within`` seconds."""
        deadline = time.monotonic() + within
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]
                if len(found) > count:
                    raise AssertionError(
                        f"expected at most {count} call(s) to {method} matching predicate, got {len(found)}. "
                        f"Calls made:\n{self.dump()}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    def dump(self) -> str:
        """Readable list of recorded calls, for assertion messages."""
        with self._cond:
            lines = [f"  {i}. {c.method} {json.dumps(c.params, default=str, ensure_ascii=False)[:300]}" for i, c in enumerate(self.calls)]
        return "\n".join(lines) or "  (no calls)"

    def messages(self, channel: Optional[str] = None, thread_ts: Optional[str] = None) -> list[dict]:
        """Params of chat.postMessage calls (optionally filtered); each copy carries the
        ``ts`` the fake assigned when the post succeeded."""
        out = []
        for c in self.calls_to("chat.postMessage"):
            if (channel is None or c.params.get("channel") == channel) and \
                    (thread_ts is None or c.params.get("thread_ts") == thread_ts):
                ts = c.response.get("ts") if isinstance(c.response, dict) else None
                out.append({**c.params, **({"ts": ts} if ts else {})})
        return out

    def reset(self) -> None:
        """Forget calls and pending faults; posted messages stay editable via chat.update."""
        with self._cond:
            self.calls.clear()
            self._faults.clear()

    # --------------------------------------------------------------- transport
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0)) if req.command == "POST" else b""
        ctype = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if req.command == "GET":
            params = _flat(parse_qs(parts.query, keep_blank_values=True))
        elif ctype == "application/json":
            try:
                params = json.loads(raw or b"{}")
            except ValueError:
                params = {"_raw": raw.decode("utf-8", "replace")}
        else:
            params = _flat(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True))
            params.update(_flat(parse_qs(parts.query, keep_blank_values=True)))
        for key in _JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        auth = req.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        params.pop("token", None)

        if parts.path.startswith("/response_url/"):
            method, path_id = "response_url", parts.path[len("/response_url/"):]
        elif parts.path.startswith("/api/"):
            method, path_id = parts.path[len("/api/"):], ""
        else:
            method, path_id = parts.path, ""
        call = Call(method, params, token, time.time(), path_id)
        status, headers, body = self._respond(call)
        call.response = body
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)

    def _respond(self, call: Call) -> tuple[int, dict, Any]:
        with self._cond:
            queue = self._faults.get(call.method) or []
            fault = next((f for f in queue if f.when is None or f.when(call.params)), None)
            if fault:
                fault.times -= 1
                if fault.times <= 0:
                    queue.remove(fault)
        if fault:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, {"ok": False, "error": fault.error}
        if call.method == "response_url":
            return 200, {}, "ok"
        if call.method == "apps.connections.open":  # answered by which token came, not by params
            return 200, {}, self._apps_connections_open(call.token)
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if not call.token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        try:
            return 200, {}, handler(call.params)
        except Exception as exc:  # a bug in the fake must fail loudly, not hang the app
            return 500, {}, {"ok": False, "error": f"fake_api_error: {exc!r}"}

    # ----------------------------------------------------------------- methods
    # The app-level token apps.connections.open accepts (Socket Mode); set another to test a refusal.
    app_token: Optional[str] = "xapp-1-A0APP-1-fake"

    def _apps_connections_open(self, token: Optional[str]) -> dict:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": "wss://wss-primary.slack.com/link/?ticket=fake&app_id=A_APP"}

    def _m_auth_test(self, p: dict) -> dict:
        return {"ok": True, "url": "https://example.slack.com/", "team": self.team_name, "user": "bot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}

    def _message(self, channel: str, p: dict, ts: str) -> dict:
        msg = {"type": "message", "text": p.get("text", ""), "user": self.bot_user_id, "bot_id": self.bot_id,
               "app_id": "A_APP", "team": self.team_id, "ts": ts, "blocks": p.get("blocks", [])}
        for key in ("thread_ts", "attachments", "metadata"):
            if p.get(key):
                msg[key] = p[key]
        return msg

    def _m_chat_postMessage(self, p: dict) -> dict:
        channel = p.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            return {"ok": False, "error": "no_text"}
        if channel[0] in "UW":  # posting to a user id lands in the DM
            channel = "D" + channel
        ts = next_ts()
        msg = self._message(channel, p, ts)
        with self._cond:
            self._store[(channel, ts)] = msg
        return {"ok": True, "channel": channel, "ts": ts, "message": msg}

    def _m_chat_update(self, p: dict) -> dict:
        key = (p.get("channel", ""), p.get("ts", ""))
        with self._cond:
            if key not in self._store:
                return {"ok": False, "error": "message_not_found"}
            msg = self._store[key]
            msg.update({k: p[k] for k in ("text", "blocks", "attachments", "metadata") if k in p})
            msg["edited"] = {"user": self.bot_user_id, "ts": next_ts()}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": msg["text"], "message": dict(msg)}

    def _m_chat_delete(self, p: dict) -> dict:
        with self._cond:
            gone = self._store.pop((p.get("channel", ""), p.get("ts", "")), None)
        if gone is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": p["channel"], "ts": p["ts"]}

    def _m_chat_postEphemeral(self, p: dict) -> dict:
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "channel_not_found" if not p.get("channel") else "user_not_in_channel"}
        return {"ok": True, "message_ts": next_ts()}

    def _m_chat_getPermalink(self, p: dict) -> dict:
        channel, ts = p.get("channel", ""), p.get("message_ts", "")
        link = f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        thread = self._store.get((channel, ts), {}).get("thread_ts")
        if thread and thread != ts:
            link += f"?thread_ts={thread}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _view(self, p: dict) -> dict:
        view = p.get("view") or {}
        vid = p.get("view_id") or f"V{next(self._view_ids):08d}"
        return {"ok": True, "view": {"id": vid, "team_id": self.team_id, "app_id": "A_APP",
                                     "bot_id": self.bot_id, "hash": f"{vid}.hash", "state": {"values": {}},
                                     "private_metadata": "", "callback_id": "", **view}}

    _m_views_publish = _m_views_open = _m_views_update = _m_views_push = _view

    def _m_conversations_open(self, p: dict) -> dict:
        users = [u for u in str(p.get("users", "")).split(",") if u]
        if p.get("channel"):
            return {"ok": True, "channel": {"id": p["channel"]}}
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        cid = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": cid}}

    def _m_conversations_members(self, p: dict) -> dict:
        channel = p.get("channel", "")
        if channel not in self.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        members, limit = self.channel_members[channel], int(p.get("limit") or 100)
        start = int(p["cursor"].split(":")[1]) if p.get("cursor") else 0
        nxt = f"next:{start + limit}" if start + limit < len(members) else ""
        return {"ok": True, "members": members[start:start + limit], "response_metadata": {"next_cursor": nxt}}

    def _m_conversations_info(self, p: dict) -> dict:
        cid = p.get("channel", "")
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        info = {"id": cid, "name": cid.lower(), "is_channel": cid[0] == "C", "is_group": cid[0] == "G",
                "is_im": cid[0] == "D", "is_private": cid[0] in "GD", "is_member": True,
                "is_shared": False, "is_ext_shared": False, "is_org_shared": False,
                "context_team_id": self.team_id, "created": 1700000000}
        info.update(self.channels.get(cid, {}))
        return {"ok": True, "channel": info}

    def _m_users_info(self, p: dict) -> dict:
        user = self.users.get(p.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_team_info(self, p: dict) -> dict:
        tid = p.get("team") or self.team_id
        name = self.team_name if tid == self.team_id else tid
        return {"ok": True, "team": {"id": tid, "name": name, "domain": name.lower(),
                                     "email_domain": "", "icon": {"image_68": ""}}}

    def _m_reactions_add(self, p: dict) -> dict:
        if not p.get("name"):
            return {"ok": False, "error": "invalid_name"}
        return {"ok": True}

    # The app's own posts as Slack keeps them (a user's message is not stored here; the app
    # reads threads to find its own replies). Metadata is always included.
    def _m_conversations_replies(self, p: dict) -> dict:
        channel, root = p.get("channel", ""), p.get("ts", "")
        if not channel or not root:
            return {"ok": False, "error": "invalid_arguments"}
        with self._cond:
            found = [dict(m) for (c, ts), m in sorted(self._store.items()) if c == channel
                     and (ts == root or m.get("thread_ts") == root)]
        return {"ok": True, "messages": found, "has_more": False}

    def _m_conversations_history(self, p: dict) -> dict:
        channel = p.get("channel", "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._cond:
            found = [dict(m) for (c, _), m in sorted(self._store.items(), reverse=True) if c == channel
                     and not m.get("thread_ts")]
        return {"ok": True, "messages": found[: int(p.get("limit") or 100)], "has_more": False}


def _flat(qs: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in qs.items()}
