"""Bench: a realistic mix of users through the gateway (locust, headless) against the same mix straight to the services.

The three services run as real processes on PostgreSQL (tests/perf/running.py, as bench_gateway), with 3 demo
agencies and one finalized review each, so that talent profiles and successors have data. The users are
tests/perf/locustfile.py's: mobile employees reading their own record and talent (weight 6), system clients paging
through employees (2), national admins reading employees and talent, asking for successors, listing reviews and
starting one now and then (2). The baseline sends the same operations, with service tokens for the same principals,
straight to the service that serves each (registry: employees; scoring: talent, successors, reviews): what the
gateway costs is the ratio. Rounds alternate gateway / direct after a warm-up of each, so both see the same
background load (this machine has 2 cores shared with other work: absolute figures are noisy, ratios less so).

Printed per operation and in total: requests/s, p50/p95/p99 in ms, failures (counted, never hidden: locust counts
any status >= 400 or connection error; the first messages are printed), the gateway/direct ratios, and the CPU
time each process spent per request (the services' processes and the PostgreSQL backends of their databases).

Run: python -m tests.perf load (or make bench). Settings by environment: TALENTA_LOAD_SECONDS (10, per round),
TALENTA_LOAD_USERS (4,16: each number of users in turn, e.g. 4,8,16,32), TALENTA_LOAD_ROUNDS (2 of each target),
TALENTA_LOAD_PEOPLE (1500 per agency), TALENTA_LOAD_AGENCIES (3). Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import psutil

from services.common.service_token import CallerIdentity, mint_service_token
from services.common.settings import ServiceSettings
from services.gateway.demo import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT
from services.launcher.stack import Stack
from tests.e2e.harness import Api, ok
from tests.perf.running import cpu_seconds, query, running_stack, sample_nips

LOCUSTFILE = pathlib.Path(__file__).with_name("locustfile.py")
P95_AIM_MS = 200.0
PERIOD = 2025
WARM_UP_SECONDS = 5
CPU_PARTS = ("gateway", "registry", "scoring", "postgres")
# The principals of the mix: the demo accounts the gateway signs in, and the service-token identity the gateway
# gives each of them downstream (services/gateway/downstream/proxy.py identity_for), for the direct baseline.
ACCOUNTS = {"mobile": "pegawai.lampungbarat", "system": "demo-integration", "admin": "national.admin"}
SERVICES_OF = {"mobile": ("registry", "scoring"), "system": ("registry",), "admin": ("registry", "scoring")}


def setting(name: str, default: str) -> str:
    """A load-bench setting from the environment (TALENTA_LOAD_<name>)."""
    return os.environ.get(f"TALENTA_LOAD_{name}", default)


@dataclass(frozen=True)
class Operation:
    """One operation's figures in one locust run (a row of its _stats.csv)."""

    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def error_rate(self) -> float:
        """Failed requests / requests."""
        return self.failures / self.requests if self.requests else 0.0


def summarize(stats_csv: pathlib.Path) -> dict[str, Operation]:
    """The operations of a locust `--csv` stats file by name; the total (locust's "Aggregated" row) as "total"."""
    operations = {}
    with stats_csv.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):

            def ms(column: str, row: dict[str, str] = row) -> float:
                return float(row[column]) if row[column] not in ("", "N/A") else 0.0

            name = "total" if row["Name"] == "Aggregated" else row["Name"]
            operations[name] = Operation(
                name,
                int(row["Request Count"]),
                int(row["Failure Count"]),
                float(row["Requests/s"]),
                ms("50%"),
                ms("95%"),
                ms("99%"),
            )
    return operations


def failure_lines(failures_csv: pathlib.Path, most: int = 5) -> list[str]:
    """The commonest failures of a locust run: `count x METHOD name: error`."""
    if not failures_csv.exists():
        return []
    with failures_csv.open(encoding="utf-8", newline="") as rows:
        found = sorted(csv.DictReader(rows), key=lambda r: -int(r["Occurrences"]))
    return [f"{r['Occurrences']} x {r['Method']} {r['Name']}: {r['Error'][:200]}" for r in found[:most]]


