"""A real ``learnpath serve`` process on a free loopback port, for API tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

LEARNPATH = str(Path(sys.executable).with_name("learnpath"))
SECRET = "test-" + secrets.token_urlsafe(40)
METRICS_TOKEN = "metrics-" + secrets.token_urlsafe(24)
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}
"""What a Prometheus scrape of a test server sends (``LEARNPATH_METRICS_TOKEN``)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """A ``learnpath`` command with this environment, no input, its output captured."""
    return subprocess.run(
        [LEARNPATH, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path | None = None

    def metrics(self) -> str:
        """``/metrics``, as Prometheus scrapes it (with the metrics token)."""
        answer = httpx.get(f"{self.base_url}/metrics", headers=METRICS_AUTH, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.text

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``learnpath`` command against the same data directory and settings."""
        return run_cli(self.env, *args)

    def create_user(
        self, email: str, password: str = "correct horse battery", admin: bool = False
    ) -> str:
        """Create an account with the CLI and log in over HTTP; returns a bearer token."""
        args = ["users", "create", "--email", email, "--password", password]
        done = self.cli(*args, *(["--admin"] if admin else []))
        assert done.returncode == 0, done.stderr
        answer = httpx.post(
            f"{self.base_url}/api/v1/auth/token", data={"username": email, "password": password}
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


def server_env(home: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPATH_")}
    env["LEARNPATH_HOME"] = str(home)
    env["LEARNPATH_SECRET_KEY"] = SECRET
    env["LEARNPATH_METRICS_TOKEN"] = METRICS_TOKEN
    env.update({f"LEARNPATH_{k.upper()}": v for k, v in settings.items()})
    return env


@contextmanager
def running_server(
    home: Path, *, local: bool = False, log_level: str = "warning", **settings: str
) -> Iterator[Server]:
    """Start ``learnpath serve`` with these settings; stop it (gracefully) afterwards. Its
    output goes to ``serve-PORT.log`` in ``home`` (``Server.log_path``)."""
    env = server_env(home, **settings)
    port = free_port()
    args = [LEARNPATH, "serve", "--port", str(port), "--log-level", log_level]
    log_path = home / f"serve-{port}.log" if home.exists() else None
    log = log_path.open("wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [*args, *(["--local"] if local else [])], env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"learnpath serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("learnpath serve did not start within 30 s")
            time.sleep(0.1)
        yield Server(base_url, env, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
