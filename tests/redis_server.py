"""A throwaway redis-server for the tests: started on a free port, stopped after.

The tests never touch a Redis they did not start.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import redis


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """Terminate `proc` if it still runs, and kill it if it has not gone within `timeout`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed (CI installs it: see .ci/run)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="test-redis-")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("test redis-server did not start")
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        stop_process(self.proc, timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)
