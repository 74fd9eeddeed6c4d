"""A running Talenta: migrations, demo seeds and the three services as real processes on real ports.

Used by `make run` (SQLite under ./var) and by the e2e tests (PostgreSQL, free ports), so that the tests
start the product exactly as a user does. It imports no service code: everything runs as a subprocess.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ("registry", "scoring", "gateway")  # start order: each depends on the ones before it


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Stack:
    """The configuration of one running product and the processes that serve it."""

    database_urls: Mapping[str, str]
    ports: dict[str, int] = field(default_factory=dict)
    environment: str = "local"
    extra_env: Mapping[str, str] = field(default_factory=dict)
    log_dir: pathlib.Path = ROOT / "var" / "log"
    workers: int = 1
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in SERVICES:
            self.ports.setdefault(name, free_port())

    def url(self, name: str) -> str:
        """Base URL of a service."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self, name: str) -> dict[str, str]:
        """Environment of one service's processes (settings by env prefix, as in production)."""
        prefix = name.upper() + "_"
        env = {**os.environ, **self.extra_env}
        env.update(
            {
                prefix + "ENVIRONMENT": self.environment,
                prefix + "DATABASE_URL": self.database_urls[name],
                "SCORING_REGISTRY_URL": self.url("registry"),
                "GATEWAY_REGISTRY_URL": self.url("registry"),
                "GATEWAY_SCORING_URL": self.url("scoring"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def run_step(self, name: str, args: list[str], timeout: float = 600) -> None:
        """Run one preparatory command of a service (migrations, seeds); raise with its log on failure."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}-setup.log"
        with log.open("ab") as out:
            result = subprocess.run(
                [sys.executable, *args],
                cwd=ROOT,
                env=self.env(name),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name}: {' '.join(args)} failed (exit {result.returncode}); log {log}:\n{tail}")

    def migrate(self) -> None:
        """Apply every service's migrations."""
        for name in SERVICES:
            self.run_step(name, ["-m", "alembic", "-c", f"services/{name}/alembic.ini", "upgrade", "head"])

    def start_service(self, name: str) -> None:
        """Start one service under uvicorn and wait until its /readyz answers 200."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        out = (self.log_dir / f"{name}.log").open("ab")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            f"services.{name}.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ports[name]),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
        ]
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(name), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_ready(name)

    def wait_ready(self, name: str, timeout: float = 120) -> None:
        """Poll /readyz until 200; raise with the service's log tail if it dies or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(self.url(name) + "/readyz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 4000) -> str:
        """The end of a service's log, for error messages."""
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def stop_service(self, name: str, timeout: float = 15) -> None:
        """Stop one service gracefully (SIGTERM: in-flight requests finish), then kill if it hangs."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        """Stop every service, the gateway first."""
        for name in reversed(SERVICES):
            self.stop_service(name)
