"""Who wrote or clicked (bot/slack/people.py `People.who`) and the expiring cache behind it
(bot/slack/ttl_cache.py `TtlCache`). A fake Web client counts the calls; a fake clock moves time."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.membership import MembershipCache
from bot.slack.people import FAILED_LOOKUP_SECONDS, PEOPLE_CACHE_SECONDS, Kind, People, Person
from bot.slack.ttl_cache import TtlCache

HOME, CUST, OTHER = "T_HOME", "T_CUST", "T_OTHER"
AGENT_CHANNEL = "C_AGENTS"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def user(team: str | None, *, display: str = "", real: str = "", top_real: str = "", login: str = "login.handle",
         image: str | None = None, **flags: bool) -> dict[str, Any]:
    info: dict[str, Any] = {"name": login, "profile": {"display_name": display, "real_name": real}}
    if team is not None:
        info["team_id"] = team
    if top_real:
        info["real_name"] = top_real
    if image:
        info["profile"]["image_72"] = image
    info.update(flags)
    return info


class FakeClient:
    """users.info answers from `users` (an unknown id is Slack's user_not_found); the agent
    channel lists `agents`, `page` at a time."""

    def __init__(self, users: dict[str, dict[str, Any]] | None = None, agents: list[str] | None = None,
                 page: int = 200) -> None:
        self.users = users or {}
        self.agents = agents or []
        self.page = page
        self.users_info_calls: list[str] = []
        self.members_calls: list[tuple[str, str | None]] = []
        self.users_info_error: str | None = None  # every users.info fails with this, when set

    def users_info(self, *, user: str) -> dict[str, Any]:
        self.users_info_calls.append(user)
        error = self.users_info_error or (None if user in self.users else "user_not_found")
        if error:
            raise SlackApiError(error, {"ok": False, "error": error})
        return {"ok": True, "user": self.users[user]}

    def conversations_members(self, *, channel: str, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        self.members_calls.append((channel, cursor))
        if channel != AGENT_CHANNEL:
            raise SlackApiError("channel_not_found", {"ok": False, "error": "channel_not_found"})
        start = int(cursor or 0)
        end = start + min(limit, self.page)
        nxt = str(end) if end < len(self.agents) else ""
        return {"ok": True, "members": self.agents[start:end], "response_metadata": {"next_cursor": nxt}}


def people(clock: Clock | None = None) -> People:
    p = People(HOME, AGENT_CHANNEL, MembershipCache())
    if clock is not None:
        p._profiles = TtlCache(PEOPLE_CACHE_SECONDS, max_size=20_000, clock=clock)
    return p


# -- who is who -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "agents", "hint", "kind", "team"),
    [
        pytest.param(user(CUST, display="Pat"), [], None, Kind.PROSPECT, CUST, id="other-workspace-by-profile"),
        pytest.param(user(CUST, display="Pat"), ["U1"], None, Kind.PROSPECT, CUST, id="other-workspace-in-agent-channel"),
        pytest.param(user(HOME, display="Sue"), [], None, Kind.STAFF, HOME, id="home-member-is-staff"),
        pytest.param(user(HOME, display="Sue"), ["U_X", "U1"], None, Kind.AGENT, HOME, id="home-member-in-agent-channel"),
        pytest.param(user(HOME, is_restricted=True), [], None, Kind.PROSPECT, HOME, id="home-guest"),
        pytest.param(user(HOME, is_ultra_restricted=True), [], None, Kind.PROSPECT, HOME, id="home-single-channel-guest"),
        pytest.param(user(HOME, is_restricted=True), ["U1"], None, Kind.PROSPECT, HOME, id="home-guest-in-agent-channel"),
        pytest.param(user(HOME, is_ultra_restricted=True), ["U1"], HOME, Kind.PROSPECT, HOME,
                     id="home-single-channel-guest-in-agent-channel"),
        pytest.param(user(HOME, is_stranger=True), [], None, Kind.PROSPECT, HOME, id="stranger-flag"),
        pytest.param(user(CUST), [], HOME, Kind.PROSPECT, CUST, id="profile-team-beats-home-hint"),
        pytest.param(user(HOME), [], CUST, Kind.STAFF, HOME, id="profile-team-beats-customer-hint"),
        pytest.param(user(None), [], CUST, Kind.PROSPECT, CUST, id="no-profile-team-uses-hint"),
        pytest.param(user(None), ["U1"], HOME, Kind.AGENT, HOME, id="no-profile-team-home-hint-agent"),
        pytest.param(user(None), [], None, Kind.PROSPECT, None, id="no-team-at-all"),
    ],
)
def test_who_by_profile(info: dict, agents: list[str], hint: str | None, kind: Kind, team: str | None) -> None:
    client = FakeClient({"U1": info}, agents)
    person = people().who(client, "U1", hint)
    assert (person.id, person.kind, person.team) == ("U1", kind, team)
    assert person.is_staff is (kind is not Kind.PROSPECT)


@pytest.mark.parametrize(("hint", "kind"), [(CUST, Kind.PROSPECT), (OTHER, Kind.PROSPECT), (None, Kind.PROSPECT)],
                         ids=["customer-hint", "other-hint", "no-hint"])
def test_failed_lookup_falls_back_to_the_hint(hint: str | None, kind: Kind) -> None:
    client = FakeClient(agents=["U1"])  # U1 unknown to users.info
    person = people().who(client, "U1", hint)
    assert person == Person("U1", kind, hint, None, None)
    assert client.members_calls == []  # a prospect: the agent channel is not asked


def test_failed_lookup_with_a_home_hint_is_staff_never_an_agent() -> None:
    """Without a profile there is no saying the person is a full member; they are taken for
    staff (not answered as a prospect) but not trusted as an agent."""
    client = FakeClient(agents=["U1"])
    client.users_info_error = "ratelimited"
    person = people().who(client, "U1", HOME)
    assert (person.kind, person.team) == (Kind.STAFF, HOME)
    assert client.members_calls == []


@pytest.mark.parametrize(
    ("info", "name"),
    [
        pytest.param(user(HOME, display="Sue D", real="Susan Doe", top_real="Susan T"), "Sue D", id="display-name"),
        pytest.param(user(HOME, display="", real="Susan Doe", top_real="Susan T"), "Susan Doe", id="profile-real-name"),
        pytest.param(user(HOME, top_real="Susan T"), "Susan T", id="top-level-real-name"),
        pytest.param(user(HOME, login="sue.doe"), None, id="never-the-login"),
        pytest.param(user(CUST, real="Pat Customer", login="pat"), "Pat Customer", id="prospect-real-name"),
    ],
)
def test_name_is_what_slack_shows(info: dict, name: str | None) -> None:
    person = people().who(FakeClient({"U1": info}), "U1")
    assert person.name == name


def test_icon_from_profile() -> None:
    person = people().who(FakeClient({"U1": user(CUST, display="Pat", image="https://img/72.png")}), "U1")
    assert person.icon == "https://img/72.png"


def test_profile_is_looked_up_once_within_the_ttl() -> None:
    clock = Clock()
    client = FakeClient({"U1": user(HOME, display="Sue"), "U2": user(CUST, display="Pat")})
    p = people(clock)
    first = p.who(client, "U1")
    clock.now += PEOPLE_CACHE_SECONDS - 1
    assert p.who(client, "U1") == first
    p.who(client, "U2")
    p.who(client, "U2", HOME)  # a different hint is no reason to ask again
    assert client.users_info_calls == ["U1", "U2"]
    clock.now += 1  # U1's ten minutes are up
    p.who(client, "U1")
    assert client.users_info_calls == ["U1", "U2", "U1"]


def test_a_profile_change_shows_after_the_ttl() -> None:
    clock = Clock()
    client = FakeClient({"U1": user(HOME, display="Sue")})
    p = people(clock)
    assert p.who(client, "U1").name == "Sue"
    client.users["U1"] = user(HOME, display="Sue (away)", is_restricted=True)
    assert p.who(client, "U1").name == "Sue"
    clock.now += PEOPLE_CACHE_SECONDS
    person = p.who(client, "U1")
    assert (person.name, person.kind) == ("Sue (away)", Kind.PROSPECT)


def test_failed_lookup_is_retried_after_the_short_ttl_but_not_before() -> None:
    clock = Clock()
    client = FakeClient()
    client.users_info_error = "fatal_error"
    p = people(clock)
    assert p.who(client, "U1", CUST).kind is Kind.PROSPECT
    clock.now += FAILED_LOOKUP_SECONDS - 0.5
    p.who(client, "U1", CUST)
    assert client.users_info_calls == ["U1"]  # the failure is remembered for a while
    client.users_info_error = None
    client.users["U1"] = user(HOME, display="Sue")
    clock.now += 0.5
    person = p.who(client, "U1", CUST)
    assert client.users_info_calls == ["U1", "U1"]
    assert (person.kind, person.team, person.name) == (Kind.STAFF, HOME, "Sue")
    clock.now += FAILED_LOOKUP_SECONDS  # a good profile is kept the long time
    p.who(client, "U1")
    assert client.users_info_calls == ["U1", "U1"]


def test_agent_channel_members_are_listed_once_for_several_people() -> None:
    client = FakeClient({u: user(HOME, display=u) for u in ("U1", "U2", "U3", "U4")}, agents=["U1", "U3"])
    p = people()
    kinds = [p.who(client, u).kind for u in ("U1", "U2", "U3", "U4")]
    assert kinds == [Kind.AGENT, Kind.STAFF, Kind.AGENT, Kind.STAFF]
    assert client.members_calls == [(AGENT_CHANNEL, None)]


def test_agent_channel_is_listed_page_by_page() -> None:
    agents = [f"U{i}" for i in range(5)]
    client = FakeClient({"U4": user(HOME), "U9": user(HOME)}, agents=agents, page=2)
    p = people()
    assert p.who(client, "U4").kind is Kind.AGENT  # on the last page
    assert p.who(client, "U9").kind is Kind.STAFF
    assert client.members_calls == [(AGENT_CHANNEL, None), (AGENT_CHANNEL, "2"), (AGENT_CHANNEL, "4")]


def test_agent_channel_that_cannot_be_listed_means_staff() -> None:
    client = FakeClient({"U1": user(HOME)}, agents=["U1"])
    p = People(HOME, "C_GONE", MembershipCache())
    assert p.who(client, "U1").kind is Kind.STAFF
    assert p.who(client, "U1").kind is Kind.STAFF
    assert [c for c, _ in client.members_calls] == ["C_GONE", "C_GONE"]  # a failure is not kept


def test_membership_cache_is_shared() -> None:
    members = MembershipCache()
    client = FakeClient({"U1": user(HOME)}, agents=["U1"])
    a, b = People(HOME, AGENT_CHANNEL, members), People(HOME, AGENT_CHANNEL, members)
    assert a.who(client, "U1").kind is Kind.AGENT
    assert b.who(client, "U1").kind is Kind.AGENT
    assert len(client.members_calls) == 1
    assert len(client.users_info_calls) == 2  # profiles are each People's own


# -- TtlCache -------------------------------------------------------------------------------


class Loader:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"v{self.calls}"


def test_ttl_cache_keeps_a_value_until_it_expires() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(10.0, clock=clock)
    assert cache.get("k", load) == "v1"
    clock.now += 9.99
    assert cache.get("k", load) == "v1"
    clock.now += 0.01  # exactly at the deadline it is stale
    assert cache.get("k", load) == "v2"
    assert load.calls == 2


def test_ttl_cache_keys_are_separate() -> None:
    clock = Clock()
    cache: TtlCache[str, str] = TtlCache(10.0, clock=clock)
    assert cache.get("a", lambda: "A") == "A"
    assert cache.get("b", lambda: "B") == "B"
    assert cache.get("a", lambda: "not asked") == "A"


def test_ttl_for_sets_each_values_lifetime() -> None:
    clock = Clock()
    cache: TtlCache[str, str | None] = TtlCache(100.0, clock=clock)
    ttl_for = lambda v: 100.0 if v else 5.0  # noqa: E731
    seen: list[str] = []
    assert cache.get("bad", lambda: seen.append("bad") or None, ttl_for) is None
    assert cache.get("good", lambda: seen.append("good") or "ok", ttl_for) == "ok"
    clock.now += 4.9
    cache.get("bad", lambda: seen.append("bad") or None, ttl_for)
    assert seen == ["bad", "good"]
    clock.now += 0.1
    cache.get("bad", lambda: seen.append("bad") or None, ttl_for)
    cache.get("good", lambda: seen.append("good") or "ok", ttl_for)
    assert seen == ["bad", "good", "bad"]


def test_ttl_for_is_asked_about_the_loaded_value() -> None:
    asked: list[object] = []
    cache: TtlCache[str, int] = TtlCache(1.0, clock=Clock())
    cache.get("k", lambda: 42, lambda v: asked.append(v) or 1.0)
    assert asked == [42]


def test_forget_drops_one_key() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(10.0, clock=clock)
    cache.get("k", load)
    cache.get("other", lambda: "o")
    cache.forget("k")
    cache.forget("never-there")  # no error
    assert cache.get("k", load) == "v2"
    assert cache.get("other", lambda: "not asked") == "o"


def test_max_size_starts_over_when_full() -> None:
    clock = Clock()
    cache: TtlCache[int, int] = TtlCache(10.0, max_size=3, clock=clock)
    loads: list[int] = []

    def get(k: int) -> int:
        return cache.get(k, lambda: loads.append(k) or k * 10)

    for k in (1, 2, 3):
        assert get(k) == k * 10
    assert [get(k) for k in (1, 2, 3)] == [10, 20, 30] and loads == [1, 2, 3]
    assert get(4) == 40  # full: everything goes, 4 is kept
    assert len(cache._values) == 1
    assert get(4) == 40 and loads == [1, 2, 3, 4]
    assert get(1) == 10 and loads == [1, 2, 3, 4, 1]  # 1 has to be asked again


def test_a_failing_load_caches_nothing() -> None:
    cache: TtlCache[str, str] = TtlCache(10.0, clock=Clock())

    def boom() -> str:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        cache.get("k", boom)
    assert cache.get("k", lambda: "up") == "up"
