"""A throwaway 3-master Redis Cluster for the tests: three `redis-server --cluster-enabled yes`
on free ports, joined with `redis-cli --cluster create`, stopped after.

The tests never touch a Redis they did not start.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import redis
from redis.cluster import RedisCluster


def _port_with_free_bus() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


class RedisClusterServers:
    def __init__(self, masters: int = 3) -> None:
        exe, cli = shutil.which("redis-server"), shutil.which("redis-cli")
        if exe is None or cli is None:
            raise RuntimeError("redis-server and redis-cli are needed (CI installs them: see .ci/run)")
        self.dir = tempfile.mkdtemp(prefix="test-redis-cluster-")
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        try:
            for n in range(masters):
                port = _port_with_free_bus()
                self.ports.append(port)
                self.procs.append(subprocess.Popen(
                    [exe, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                     "--cluster-config-file", f"nodes-{n}.conf", "--cluster-node-timeout", "2000",
                     "--save", "", "--appendonly", "no", "--dir", self.dir, "--daemonize", "no",
                     "--loglevel", "warning"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                ))
            for port in self.ports:
                _wait_ping(port)
            subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports), "--cluster-replicas", "0",
                 "--cluster-yes"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
            )
            self._wait_ready()
        except Exception:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.ports[0]}/0"

    def client(self) -> RedisCluster:
        return RedisCluster(host="127.0.0.1", port=self.ports[0])

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            ok = all(_state(port) == "ok" for port in self.ports)
            if ok:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("test Redis Cluster did not become ready")
            time.sleep(0.05)

    def flush(self) -> None:
        for port in self.ports:
            redis.Redis(port=port).flushall()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _state(port: int) -> str:
    info = redis.Redis(port=port, decode_responses=True).execute_command("CLUSTER INFO")
    if isinstance(info, dict):
        return str(info.get("cluster_state"))
    return "ok" if "cluster_state:ok" in str(info) else "fail"


def _wait_ping(port: int) -> None:
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster node on {port} did not start") from None
            time.sleep(0.02)
