"""Per-person message limits and per-channel posting pace, shared through a real redis-server."""

from __future__ import annotations

import time

import redis

from bot.limits import Admission, ChannelPacer, UserRateLimit


def test_twenty_a_minute_then_one_notice_then_silence_until_the_minute_passes(redis_url):
    limit = UserRateLimit(redis.Redis.from_url(redis_url), per_minute=20)
    now = 1_800_000_000.0  # the start of a minute
    seen = [limit.admit("UEXT1", f"m{i}", now + i * 0.1) for i in range(25)]
    assert seen[:20] == [Admission.ALLOWED] * 20
    assert seen[20] is Admission.NOTIFY
    assert seen[21:] == [Admission.IGNORED] * 4
    assert limit.admit("UEXT2", "m0", now + 3) is Admission.ALLOWED  # others are not limited
    assert limit.admit("UEXT1", "m99", now + 61) is Admission.ALLOWED  # a new window


def test_a_message_processed_again_is_judged_as_the_first_time(redis_url):
    limit = UserRateLimit(redis.Redis.from_url(redis_url), per_minute=2)
    now = 1_800_000_000.0
    first = [limit.admit("U1", m, now) for m in ("a", "b", "c")]
    assert [limit.admit("U1", m, now) for m in ("a", "b", "c", "a")] == first + [Admission.ALLOWED]
    assert first == [Admission.ALLOWED, Admission.ALLOWED, Admission.NOTIFY]
    assert limit.admit("U1", "d", now) is Admission.IGNORED


def test_two_processes_share_the_limit(redis_url):
    a = UserRateLimit(redis.Redis.from_url(redis_url), per_minute=3)
    b = UserRateLimit(redis.Redis.from_url(redis_url), per_minute=3)
    now = 1_800_000_000.0
    assert [x.admit("U1", f"m{n}", now) for n, x in enumerate((a, b, a, b, a))] == [
        Admission.ALLOWED, Admission.ALLOWED, Admission.ALLOWED, Admission.NOTIFY, Admission.IGNORED]


def test_one_post_a_second_per_channel_other_channels_unaffected(redis_url):
    pacer = ChannelPacer(redis.Redis.from_url(redis_url), interval=0.3, burst=1)
    assert pacer.wait_seconds("C1") == 0.0
    wait = pacer.wait_seconds("C1")
    assert 0.0 < wait <= 0.3
    assert pacer.wait_seconds("C2") == 0.0
    time.sleep(wait + 0.02)
    assert pacer.wait_seconds("C1") == 0.0


def test_a_short_burst_then_one_post_an_interval(redis_url):
    """Slack allows short bursts over one message a second: `burst` posts at once, then the
    channel is paced, and one interval later one more may go (not a whole burst)."""
    pacer = ChannelPacer(redis.Redis.from_url(redis_url), interval=0.3, burst=3)
    assert [pacer.wait_seconds("C1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = pacer.wait_seconds("C1")
    assert 0.0 < wait <= 0.3
    time.sleep(wait + 0.02)
    assert pacer.wait_seconds("C1") == 0.0
    assert pacer.wait_seconds("C1") > 0.0


def test_retry_after_holds_the_channel(redis_url):
    pacer = ChannelPacer(redis.Redis.from_url(redis_url), interval=0.1)
    pacer.hold("C1", 2.0)
    assert 1.5 < pacer.wait_seconds("C1") <= 2.0
