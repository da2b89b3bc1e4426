"""Web API calls over kept-alive HTTP connections, one per thread and host.

slack_sdk's WebClient opens a new connection (and, to slack.com, a new TLS session) for every
call through urllib; a turn makes two or three calls, so that is a handshake per call on the
reply's path and a sizeable share of a worker's CPU (benchmarks/profile_worker.py). This keeps
one connection per worker thread and host and reuses it, the way urllib3 pools do, while the
SDK's own request building, retry handlers and error handling stay as they are: the one method
replaced is the one that sends a built request and reads its answer
(`_perform_urllib_http_request_internal`), and a 4xx/5xx answer is raised as urllib's
HTTPError, which is what the SDK's retry loop expects from urlopen.

A connection the server closed while idle fails on its next use before any answer; such a call
is sent again once on a fresh connection (what urllib3 does for a dropped pooled connection).
Any other failure closes the connection and goes to the SDK's handlers as before, in urlopen's
terms: a failure to connect or send is a URLError, one while reading the answer is raised as is.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class Connections:
    """This thread's open connections, by (scheme, host, port)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _pool(self) -> dict[tuple[str, str, int | None], http.client.HTTPConnection]:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def send(self, req: Request, context: ssl.SSLContext | None, timeout: float) -> tuple[int, str, http.client.HTTPMessage, bytes]:
        """(status, reason, headers, body) of `req`, over this thread's connection to its host."""
        parts = urlsplit(req.full_url)
        where = (parts.scheme.lower(), parts.hostname or "", parts.port)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {k: v for k, v in req.header_items() if k.lower() != "connection"}
        pool = self._pool()
        for attempt in (1, 2):
            conn = pool.get(where)
            reused = conn is not None
            if conn is None:
                conn = pool[where] = _connect(where, context, timeout)
            try:
                try:
                    conn.request(req.get_method(), path, body=req.data, headers=headers)
                except OSError as err:
                    if reused and attempt == 1 and isinstance(err, _STALE):
                        raise
                    raise URLError(err) from err  # as urlopen says it (the SDK retries URLError)
                resp = conn.getresponse()
                body = resp.read()
            except _STALE:
                self._drop(where)
                if reused and attempt == 1:
                    continue  # the server closed it while idle: once more, on a new one
                raise
            except BaseException:
                self._drop(where)
                raise
            if resp.will_close:
                self._drop(where)
            return resp.status, resp.reason, resp.headers, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop(self, where: tuple[str, str, int | None]) -> None:
        conn = self._pool().pop(where, None)
        if conn is not None:
            conn.close()


class _NoDelay:
    """Requests leave at once (TCP_NODELAY, as urllib3 sets): on a kept connection Nagle's
    algorithm could hold a small write back until the previous one is acknowledged."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]


class _HTTP(_NoDelay, http.client.HTTPConnection):
    pass


class _HTTPS(_NoDelay, http.client.HTTPSConnection):
    pass


def _connect(where: tuple[str, str, int | None], context: ssl.SSLContext | None, timeout: float) -> http.client.HTTPConnection:
    scheme, host, port = where
    if scheme == "https":
        return _HTTPS(host, port, timeout=timeout, context=context or ssl.create_default_context())
    return _HTTP(host, port, timeout=timeout)


class KeepAlive:
    """Mixin for a slack_sdk WebClient: its calls go over `Connections` (no proxy set)."""

    _connections: Connections | None = None

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        scheme = url.lower().split(":", 1)[0]
        if getattr(self, "proxy", None) is not None or scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)  # type: ignore[misc]
        if self._connections is None:
            self._connections = Connections()
        status, reason, headers, body = self._connections.send(req, getattr(self, "ssl", None), getattr(self, "timeout", 30))
        if status >= 400:
            raise HTTPError(url, status, reason, headers, io.BytesIO(body))
        if headers.get_content_type() == "application/gzip":
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}
