"""Bench: GET an employee by NIP through the gateway against the same call straight to the registry.

The three services run as real processes on PostgreSQL (started by the launcher, as `make run` and the e2e tests
do), with demo data; the load comes from its own process (tests/perf/loadgen.py), rounds alternating between
the two targets so that both see the same background load. Through the gateway each request is authenticated
(EdDSA access token), authorised, rate-limited, forwarded with a service token, and audited durably (the event
is committed before the answer is sent); straight to the registry it carries the service token only.

Reported: both throughputs and their ratio (aim >= 0.6) at BENCH_CONNECTIONS connections, and the latency the
gateway adds at p50 and p99 (aim <= 2 ms at p50) with one connection, where no queueing hides it.

Run: python -m tests.perf gateway (or make bench). Settings by environment: BENCH_SECONDS (10), BENCH_CONNECTIONS
(32), BENCH_PEOPLE_PER_AGENCY (20000), BENCH_ROUNDS (3). Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import statistics
import tempfile
from typing import Any

import psutil

from services.common.service_token import CallerIdentity, mint_service_token
from services.common.settings import ServiceSettings
from services.launcher.stack import Stack
from tests.perf.bench_registry import load, setting
from tests.perf.running import cpu_seconds, gateway_token, query, running_stack, sample_nips

RATIO_AIM, ADDED_P50_AIM_MS = 0.6, 2.0
Figures = dict[str, Any]


def main() -> None:
    """Start the stack, measure both targets in alternating rounds, report."""
    people = int(setting("PEOPLE_PER_AGENCY", "20000"))
    seconds, connections = float(setting("SECONDS", "10")), int(setting("CONNECTIONS", "32"))
    print(f"starting registry, scoring and gateway on PostgreSQL with {2 * people} demo employees ...", flush=True)
    seed = ["--people-per-agency", str(people)]
    with running_stack("talenta_bench_gateway", seed) as stack, tempfile.TemporaryDirectory() as tmp:
        nips = sample_nips(stack)
        secret = ServiceSettings().service_token_secret.get_secret_value()
        national = CallerIdentity(service="gateway", subject="user:bench", roles=("national_admin",))
        direct = [f"Authorization: Bearer {mint_service_token(secret, 'gateway', 'registry', national, ttl=3600)}"]
        through = [f"Authorization: Bearer {gateway_token(stack)}"]
        files = {}
        for name, prefix in (("direct", "/v1/employees/"), ("gateway", "/api/v1/employees/")):
            files[name] = f"{tmp}/{name}.txt"
            with open(files[name], "w", encoding="utf-8") as out:
                out.write("\n".join(prefix + nip for nip in nips))
        ports = {"direct": stack.ports["registry"], "gateway": stack.ports["gateway"]}
        headers = {"direct": direct, "gateway": through}
        processes = {name: psutil.Process(stack.processes[name].pid) for name in ("registry", "gateway")}

        def measured(name: str, concurrency: int) -> Figures:
            before = {p: cpu_seconds(process) for p, process in processes.items()}
            figures = load(ports[name], files[name], seconds, concurrency, headers[name])
            for p, process in processes.items():  # CPU time each service spent per request of this round
                figures[f"cpu_{p}_ms"] = (cpu_seconds(process) - before[p]) * 1000 / figures["requests"]
            return figures

        results: dict[int, list[tuple[Figures, Figures]]] = {}
        for concurrency in (1, connections):
            for name in ("direct", "gateway"):  # warm both up: connections, caches, the audit writer
                load(ports[name], files[name], 2, concurrency, headers[name])
            results[concurrency] = [
                (measured("direct", concurrency), measured("gateway", concurrency))
                for _ in range(int(setting("ROUNDS", "3")))
            ]
        audited = audit_events(stack)
    report(results, connections, audited)


def audit_events(stack: Stack) -> tuple[int, int]:
    """How many audit events the gateway wrote, and in how many transactions (group commit at work)."""
    database = stack.database_urls["gateway"].rsplit("/", 1)[1]
    events = query(stack, "gateway", "SELECT count(*) FROM audit_events")[0][0]
    commits = query(stack, "gateway", "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", database)[0][0]
    return int(events), int(commits)


def report(results: dict[int, list[tuple[Figures, Figures]]], connections: int, audited: tuple[int, int]) -> None:
    """Each round, then the medians against the aims."""
    for concurrency, pairs in results.items():
        print(f"  {concurrency} connection(s):")
        for i, (direct, gateway) in enumerate(pairs, start=1):
            print(
                f"    round {i}: registry {direct['rps']:>6.0f} req/s (p50 {direct['p50_ms']:.2f} ms, p99 "
                f"{direct['p99_ms']:.2f} ms)   gateway {gateway['rps']:>6.0f} req/s (p50 {gateway['p50_ms']:.2f} ms, "
                f"p99 {gateway['p99_ms']:.2f} ms)   ratio {gateway['rps'] / direct['rps']:.2f}"
            )
    single, loaded = results[1], results[connections]
    added_p50 = statistics.median(g["p50_ms"] - d["p50_ms"] for d, g in single)
    added_p99 = statistics.median(g["p99_ms"] - d["p99_ms"] for d, g in single)
    ratio = statistics.median(g["rps"] / d["rps"] for d, g in loaded)
    loaded_p50 = statistics.median(g["p50_ms"] - d["p50_ms"] for d, g in loaded)
    verdict = "meets" if ratio >= RATIO_AIM else "below"
    print(f"  throughput ratio gateway/registry at {connections} connections: {ratio:.2f} ({verdict} the "
          f"{RATIO_AIM} aim); added p50 there {loaded_p50:.2f} ms")  # fmt: skip
    print(f"  added latency, one connection: p50 {added_p50:.2f} ms "
          f"({'meets' if added_p50 <= ADDED_P50_AIM_MS else 'above'} the {ADDED_P50_AIM_MS} ms aim), "
          f"p99 {added_p99:.2f} ms")  # fmt: skip
    cpu = {p: statistics.median(g[f"cpu_{p}_ms"] for _, g in loaded) for p in ("gateway", "registry")}
    direct_cpu = statistics.median(d["cpu_registry_ms"] for d, _ in loaded)
    print(f"  CPU per request at {connections} connections: registry alone {direct_cpu:.2f} ms; through the gateway "
          f"{cpu['gateway']:.2f} ms in the gateway + {cpu['registry']:.2f} ms in the registry (2 cores shared with "
          f"PostgreSQL and the load generator)")  # fmt: skip
    events, commits = audited
    print(f"  audit: {events} events durable before their answers, in about {commits} gateway-database commits")


if __name__ == "__main__":
    main()
