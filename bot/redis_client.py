"""One way to open Redis: a plain server or a Redis Cluster, with short timeouts and retries.

A stalled Redis must cost a turn about a second, not the 5 s a default socket timeout costs
(Slack redelivers what it does not see acknowledged within 3 s). Every client therefore has
short connect and read timeouts and retries a failed command a couple of times with a
jittered backoff; a caller that still fails gets a redis error at once and says so politely.

Cluster mode is chosen by `REDIS_CLUSTER=1` or a `redis+cluster://` (`rediss+cluster://`)
URL; the URL then names any one node and the client discovers the rest.

Every client's connections count for /metrics (bot/metrics.py): one round trip per send (a
command, a pipeline, a transaction: the bytes of one exchange go out in one
`send_packed_command`), and each failed connect, send or read by its exception's class.
"""

from __future__ import annotations

import os
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.connection import Connection, SSLConnection, UnixDomainSocketConnection, parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from bot import metrics

CONNECT_TIMEOUT = 0.5
COMMAND_TIMEOUT = 0.3
RETRIES = 2
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


class RedisUrlError(ValueError):
    """REDIS_URL (or REDIS_CLUSTER) can't be used; the message names the setting."""


def is_cluster(url: str, env: dict[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    flag = (env.get("REDIS_CLUSTER") or "").strip().lower()
    if flag not in ("", "0", "1", "true", "false", "yes", "no"):
        raise RedisUrlError(f"REDIS_CLUSTER must be 1 or 0, got {flag!r}")
    return url.split("://", 1)[0] in CLUSTER_SCHEMES or flag in ("1", "true", "yes")


def plain_url(url: str) -> str:
    """The URL redis-py understands: `redis+cluster://h:p` -> `redis://h:p`."""
    scheme, sep, rest = url.partition("://")
    return f"{CLUSTER_SCHEMES.get(scheme, scheme)}{sep}{rest}"


class _Counted:
    """Counts each send as one round trip, and each failed exchange (not a Redis error reply:
    that is an answer) as an error of its class. Mixed into redis-py's connection classes."""

    def connect_check_health(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().connect_check_health(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            metrics.redis_error(exc)
            raise

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        metrics.round_trip()
        try:
            super().send_packed_command(command, check_health)  # type: ignore[misc]
        except Exception as exc:
            if not isinstance(exc, ResponseError):  # a health check's reply, inside the send
                metrics.redis_error(exc)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            if not isinstance(exc, ResponseError):
                metrics.redis_error(exc)
            raise


class CountedConnection(_Counted, Connection):
    pass


class CountedSSLConnection(_Counted, SSLConnection):
    pass


class CountedUnixConnection(_Counted, UnixDomainSocketConnection):
    pass


COUNTED = {Connection: CountedConnection, SSLConnection: CountedSSLConnection,
           UnixDomainSocketConnection: CountedUnixConnection}


def open_client(url: str, *, command_timeout: float = COMMAND_TIMEOUT, retries: int = RETRIES,
                env: dict[str, str] | None = None) -> Any:
    """A redis-py client for `url`: `redis.Redis`, or `RedisCluster` in cluster mode.

    `command_timeout` is how long one command may wait for its answer; a blocking read
    (XREADGROUP BLOCK) needs a client whose timeout is longer than its block; a health check
    wants one answer or none (`retries=0`)."""
    cluster = is_cluster(url, env)
    try:  # the connection class the URL asks for (TCP, TLS, unix socket), counted
        counted = COUNTED[parse_url(plain_url(url)).get("connection_class", Connection)]
    except ValueError as exc:
        raise RedisUrlError(f"REDIS_URL is malformed: {exc}") from None
    options: dict[str, Any] = {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": command_timeout,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.2), retries),
        "health_check_interval": 30,
        "connection_class": counted,
    }
    try:
        if cluster:
            # The nodes' connections get `connection_class`, but a rediss:// URL's options would
            # override it with the plain SSLConnection: the URL goes in as redis://, TLS by the class.
            return RedisCluster.from_url(_tcp_url(plain_url(url)), **options)
        return redis.Redis.from_url(url, retry_on_error=[RedisConnectionError, RedisTimeoutError], **options)
    except ValueError as exc:
        raise RedisUrlError(f"REDIS_URL is malformed: {exc}") from None


def _tcp_url(url: str) -> str:
    return "redis://" + url.removeprefix("rediss://") if url.startswith("rediss://") else url
