"""Checks against Slack before serving: each failure stops start-up naming the setting to fix
(a worker that can't boot, or a Socket Mode client that retries forever, says nothing useful)."""

from __future__ import annotations

from bot.app_context import StartupError
from bot.slack.settings import SlackSettings

APP_TOKEN_TIMEOUT = 10


def check_slack(settings: SlackSettings) -> None:
    """Before serving: the token works, the Web API answers, and the app can post to the agent
    channel. Each failure names the setting to fix (a worker that can't boot says nothing useful)."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.web import web_client

    client = web_client(settings)
    try:
        client.auth_test()
    except SlackApiError as exc:
        raise StartupError(f"SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')})") from None
    except Exception as exc:  # connection refused, DNS, TLS: the URL is wrong or unreachable
        raise StartupError(f"cannot reach the Slack Web API at SLACK_API_URL ({settings.api_url}): {type(exc).__name__}") from None
    try:
        info = client.conversations_info(channel=settings.agent_channel_id)["channel"]
    except SlackApiError as exc:
        raise StartupError(f"AGENT_CHANNEL_ID {settings.agent_channel_id}: {exc.response.get('error')} "
                           "(is the id right, and is the app invited to that channel?)") from None
    if not info.get("is_member", True):
        raise StartupError(f"AGENT_CHANNEL_ID {settings.agent_channel_id}: the app is not a member of that channel; "
                           "invite it there (/invite @the-app) so it can post handoff cards")


def check_app_token(settings: SlackSettings) -> None:
    """Socket Mode, before connecting: Slack hands the app-level token a WebSocket URL
    (apps.connections.open). A refused token (wrong, revoked, or without connections:write)
    names SLACK_APP_TOKEN with Slack's error; no answer at all names SLACK_API_URL."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    if not settings.app_token:
        raise StartupError("SLACK_APP_TOKEN is not set (an app-level token starting with xapp-, scope connections:write)")
    client = WebClient(token=settings.app_token, base_url=settings.api_url, timeout=APP_TOKEN_TIMEOUT)
    try:
        answer = client.apps_connections_open(app_token=settings.app_token)
    except SlackApiError as exc:
        raise StartupError(f"SLACK_APP_TOKEN was refused by Slack ({exc.response.get('error')}); "
                           "is it the app-level token (xapp-) with the connections:write scope?") from None
    except Exception as exc:  # connection refused, DNS, TLS: the URL is wrong or unreachable
        raise StartupError(f"cannot reach the Slack Web API at SLACK_API_URL ({settings.api_url}): {type(exc).__name__}") from None
    if not answer.get("url"):
        raise StartupError("SLACK_APP_TOKEN: Slack's apps.connections.open gave no WebSocket URL")
