"""What every listener needs: engine, store, settings and who the app is."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from bot.content.bundle import Content
from bot.conversation import Engine
from bot.hours import BusinessHours
from bot.limits import ChannelPacer, UserRateLimit
from bot.slack import codec
from bot.slack.membership import MembershipCache
from bot.slack.people import People, Person
from bot.slack.threads import ThreadMemory
from bot.slack.settings import SlackSettings
from bot.store import Store


@dataclass
class SlackContext:
    settings: SlackSettings
    engine: Engine
    store: Store
    content: Content
    client: WebClient
    home_team: str
    bot_user_id: str
    members: MembershipCache = field(default_factory=MembershipCache)  # the agent channel's, cached
    pacer: ChannelPacer | None = None       # one post a second per channel (None: unpaced)
    rate_limit: UserRateLimit | None = None  # messages a minute per person (None: unlimited)
    inbox: Any = None                        # bot.inbox.Inbox when events are queued durably
    inbox_workers: Any = None                # bot.inbox.InboxWorkers reading it in this process
    threads: ThreadMemory = field(default_factory=lambda: ThreadMemory())  # threads the bot posted in
    hours: BusinessHours = field(default_factory=BusinessHours.always)  # when agents are in
    clock: Callable[[], float] = time.time  # the engine's: tests fix it to try business hours
    figures: Any = None                     # bot.figures.Figures: the day's counts
    people: People = field(init=False)  # who is a prospect, staff or an agent (cached look-ups)

    def __post_init__(self) -> None:
        self.people = People(self.home_team, self.settings.agent_channel_id, self.members)

    def who(self, user_id: str, team_hint: str | None = None) -> Person:
        return self.people.who(self.client, user_id, team_hint)

    def company(self, team_id: str | None) -> str | None:
        return self.people.company(self.client, team_id)

    def conversation_key(self, channel: str, thread_ts: str | None) -> str:
        """team:channel:thread. A DM is one conversation; a channel thread is another.
        The team is the app's home workspace, so a Slack Connect prospect's conversation
        has the same key whichever side's event names it."""
        return codec.conversation_key(self.home_team, channel, thread_ts)

    def say(self, key: str, lang: str, /, **values: object) -> str:
        return self.content.messages.say(key, lang, **values)
