"""`python -m services.launcher run|migrate`: the demo on SQLite with seeded data, as `make run` starts it."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from services.launcher.stack import ROOT, SERVICES, Stack, port_is_free

DEMO_ACCOUNTS = (
    ("national.admin", "demo-national-admin", "national_admin"),
    ("lampungbarat.admin", "demo-agency-admin", "agency_admin, pemkab-lampung-barat"),
    ("tanggamus.admin", "demo-agency-admin", "agency_admin, pemkab-tanggamus"),
    ("asesor.lampungbarat", "demo-assessor", "assessor, pemkab-lampung-barat"),
    ("viewer.lampungbarat", "demo-viewer", "viewer, pemkab-lampung-barat"),
    ("pegawai.lampungbarat", "demo-employee", "employee (NIP 198609262015051001)"),
    ("demo-integration", "demo-integration-secret", "client: employees:read talent:read succession:read"),
)


def local_stack() -> Stack:
    """The demo configuration: SQLite files under ./var, gateway on $TALENTA_PORT (default 8000) if free."""
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    urls = {
        name: os.environ.get(f"{name.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{var}/{name}.db")
        for name in SERVICES
    }
    wanted = int(os.environ.get("TALENTA_PORT", "8000"))
    ports = {"gateway": wanted} if port_is_free(wanted) else {}
    return Stack(database_urls=urls, ports=ports, extra_env={"REGISTRY_LOG_FORMAT": "json"})


def step(message: str) -> float:
    """Print what is happening (the demo can take a minute on first start)."""
    print(f"  {message} ...", flush=True)
    return time.monotonic()


def run() -> int:
    """Migrate, seed on first start, start all three services, print the URL and accounts, wait for Ctrl-C."""
    stack = local_stack()
    print("Talenta (local demo, SQLite under ./var; logs in ./var/log)")
    try:
        step("applying migrations")
        stack.migrate()
        step("seeding demo data (first start only)")
        stack.run_step("registry", ["-m", "services.registry.demo", "seed", "--if-empty"])
        for name in SERVICES:
            step(f"starting {name} on port {stack.ports[name]}")
            stack.start_service(name)
            if name == "gateway":
                stack.run_step("gateway", ["-m", "services.gateway.seed"])
        step("running the demo talent reviews (first start only)")
        stack.run_step("scoring", ["-m", "services.scoring.demo", "--scoring-url", stack.url("scoring")])
    except (RuntimeError, KeyboardInterrupt) as exc:
        stack.stop()
        print(f"\nCould not start Talenta: {exc}", file=sys.stderr)
        return 1
    gateway = stack.url("gateway")
    print(f"\nTalenta is ready at {gateway}\n  API docs: {gateway}/docs\n  OpenAPI:  {gateway}/openapi.json\n")
    print("Demo accounts (local mode only; token: POST /api/v1/auth/token):")
    for user, secret, role in DEMO_ACCOUNTS:
        print(f"  {user:<22} {secret:<26} {role}")
    print("\nPress Ctrl-C to stop.", flush=True)
    return wait_for_interrupt(stack)


def _interrupt(_signum: int, _frame: object) -> None:
    # SIGTERM (e.g. from a process manager) stops the demo the same way Ctrl-C does.
    raise KeyboardInterrupt


def wait_for_interrupt(stack: Stack) -> int:
    """Block until Ctrl-C (or SIGTERM), or until a service dies; then stop them all."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly:\n{stack.log_tail(name)}", file=sys.stderr)
                    stack.stop()
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        # A second Ctrl-C (or SIGTERM) while the services shut down must not cut the stop short: the services run
        # in sessions of their own, so one left unstopped would keep running, holding its port.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        return 0


def migrate() -> int:
    """Apply the migrations of all three services to their configured databases."""
    local_stack().migrate()
    print("migrations applied")
    return 0


def main() -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="python -m services.launcher")
    parser.add_argument("command", choices=["run", "migrate"], nargs="?", default="run")
    args = parser.parse_args()
    return run() if args.command == "run" else migrate()


if __name__ == "__main__":
    sys.exit(main())
