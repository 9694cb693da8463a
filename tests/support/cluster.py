"""A distributed learnpath for tests: a private Redis, a fresh PostgreSQL schema, and real
``learnpath worker`` / ``learnpath serve`` / ``learnpath sweeper`` processes.

The Redis server is the machine's ``redis-server`` binary on a free loopback port, started
for the test and restartable (empty, as after a crash), so that no test touches the Redis
other programs use. Worker processes run in their own process group: ``kill`` sends SIGKILL
to the Celery parent and all its pool processes at once, as a machine crash would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from learnpath.config import Settings
from tests.support.server import LEARNPATH, Server, free_port, run_cli, running_server

FAST_RECOVERY = {
    "lease_s": "3",
    "queued_lease_s": "8",
    "sweep_interval_s": "0.5",
}
"""Leases short enough that a test sees recovery within seconds."""


class RedisServer:
    """A private ``redis-server`` that keeps nothing on disk, like the machine's."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Crash and come back empty: every queued message and stream is gone."""
        self.stop(signal.SIGKILL)
        self.start()


@dataclass
class Cluster:
    home: Path
    redis: RedisServer
    settings: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPATH_")}
        env["LEARNPATH_HOME"] = str(self.home)
        env.update({f"LEARNPATH_{k.upper()}": v for k, v in self.settings.items()})
        return env

    def runtime_settings(self, **overrides: Any) -> Settings:
        """Settings for a runtime inside the test process, sharing the cluster."""
        return Settings(**{**self.settings, "home": self.home, **overrides})

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return run_cli(self.env, *args, timeout=timeout)

    def start_worker(
        self, concurrency: int = 4, queues: str | None = None, pool: str = "threads"
    ) -> subprocess.Popen[bytes]:
        """A ``learnpath worker``; returns once it consumes its queues."""
        log_path = self.home / f"worker-{len(self.workers)}.log"
        args = [LEARNPATH, "worker", "--concurrency", str(concurrency), "--pool", pool]
        args += ["--log-level", "info"]
        if queues:
            args += ["--queues", queues]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self.workers.append(process)
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None:
                raise RuntimeError(f"worker exited: {log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("worker did not become ready within 60 s")
            time.sleep(0.1)
        return process

    def kill_worker(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and every process of its pool, as a crash of its machine."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_sweeper(self) -> subprocess.Popen[bytes]:
        log = (self.home / f"sweeper-{len(self.others)}.log").open("wb")
        process = subprocess.Popen(
            [LEARNPATH, "sweeper", "--log-level", "info"],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.others.append(process)
        return process

    @contextmanager
    def server(self, *, local: bool = False) -> Iterator[Server]:
        with running_server(self.home, local=local, **self.settings) as server:
            yield server

    def stop(self) -> None:
        for process in [*self.workers, *self.others]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers, *self.others]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running_cluster(home: Path, database: dict[str, str], **settings: str) -> Iterator[Cluster]:
    """Redis started, the schema migrated; workers are started by the test."""
    home.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        server = RedisServer(home)
        server.start()
        stack.callback(server.stop)
        cluster = Cluster(
            home,
            server,
            {
                **database,
                "broker_url": server.url,
                "llm_retry_base_s": "0.01",
                "llm_retry_max_s": "0.05",
                **settings,
            },
        )
        stack.callback(cluster.stop)
        upgraded = cluster.cli("db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        yield cluster


def wait_until(predicate: Any, limit_s: float = 60, every_s: float = 0.1) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {limit_s} s")
        time.sleep(every_s)
