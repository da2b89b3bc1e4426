"""Web API calls over kept-alive HTTP connections, one per thread and host.

slack_sdk's WebClient opens a new connection (and, to slack.com, a new TLS session) for every
call through urllib; a turn makes two or three calls, so that is a TCP (and TLS) handshake per
call on the reply's path (on loopback it costs latency, not CPU: README "Performance"). This keeps
one connection per worker thread and host and reuses it, the way urllib3 pools do, while the
SDK's own request building, retry handlers and error handling stay as they are: the one method
replaced is the one that sends a built request and reads its answer
(`_perform_urllib_http_request_internal`), and a 4xx/5xx answer is raised as urllib's
HTTPError, which is what the SDK's retry loop expects from urlopen.

A kept connection the server has closed while idle is seen before it is used (its socket reads
as ready: the server's FIN, since an idle HTTP connection has nothing else to say) and replaced;
a request whose sending fails on a reused connection is sent once more on a new one. A request
that was sent is never sent again here: a failure while reading its answer goes to the SDK's
handlers as before (the server may have acted on it). In urlopen's terms: a failure to connect
or send is a URLError, one while reading the answer is raised as is, and an answer outside
2xx is an HTTPError.
"""

from __future__ import annotations

import http.client
import io
import select
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
        self._tls: ssl.SSLContext | None = None  # one default context for every https connection

    def _pool(self) -> dict[tuple[str, str, int], http.client.HTTPConnection]:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def send(self, req: Request, context: ssl.SSLContext | None, timeout: float) -> tuple[int, str, http.client.HTTPMessage, bytes]:
        """(status, reason, headers, body) of `req`, over this thread's connection to its host."""
        parts = urlsplit(req.full_url)
        scheme = parts.scheme.lower()
        where = (scheme, parts.hostname or "", parts.port or (443 if scheme == "https" else 80))
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {k: v for k, v in req.header_items() if k.lower() != "connection"}
        pool = self._pool()
        for attempt in (1, 2):
            conn = pool.get(where)
            if conn is not None and _closed_by_server(conn):
                self._drop(where)
                conn = None
            reused = conn is not None
            if conn is None:
                conn = pool[where] = self._connect(where, context, timeout)
            try:
                try:
                    conn.request(req.get_method(), path, body=req.data, headers=headers)
                except OSError as err:
                    self._drop(where)
                    if reused and attempt == 1 and isinstance(err, _STALE):
                        continue  # it went away before the request did: once more, on a new one
                    raise URLError(err) from err  # as urlopen says it (the SDK retries URLError)
                resp = conn.getresponse()
                body = resp.read()
            except BaseException:
                self._drop(where)
                raise
            if resp.will_close:
                self._drop(where)
            return resp.status, resp.reason, resp.headers, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self, where: tuple[str, str, int], context: ssl.SSLContext | None, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = where
        if scheme == "https":
            if context is None:
                context = self._tls = self._tls or ssl.create_default_context()
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        return http.client.HTTPConnection(host, port, timeout=timeout)  # sets TCP_NODELAY itself

    def _drop(self, where: tuple[str, str, int]) -> None:
        conn = self._pool().pop(where, None)
        if conn is not None:
            conn.close()


def _closed_by_server(conn: http.client.HTTPConnection) -> bool:
    """An idle kept connection whose socket reads as ready has been closed (or broken) by the
    server: it has no answer pending, so what it has to say is its FIN."""
    sock = conn.sock
    if sock is None:
        return False  # not connected yet: http.client connects on the next request
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class KeepAlive:
    """Mixin for a slack_sdk WebClient: its calls go over `Connections` (no proxy set)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = Connections()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        scheme = url.lower().split(":", 1)[0]
        if getattr(self, "proxy", None) is not None or scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)  # type: ignore[misc]
        status, reason, headers, body = self._connections.send(req, getattr(self, "ssl", None), getattr(self, "timeout", 30))
        if not 200 <= status < 300:
            raise HTTPError(url, status, reason, headers, io.BytesIO(body))
        if headers.get_content_type() == "application/gzip":
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}
