"""manifest.yaml asks for exactly the scopes and events the code needs.

Each Slack Web API method the app calls (found in bot/ as `client.<method>(`) needs a bot scope
(Slack's method reference); a scope nothing needs is not asked for, since an admin approving
the app reads the list. Messages need their `*:history` scope and event; App Home its event.
"""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

# Web API method -> the bot scope it needs (None: no scope; chat:write covers update/delete of
# the app's own messages; views.* and auth.test need none).
METHOD_SCOPES = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_delete": "chat:write",
    "chat_postEphemeral": "chat:write", "chat_getPermalink": None, "conversations_history": "channels:history",
    "conversations_replies": "channels:history", "conversations_info": "channels:read",
    "conversations_members": "groups:read", "conversations_open": "im:write", "users_info": "users:read",
    "team_info": "team:read", "reactions_add": "reactions:write", "views_open": None, "views_publish": None,
    "auth_test": None, "apps_connections_open": None,
}
# Scopes needed for what Slack sends rather than what the app calls.
EVENT_SCOPES = {"app_mentions:read", "channels:history", "groups:history", "im:history", "commands",
                "chat:write.customize"}


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))


def _called_methods() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found |= set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", path.read_text(encoding="utf-8")))
    return {m for m in found if m in METHOD_SCOPES or not m.startswith(("x", "register", "cluster"))}


def test_every_called_method_is_known_and_its_scope_is_asked_for():
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    called = _called_methods()
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add these Web API methods to METHOD_SCOPES with their scope: {sorted(unknown)}"
    missing = {METHOD_SCOPES[m] for m in called if METHOD_SCOPES[m]} - scopes
    assert not missing, f"manifest lacks scopes the code needs: {sorted(missing)}"


def test_no_scope_is_asked_for_that_nothing_needs():
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    needed = {METHOD_SCOPES[m] for m in _called_methods() if METHOD_SCOPES[m]} | EVENT_SCOPES
    needed.add("groups:read")  # the agent channel may be private: its members are read with groups:read
    assert scopes - needed == set(), f"scopes nothing uses: {sorted(scopes - needed)}"
    assert "mpim:history" not in scopes  # group DMs are not served


def test_events_cover_messages_edits_and_app_home():
    events = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "app_mention", "message.channels", "message.groups", "message.im"} <= events
    assert "message.mpim" not in events
    assert _manifest()["features"]["app_home"]["home_tab_enabled"] is True
