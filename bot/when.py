"""When a person will answer, in words: 「本日13時以降」, 「翌営業日(12月3日)9時以降」.

The engine tells a prospect who asks for a person outside business hours when an agent will
reply, and tells one who asks how it stands how long they have waited in business time; the
sentences live in content, and this module only fills in the date and the time.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.hours import BusinessHours

EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
JA_WEEKDAYS = "月火水木金土日"

Say = Callable[..., str]


def next_contact(hours: BusinessHours, now: float, lang: str, say: Say) -> str:
    """When the next business hours begin, as a phrase for `handoff_started_closed` and the
    status reply ("today after 13:00", "on the next business day (Thursday 3 December) after 9:00")."""
    opens = hours.local(hours.next_open(now))
    today = hours.local(now).date()
    if lang == "ja":
        time = f"{opens.hour}時" + (f"{opens.minute}分" if opens.minute else "")
        date = f"{opens.month}月{opens.day}日"
    else:
        time = f"{opens.hour}:{opens.minute:02d}"
        date = f"{EN_WEEKDAYS[opens.weekday()]} {opens.day} {EN_MONTHS[opens.month - 1]}"
    if opens.date() == today:
        return say("when_today", lang, time=time)
    return say("when_next_day", lang, date=date, time=time)


def waited_minutes(hours: BusinessHours, since: float, now: float, urgent: bool) -> int:
    """How long a handoff has waited: wall time for an incident (agents are alerted at once,
    whatever the hour), business time for anything else; at least 1."""
    seconds = now - since if urgent or hours.is_always else hours.business_seconds(since, now)
    return max(1, int(seconds // 60))