def run_locust(plan: dict[str, Any], users: int, seconds: float, folder: pathlib.Path, name: str) -> dict[str, Any]:
    """One headless locust run of the mix against `plan`'s target; its figures and failures."""
    plan_file = folder / f"{name}-plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    prefix = folder / name
    options = "--headless --only-summary --reset-stats --loglevel WARNING --exit-code-on-error 0 --stop-timeout 5"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *options.split(), "--csv", str(prefix),
               "-u", str(users), "-r", str(max(users, 50)), "-t", f"{seconds:.0f}s"]  # fmt: skip
    env = {**os.environ, "TALENTA_LOAD_PLAN": str(plan_file)}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False)
    if finished.returncode != 0 or not (prefix.parent / f"{name}_stats.csv").exists():
        raise RuntimeError(f"locust failed (exit {finished.returncode}):\n{finished.stderr[-3000:]}")
    return {
        "operations": summarize(prefix.parent / f"{name}_stats.csv"),
        "failures": failure_lines(prefix.parent / f"{name}_failures.csv"),
    }


class Bench:
    """The running stack, the data the mix reads, and the tokens of both targets."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.agencies = {row["code"]: row["id"] for row in query(stack, "registry", "SELECT code, id FROM agencies")}
        self.positions = [r[0] for r in query(stack, "registry", "SELECT id FROM positions WHERE is_key ORDER BY id")]
        self.nips = sample_nips(stack, 2000)
        self.processes = {
            name: psutil.Process(stack.processes[name].pid) for name in ("gateway", "registry", "scoring")
        }

    def finalized_reviews(self) -> None:
        """One completed, finalized review per agency (talent profiles and successors read the latest)."""

        async def review(api: Api, agency_id: str) -> None:
            started = await api.post(ACCOUNTS["admin"], "/api/v1/talent-reviews",
                                          json={"agency_id": agency_id, "period": PERIOD})  # fmt: skip
            ok(started, 202)
            job = await api.wait_for_job(ACCOUNTS["admin"], started.headers["location"])
            assert job["status"] == "completed", job
            decree = {"decree_number": f"800/{agency_id[:8]}/SK/2026", "approved_by": "Tim Penilai Kinerja"}
            ok(await api.post(ACCOUNTS["admin"], f"/api/v1/talent-reviews/{job['id']}/finalize", json=decree))

        async def all_agencies() -> None:
            api = Api(self.stack.url("gateway"))
            try:
                for agency_id in self.agencies.values():
                    await review(api, agency_id)
            finally:
                await api.aclose()

        asyncio.run(all_agencies())

    def plan(self, target: str) -> dict[str, Any]:
        """What the locustfile needs for one round against `target` (fresh tokens: access tokens last 15 min)."""
        urls = {name: self.stack.url(name) for name in ("gateway", "registry", "scoring")}
        return {
            "target": target,
            "urls": urls,
            "tokens": self.gateway_tokens() if target == "gateway" else self.service_tokens(),
            "nips": self.nips,
            "employee_nip": DEMO_EMPLOYEE_NIP,
            "positions": self.positions,
            "agencies": list(self.agencies.values()),
            "period": PERIOD,
            "review_interval_seconds": 30,
        }

    def gateway_tokens(self) -> dict[str, dict[str, str]]:
        """An access token of each kind's demo account."""

        async def sign_in() -> dict[str, dict[str, str]]:
            api = Api(self.stack.url("gateway"))  # a new Api signs in afresh
            try:
                return {kind: {"gateway": (await api.as_(account))["Authorization"].removeprefix("Bearer ")}
                        for kind, account in ACCOUNTS.items()}  # fmt: skip
            finally:
                await api.aclose()

        return asyncio.run(sign_in())

    def service_tokens(self) -> dict[str, dict[str, str]]:
        """Service tokens for the principals the gateway would forward (one per kind and service), for an hour."""
        secret = ServiceSettings().service_token_secret.get_secret_value()
        lampung = self.agencies[LAMPUNG_BARAT]
        identities = {
            "mobile": CallerIdentity(
                service="gateway",
                subject="user:bench-mobile",
                agency_id=lampung,
                roles=("employee",),
                nip=DEMO_EMPLOYEE_NIP,
            ),  # fmt: skip
            "system": CallerIdentity(
                service="gateway",
                subject="client:demo-integration",
                agency_id=lampung,
                scopes=("employees:read", "talent:read", "succession:read"),
                client_id="demo-integration",
                personal_data=False,
            ),  # fmt: skip
            "admin": CallerIdentity(service="gateway", subject="user:bench-admin", roles=("national_admin",)),
        }
        return {
            kind: {s: mint_service_token(secret, "gateway", s, identities[kind], ttl=3600) for s in SERVICES_OF[kind]}
            for kind in ACCOUNTS
        }

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each service process and, as "postgres", of the PostgreSQL backends serving this
        bench's databases (by their process title; the server's own writers are not counted)."""
        spent = {p: cpu_seconds(process) for p, process in self.processes.items()}
        backends = 0.0
        for process in psutil.process_iter(["name", "cmdline"]):
            try:
                if process.info["name"] == "postgres" and "talenta_bench_load_" in " ".join(process.info["cmdline"]):
                    backends += cpu_seconds(process)
            except (psutil.Error, TypeError):
                continue  # ended meanwhile, or not ours to read
        return {**spent, "postgres": backends}

    def measured(self, target: str, users: int, seconds: float, folder: pathlib.Path, name: str) -> dict[str, Any]:
        """One round, with the CPU time each process spent per request of it."""
        plan = self.plan(target)
        before = self.cpu()
        figures = run_locust(plan, users, seconds, folder, name)
        requests = max(1, figures["operations"]["total"].requests)
        figures["cpu_ms"] = {p: (spent - before[p]) * 1000 / requests for p, spent in self.cpu().items()}
        return figures


def main() -> None:
    """Start the stack, prepare reviews, run the mix in alternating rounds against both targets, report."""
    people, agencies = int(setting("PEOPLE", "1500")), int(setting("AGENCIES", "3"))
    seconds, rounds = float(setting("SECONDS", "10")), int(setting("ROUNDS", "2"))
    user_counts = [int(u) for u in setting("USERS", "4,16").split(",")]
    print(f"starting registry, scoring and gateway on PostgreSQL with {agencies} x {people} demo employees ...",
          flush=True)  # fmt: skip
    seed = ["--agencies", str(agencies), "--people-per-agency", str(people)]
    with running_stack("talenta_bench_load", seed) as stack, tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        bench = Bench(stack)
        started = time.perf_counter()
        bench.finalized_reviews()
        print(f"  {len(bench.agencies)} reviews run and finalized in {time.perf_counter() - started:.1f} s; "
              f"{len(bench.positions)} key positions, {len(bench.nips)} NIPs sampled", flush=True)  # fmt: skip
        results: dict[int, dict[str, list[dict[str, Any]]]] = {}
        for target in ("gateway", "direct"):  # warm both up: connections, caches, the audit writer
            run_locust(bench.plan(target), user_counts[0], WARM_UP_SECONDS, folder, f"warm-{target}")
        for users in user_counts:
            results[users] = {"gateway": [], "direct": []}
            for i in range(rounds):
                for target in ("gateway", "direct") if i % 2 == 0 else ("direct", "gateway"):
                    figures = bench.measured(target, users, seconds, folder, f"{target}-{users}-{i}")
                    results[users][target].append(figures)
                    total = figures["operations"]["total"]
                    print(f"  {users} users, round {i + 1}, {target:>7}: {total.rps:6.0f} req/s, p95 "
                          f"{total.p95_ms:.0f} ms, {total.failures} failures", flush=True)  # fmt: skip
    for users, by_target in results.items():
        report(users, by_target, seconds)
    sustained(results)


def combined(runs: list[dict[str, Any]]) -> dict[str, Operation]:
    """Rounds of one target combined per operation: requests and failures summed, rates and percentiles medians."""
    names = sorted({name for run in runs for name in run["operations"]}, key=lambda n: (n == "total", n))
    merged = {}
    for name in names:
        ops = [run["operations"][name] for run in runs if name in run["operations"]]
        merged[name] = Operation(
            name,
            sum(o.requests for o in ops),
            sum(o.failures for o in ops),
            statistics.median(o.rps for o in ops),
            statistics.median(o.p50_ms for o in ops),
            statistics.median(o.p95_ms for o in ops),
            statistics.median(o.p99_ms for o in ops),
        )
    return merged


def report(users: int, by_target: dict[str, list[dict[str, Any]]], seconds: float) -> None:
    """Per operation: both targets' figures and their ratios; then CPU per request and any failures."""
    gateway, direct = combined(by_target["gateway"]), combined(by_target["direct"])
    rounds = len(by_target["gateway"])
    print(f"\n  {users} users (closed loop, no think time), {rounds} rounds x {seconds:.0f} s per target, medians of "
          f"the rounds; absolute figures from a shared 2-core machine")  # fmt: skip
    print(f"  {'operation':<24} {'target':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>13}"
          f"   gateway/direct: req/s  p50   p95")  # fmt: skip
    for name in sorted(gateway.keys() | direct.keys(), key=lambda n: (n == "total", n)):
        pair = [(t, ops[name]) for t, ops in (("gateway", gateway), ("direct", direct)) if name in ops]
        for target, op in pair:
            print(f"  {name:<24} {target:>7} {op.rps:7.1f} {op.p50_ms:6.0f} {op.p95_ms:6.0f} {op.p99_ms:6.0f} "
                  f"{op.failures:>5} ({op.error_rate:6.2%})", end="")  # fmt: skip
            if target == "direct" and name in gateway:
                g = gateway[name]
                print(f"   {ratio(g.rps, op.rps):>20} {ratio(g.p50_ms, op.p50_ms):>5} {ratio(g.p95_ms, op.p95_ms):>5}",
                      end="")  # fmt: skip
            print()
    for target in ("gateway", "direct"):
        cpu = {p: statistics.median(run["cpu_ms"][p] for run in by_target[target]) for p in CPU_PARTS}
        print(f"  CPU per request, {target}: " + ", ".join(f"{p} {ms:.2f} ms" for p, ms in cpu.items())
              + f"; all {sum(cpu.values()):.2f} ms")  # fmt: skip
        for i, run in enumerate(by_target[target], start=1):
            for line in run["failures"]:
                print(f"  failures, {target} round {i}: {line}")
    total = gateway["total"]
    verdict = "within" if total.p95_ms < P95_AIM_MS and total.failures == 0 else "NOT within"
    print(f"  gateway at {users} users: {total.rps:.0f} req/s, p95 {total.p95_ms:.0f} ms, error rate "
          f"{total.error_rate:.2%}: {verdict} p95 < {P95_AIM_MS:.0f} ms without errors")  # fmt: skip


