"""Every setting the served app reads is checked at start-up (`load_settings`), each bad one named,
all of them at once; and the Socket Mode preflight (`check_app_token`) against the fake Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app_context import StartupError
from bot.slack.preflight import check_app_token, check_slack
from bot.slack.settings import SettingsError, SlackSettings, load_settings
from tests.redis_server import free_port
from tests.slack_sim import FakeSlackAPI

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "testsigningsecret0123",
    "SLACK_APP_TOKEN": "xapp-1-A0APP-1-fake", "SLACK_API_URL": "https://slack.com/api/",
    "REDIS_URL": "redis://localhost:6379/0", "AGENT_CHANNEL_ID": "CAGENTS",
}


def load(mode: str = "http", **change: str) -> SlackSettings:
    return load_settings(mode, env={**GOOD, **change})  # type: ignore[arg-type]


def refused(mode: str = "http", **change: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load(mode, **change)
    return str(caught.value)


# -- defaults and good values -----------------------------------------------------------------


def test_defaults():
    s = load()
    assert (s.host, s.port, s.web_concurrency, s.web_threads) == ("0.0.0.0", 3000, 2, 8)
    assert (s.log_level, s.rate_limit_per_minute, s.inbox_shards, s.redis_cluster) == ("info", 20, 8, False)
    assert s.remind_minutes == 10.0 and s.bind == "0.0.0.0:3000"


def test_empty_values_mean_the_defaults():
    names = ("HOST", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "LOG_LEVEL", "LOG_MESSAGE_TEXT", "RATE_LIMIT_PER_MINUTE",
             "INBOX_SHARDS", "REDIS_CLUSTER", "CONVERSATION_TTL_DAYS", "HANDOFF_REMIND_MINUTES")
    assert load(**{name: "" for name in names}) == load()
    # blanks too, except where bot.logs (which reads them again) refuses them
    assert load(**{name: "  " for name in names if not name.startswith("LOG_")}) == load()
    assert "LOG_LEVEL" in refused(LOG_LEVEL="  ")


def test_good_values_are_read():
    s = load(HOST="127.0.0.1", PORT="8080", WEB_CONCURRENCY="4", WEB_THREADS="16", LOG_LEVEL="DeBuG",
             LOG_MESSAGE_TEXT="1", RATE_LIMIT_PER_MINUTE="1000", INBOX_SHARDS="64", CONVERSATION_TTL_DAYS="7",
             HANDOFF_REMIND_MINUTES="0.5")
    assert (s.host, s.port, s.web_concurrency, s.web_threads) == ("127.0.0.1", 8080, 4, 16)
    assert (s.log_level, s.rate_limit_per_minute, s.inbox_shards, s.remind_minutes) == ("debug", 1000, 64, 0.5)


@pytest.mark.parametrize("host, bind", [
    ("::", "[::]:3000"), ("[::1]", "[::1]:3000"), ("::ffff:10.0.0.1", "[::ffff:a00:1]:3000"),
    ("localhost", "localhost:3000"), ("bot-1.internal.example.com", "bot-1.internal.example.com:3000"),
    ("10.1.2.3", "10.1.2.3:3000"),
])
def test_host_takes_ipv4_ipv6_and_hostnames(host, bind):
    assert load(HOST=host).bind == bind


@pytest.mark.parametrize("url", ["redis+cluster://node-1:7000", "rediss+cluster://:secret@node-1:7000/0",
                                 "rediss://cache.example.com:6380/1", "unix:///run/redis.sock"])
def test_redis_urls_accepted(url):
    s = load(REDIS_URL=url)
    assert s.redis_url == url and s.redis_cluster == ("+cluster" in url)


@pytest.mark.parametrize("flag, cluster", [("1", True), ("true", True), ("YES", True), ("0", False),
                                           ("false", False), ("no", False), ("", False)])
def test_redis_cluster_flag(flag, cluster):
    assert load(REDIS_CLUSTER=flag).redis_cluster is cluster


def test_socket_mode_needs_the_app_token_not_the_signing_secret():
    assert load("socket", SLACK_SIGNING_SECRET="").app_token == GOOD["SLACK_APP_TOKEN"]
    assert "SLACK_APP_TOKEN" in refused("socket", SLACK_APP_TOKEN="")


def test_settings_built_by_hand_keep_working():
    s = SlackSettings("xoxb-1", "secret123", "", "https://slack.com/api/", "redis://h", "C1", 3000, 10.0)
    assert (s.host, s.web_concurrency, s.web_threads, s.log_level) == ("0.0.0.0", 2, 8, "info")
    assert (s.rate_limit_per_minute, s.inbox_shards, s.redis_cluster) == (20, 8, False)


# -- each bad value named ---------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [
    ("LOG_LEVEL", "loud"), ("LOG_LEVEL", "trace"), ("LOG_MESSAGE_TEXT", "yes"), ("LOG_MESSAGE_TEXT", "true"),
    ("WEB_CONCURRENCY", "0"), ("WEB_CONCURRENCY", "65"), ("WEB_CONCURRENCY", "two"), ("WEB_CONCURRENCY", "1.5"),
    ("WEB_CONCURRENCY", "-1"), ("WEB_THREADS", "0"), ("WEB_THREADS", "257"), ("WEB_THREADS", "²"),
    ("PORT", "0"), ("PORT", "65536"), ("PORT", "http"),
    ("HOST", "not a host"), ("HOST", "-bad.example.com"), ("HOST", "a..b"), ("HOST", "999.1.1.1"),
    ("HOST", "0.0.0.0:3000"), ("HOST", "x" * 64 + ".example.com"), ("HOST", "http://example.com"),
    ("RATE_LIMIT_PER_MINUTE", "0"), ("RATE_LIMIT_PER_MINUTE", "ten"),
    ("INBOX_SHARDS", "0"), ("INBOX_SHARDS", "65"), ("INBOX_SHARDS", "8 shards"),
    ("REDIS_CLUSTER", "maybe"), ("REDIS_CLUSTER", "2"),
    ("CONVERSATION_TTL_DAYS", "0"), ("CONVERSATION_TTL_DAYS", "1.5"), ("CONVERSATION_TTL_DAYS", "week"),
    ("HANDOFF_REMIND_MINUTES", "0"), ("HANDOFF_REMIND_MINUTES", "soon"), ("HANDOFF_REMIND_MINUTES", "nan"),
    ("REDIS_URL", "http://localhost:6379"), ("REDIS_URL", "redis+sentinel://h:1"), ("REDIS_URL", "redis://h:port/0"),
    ("SLACK_API_URL", "slack.com/api"), ("SLACK_BOT_TOKEN", "xoxp-user-token"), ("AGENT_CHANNEL_ID", "#agents"),
])
def test_each_bad_value_is_named(name, value):
    message = refused(**{name: value})
    assert name in message
    assert message.count(";") == 0, message  # that one problem only


def test_cluster_mode_over_a_unix_socket_is_refused():
    message = refused(REDIS_URL="unix:///run/redis.sock", REDIS_CLUSTER="1")
    assert "REDIS_URL" in message and "REDIS_CLUSTER" in message


def test_every_problem_is_reported_at_once():
    message = refused(SLACK_BOT_TOKEN="", LOG_LEVEL="loud", LOG_MESSAGE_TEXT="yes", WEB_CONCURRENCY="0",
                      WEB_THREADS="many", HOST="bad host", PORT="99999", RATE_LIMIT_PER_MINUTE="0", INBOX_SHARDS="100",
                      REDIS_CLUSTER="maybe", CONVERSATION_TTL_DAYS="0", HANDOFF_REMIND_MINUTES="never")
    named = ("SLACK_BOT_TOKEN", "LOG_LEVEL", "LOG_MESSAGE_TEXT", "WEB_CONCURRENCY", "WEB_THREADS", "HOST", "PORT",
             "RATE_LIMIT_PER_MINUTE", "INBOX_SHARDS", "REDIS_CLUSTER", "CONVERSATION_TTL_DAYS", "HANDOFF_REMIND_MINUTES")
    for name in named:
        assert name in message, name
    assert len(message.split("; ")) == len(named)


def test_the_process_environment_is_read_when_no_env_is_given(monkeypatch):
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WEB_THREADS", "3")
    monkeypatch.setenv("INBOX_SHARDS", "nope")
    with pytest.raises(SettingsError, match="INBOX_SHARDS"):
        load_settings("http")
    monkeypatch.delenv("INBOX_SHARDS")
    assert load_settings("http").web_threads == 3


# -- Socket Mode preflight against the fake Slack ---------------------------------------------


@pytest.fixture()
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as api:
        yield api


def settings_for(fake: FakeSlackAPI, **change: str) -> SlackSettings:
    return load("socket", SLACK_API_URL=fake.url, **change)


def test_a_good_app_token_opens_a_connection(fake):
    check_app_token(settings_for(fake))
    [call] = fake.calls_to("apps.connections.open")
    assert call.token == fake.app_token


def test_a_refused_app_token_names_SLACK_APP_TOKEN_and_slacks_error(fake, capsys):
    with pytest.raises(StartupError) as caught:
        check_app_token(settings_for(fake, SLACK_APP_TOKEN="xapp-1-A0APP-1-revoked"))
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "invalid_auth" in err
    assert "xapp-1-A0APP-1-revoked" not in err  # a token is never printed


def test_an_unreachable_api_names_SLACK_API_URL(capsys):
    url = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    with pytest.raises(StartupError):
        check_app_token(load("socket", SLACK_API_URL=url))
    err = capsys.readouterr().err
    assert "SLACK_API_URL" in err and url in err and "SLACK_APP_TOKEN" not in err


def test_a_missing_app_token_is_named(fake, capsys):
    with pytest.raises(StartupError):
        check_app_token(SlackSettings("xoxb-1", "", "", fake.url, "redis://h", "C1", 3000, 10.0))
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err


def test_check_slack_moved_here_still_checks_the_bot_token_and_channel(fake, capsys):
    check_slack(settings_for(fake))
    assert fake.calls_to("auth.test") and fake.calls_to("conversations.info")
    fake.fail_next("auth.test", error="invalid_auth")
    with pytest.raises(StartupError):
        check_slack(settings_for(fake))
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in capsys.readouterr().err
    fake.channels["CAGENTS"] = {"is_member": False}
    with pytest.raises(StartupError):
        check_slack(settings_for(fake))
    assert "AGENT_CHANNEL_ID CAGENTS: the app is not a member" in capsys.readouterr().err


def test_inbox_claim_idle_seconds_is_read_and_checked_with_the_others():
    assert load().inbox_claim_idle_seconds == 30.0
    assert load(INBOX_CLAIM_IDLE_SECONDS="2.5").inbox_claim_idle_seconds == 2.5
    for bad in ("0.5", "3601", "soon", "nan"):
        message = refused(INBOX_CLAIM_IDLE_SECONDS=bad, WEB_THREADS="0")
        assert "INBOX_CLAIM_IDLE_SECONDS must be a number of seconds from 1 to 3600" in message and "WEB_THREADS" in message


@pytest.mark.parametrize("raw, expected", [
    ("", frozenset()),
    ("C0ASKCYBER", frozenset({"C0ASKCYBER"})),
    ("C0ASK1, G0PRIV2 ,C0ASK3", frozenset({"C0ASK1", "G0PRIV2", "C0ASK3"})),
])
def test_answer_all_channels_lists_channel_ids(raw, expected):
    assert load(ANSWER_ALL_CHANNELS=raw).answer_all_channels == expected


@pytest.mark.parametrize("raw", ["#ask-cyber", "C0ASK1;C0ASK2", "U0PERSON1", "c0lower"])
def test_answer_all_channels_that_are_not_channel_ids_stop_start_up(raw):
    with pytest.raises(SettingsError, match="ANSWER_ALL_CHANNELS"):
        load(ANSWER_ALL_CHANNELS=raw)


def test_the_agent_channel_cannot_be_an_answer_all_channel():
    with pytest.raises(SettingsError, match="ANSWER_ALL_CHANNELS must not include AGENT_CHANNEL_ID"):
        load(ANSWER_ALL_CHANNELS=f"C0ASK1,{load().agent_channel_id}")


# -- the agent desk ------------------------------------------------------------------------------


def test_agent_desk_defaults_and_values():
    s = load()
    assert (s.remind_max_minutes, s.urgent_remind_minutes, s.oncall_mention) == (120.0, 5.0, "")
    s = load(HANDOFF_REMIND_MAX_MINUTES="60", URGENT_REMIND_MINUTES="2.5", ONCALL_MENTION="S0ONCALL")
    assert (s.remind_max_minutes, s.urgent_remind_minutes, s.oncall_mention) == (60.0, 2.5, "<!subteam^S0ONCALL>")
    assert load(ONCALL_MENTION="U0AAA1, U0BBB2").oncall_mention == "<@U0AAA1> <@U0BBB2>"
    assert load(ONCALL_MENTION="<!subteam^S0X1>").oncall_mention == "<!subteam^S0X1>"  # pasted as Slack writes it


@pytest.mark.parametrize("name, value, says", [
    ("BUSINESS_HOURS", "Mon-Fry 09:00-17:00", "unknown day 'Fry'"),
    ("BUSINESS_HOURS", "Mon-Fri 18:00-09:00", "start must be before end"),
    ("BUSINESS_TIMEZONE", "Asia/Tokio", "BUSINESS_TIMEZONE"),
    ("CLOSED_DAYS", "12-32", "CLOSED_DAYS"),
    ("ONCALL_MENTION", "@oncall-team", "ONCALL_MENTION"),
    ("HANDOFF_REMIND_MAX_MINUTES", "0", "HANDOFF_REMIND_MAX_MINUTES"),
    ("URGENT_REMIND_MINUTES", "soon", "URGENT_REMIND_MINUTES"),
])
def test_bad_agent_desk_settings_are_named(name, value, says):
    assert says in refused(**{name: value})


def test_business_hours_default_to_weekdays_in_tokyo_and_stop_the_terminal_chat_when_bad():
    from bot.hours import from_env

    hours = from_env({})
    assert not hours.is_always and hours.tz.key == "Asia/Tokyo"
    assert from_env({"BUSINESS_HOURS": "always"}).is_always
    import subprocess
    import sys

    from tests.conftest import ROOT, cli_env

    proc = subprocess.run([sys.executable, "-m", "bot", "chat"], input="", capture_output=True, text=True, cwd=ROOT,
                          env=cli_env(BUSINESS_HOURS="weekdays"), timeout=120)
    assert proc.returncode == 2 and "BUSINESS_HOURS" in proc.stderr and "Traceback" not in proc.stderr
