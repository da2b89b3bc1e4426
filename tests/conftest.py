"""Shared fixtures: a real redis-server per test session (per xdist worker), content, engine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
# Business hours would make every handoff's wording depend on when the suite runs: tests run
# "always open" unless they name hours and fix the clock (tests/test_agent_desk.py). The served
# default, weekdays 9 to 5 in Tokyo, is tested in tests/test_hours.py and test_settings.py.
os.environ.setdefault("BUSINESS_HOURS", "always")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster():
    """A local 3-master Redis Cluster the tests start themselves (once per xdist worker)."""
    from tests.redis_cluster import RedisClusterServers

    servers = RedisClusterServers()
    yield servers
    servers.stop()


@pytest.fixture()
def redis_url(redis_server: RedisServer) -> str:
    """A clean database on the tests' own server."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def content():
    from bot.content.bundle import load_content

    return load_content(ROOT / "content")


@pytest.fixture(scope="session")
def faq_index(content):
    from bot.understanding.faq import FaqIndex

    return FaqIndex.build(content.faq)


@pytest.fixture(scope="session")
def intent_model(content):
    from bot.understanding.reading import build_intent_model

    return build_intent_model(content)


@pytest.fixture()
def store(redis_url):
    from bot.store import connect

    return connect(redis_url)


@pytest.fixture()
def engine(store, content, faq_index, intent_model):
    from bot.conversation import Engine

    return Engine(store, content, faq_index, intent_model)


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for running `python -m bot` from the repository root in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CONTENT_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def slack_runtime(redis_server):
    """The runtime `python -m bot serve` builds (content, FAQ index, store on the tests' Redis),
    built once per session: in-process Slack apps (tests/slack_sim/inproc.py) share it, and the
    `redis_url` fixture gives each test an empty database under it."""
    from bot.app_context import build_runtime

    return build_runtime(require_redis=True, redis_url=redis_server.url)


_FIRST = ("tests/test_slack_process.py", "tests/test_slack_app.py", "tests/test_slack_handoff.py")


def pytest_collection_modifyitems(items):
    """Slack tests first, served processes before in-process. Under pytest-xdist's load
    scheduling each worker starts with one run of consecutive tests, so this way one worker
    starts the module's app processes and builds the Slack runtime, instead of both (and the
    slowest tests start earliest). Order changes nothing else: every test stands alone."""
    def rank(item):
        path = item.nodeid.split("::")[0]
        return _FIRST.index(path) if path in _FIRST else len(_FIRST)

    items.sort(key=rank)