def sustained(results: dict[int, dict[str, list[dict[str, Any]]]]) -> None:
    """The totals by number of users, and the most the gateway served at p95 < 200 ms without errors."""
    print(f"\n  {'users':>5} {'gateway req/s':>13} {'p95':>6} {'errors':>7} {'direct req/s':>12} {'p95':>6}  ratio")
    best = None
    for users, by_target in results.items():
        g, d = combined(by_target["gateway"])["total"], combined(by_target["direct"])["total"]
        print(f"  {users:>5} {g.rps:>13.0f} {g.p95_ms:>6.0f} {g.error_rate:>7.2%} {d.rps:>12.0f} {d.p95_ms:>6.0f}  "
              f"{ratio(g.rps, d.rps)}")  # fmt: skip
        if g.p95_ms < P95_AIM_MS and g.failures == 0 and (best is None or g.rps > best[1]):
            best = (users, g.rps)
    if best is None:
        print(f"  no number of users kept the gateway's p95 under {P95_AIM_MS:.0f} ms without errors: try fewer")
    else:
        print(f"  most the gateway served at p95 < {P95_AIM_MS:.0f} ms without errors: {best[1]:.0f} req/s "
              f"({best[0]} users), the whole stack, PostgreSQL and locust on this shared 2-core machine")  # fmt: skip


def ratio(gateway: float, direct: float) -> str:
    """gateway / direct, or '-' when the baseline is zero."""
    return f"{gateway / direct:.2f}" if direct else "-"


if __name__ == "__main__":
    main()
