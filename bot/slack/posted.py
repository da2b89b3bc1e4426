"""Has this reply already been posted? Every post the app may have to repeat after a crash
carries its id in Slack message metadata; before posting it again, the thread is read.

Used by the outbox (the bot's replies and relays to the card thread) and by the agent relay.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.context import SlackContext

log = logging.getLogger(__name__)

EVENT_TYPE = "cyber_quote_reply"
HISTORY_LIMIT = 200


def metadata(reply_id: str) -> dict[str, Any]:
    """What a posted reply carries so it can be recognised after a crash."""
    return {"event_type": EVENT_TYPE, "event_payload": {"reply_id": reply_id}}


def already_posted(ctx: SlackContext, channel: str, thread_ts: str | None, reply_id: str) -> bool:
    """Does the thread (or DM) already hold the message carrying `reply_id`? When Slack can't
    say, assume not: a reply twice is better than a reply lost."""
    try:
        if thread_ts:
            page = ctx.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True,
                                                    limit=HISTORY_LIMIT)
        else:
            page = ctx.client.conversations_history(channel=channel, include_all_metadata=True, limit=HISTORY_LIMIT)
    except SlackApiError as exc:
        log.warning("looking for a posted reply failed (%s)", exc.response.get("error"))
        return False
    for message in page.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("reply_id") == reply_id:
            return True
    return False
