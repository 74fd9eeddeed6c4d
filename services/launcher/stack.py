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
    """The configuration of one running product and the processes that serve it.

    Each process is an *instance* with its own name, port and log (`var/log/<instance>.log`): the three
    services under their own names, plus any replicas or scoring workers started beside them (e.g.
    `gateway-2`, `worker-1`), which is how the e2e tests run several replicas of one service."""

    database_urls: Mapping[str, str]
    ports: dict[str, int] = field(default_factory=dict)
    environment: str = "local"
    extra_env: Mapping[str, str] = field(default_factory=dict)
    log_dir: pathlib.Path = ROOT / "var" / "log"
    workers: int = 1
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)  # instance -> the service it runs
    commands: dict[str, tuple[list[str], Mapping[str, str]]] = field(default_factory=dict)  # to restart

    def __post_init__(self) -> None:
        for name in SERVICES:
            self.ports.setdefault(name, free_port())
            self.services.setdefault(name, name)

    def url(self, name: str) -> str:
        """Base URL of a service (or of any started instance)."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self, name: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
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
        env.update(overrides or {})
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

    def migrate(self, names: tuple[str, ...] = SERVICES) -> None:
        """Apply the services' migrations, side by side (each service has its own database)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        running = []
        for name in names:
            out = (self.log_dir / f"{name}-setup.log").open("ab")
            args = [sys.executable, "-m", "alembic", "-c", f"services/{name}/alembic.ini", "upgrade", "head"]
            process = subprocess.Popen(args, cwd=ROOT, env=self.env(name), stdout=out, stderr=subprocess.STDOUT)
            running.append((name, process, out))
        failed = []
        for name, process, out in running:
            if process.wait(600) != 0:
                failed.append(name)
            out.close()
        if failed:
            tails = "\n".join(f"{n}:\n{self.log_tail(n + '-setup', 3000)}" for n in failed)
            raise RuntimeError(f"migrations failed for {', '.join(failed)}:\n{tails}")

    def start_service(
        self,
        name: str,
        *,
        instance: str | None = None,
        env: Mapping[str, str] | None = None,
        wait: bool = True,
    ) -> str:
        """Start a service under uvicorn (as `instance`, default its own name) and wait until /readyz is 200."""
        instance = instance or name
        port = self.ports.setdefault(instance, free_port())
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            f"services.{name}.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
        ]
        return self._spawn(instance, name, command, env, wait)

    def start_worker(self, instance: str, *, env: Mapping[str, str] | None = None, wait: bool = True) -> str:
        """Start a scoring worker process (`python -m services.scoring.worker`); its probes on its own port."""
        port = self.ports.setdefault(instance, free_port())
        overrides = {"SCORING_WORKER_HOST": "127.0.0.1", "SCORING_WORKER_PORT": str(port), **(env or {})}
        return self._spawn(instance, "scoring", [sys.executable, "-m", "services.scoring.worker"], overrides, wait)

    def _spawn(self, instance: str, name: str, command: list[str], env: Mapping[str, str] | None, wait: bool) -> str:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.services[instance] = name
        self.commands[instance] = (command, dict(env or {}))
        with (self.log_dir / f"{instance}.log").open("ab") as out:
            self.processes[instance] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env(name, env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            self.wait_ready(instance)
        return instance

    def restart(self, instance: str, wait: bool = True) -> None:
        """Start a stopped instance again: the same command, port and settings."""
        command, env = self.commands[instance]
        self._spawn(instance, self.services[instance], command, env, wait)

    def signal(self, instance: str, signum: int) -> None:
        """Send a signal to an instance's process group (SIGSTOP / SIGCONT in fault drills, SIGTERM ...)."""
        os.killpg(self.processes[instance].pid, signum)

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
        os.killpg(process.pid, signal.SIGCONT)  # a stopped process (a fault drill) must run to see SIGTERM
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        """Stop every instance: replicas and workers, then the gateway, scoring and the registry."""
        for name in [i for i in self.processes if i not in SERVICES] + list(reversed(SERVICES)):
            self.stop_service(name)
