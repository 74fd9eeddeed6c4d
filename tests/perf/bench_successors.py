"""Bench: successors of one key position in a 10,000-person agency (aim <= 100 ms server time).

Registry and scoring run as real uvicorn processes on PostgreSQL; the agency's review is completed first.
Each successor request reads the position from the registry, streams the feeder levels' people at `as_of`,
joins their talent from the review and runs the engine. The baseline, measured in the same run on the same
connection, is a trivial scoring route (GET /v1/scoring-policies/{id}: token check, one indexed row, JSON).
Latency is taken on a kept-alive loopback connection, so it is the server's time plus well under 1 ms.

Run: python -m tests.perf successors   (or make bench). Settings by environment:
BENCH_SUCCESSORS_PEOPLE (10000), BENCH_SUCCESSORS_REQUESTS (40).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from services.common.service_token import mint_service_token
from tests.perf.bench_review import NATIONAL, SECRET, call, prepare, review_once, service, setting

AGENCY = "pemkab-lampung-barat"
AIM_MS = 100.0
AS_OF = "2026-01-02"  # the demo data's "today"


def timed(client: httpx.Client, path: str, token: str, count: int) -> tuple[list[float], list[dict[str, float]]]:
    """Milliseconds of `count` sequential GETs (after two warm-ups), and their Server-Timing parts."""
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        client.get(path, headers=headers).raise_for_status()
    times, parts = [], []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        parts.append(server_timing(response.headers.get("server-timing", "")))
    return times, parts


def server_timing(header: str) -> dict[str, float]:
    """`registry;dur=12.3, scoring;dur=4.5` -> {"registry": 12.3, "scoring": 4.5}."""
    parts = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        name, _, duration = item.partition(";dur=")
        parts[name] = float(duration)
    return parts


def summary(times: list[float]) -> str:
    """Median and 95th percentile."""
    ordered = sorted(times)
    return f"median {statistics.median(ordered):6.1f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))]:6.1f} ms"


def main() -> None:
    """Seed, complete a review, then time successors for key positions against the trivial route."""
    people = int(setting("SUCCESSORS_PEOPLE", "10000"))
    count = int(setting("SUCCESSORS_REQUESTS", "40"))
    print(f"preparing the registry with {2 * people} demo employees (2 agencies) ...", flush=True)
    registry_url, scoring_url = asyncio.run(prepare(people))
    registry_env = {"REGISTRY_DATABASE_URL": registry_url, "REGISTRY_SERVICE_TOKEN_SECRET": SECRET,
                    "REGISTRY_ENVIRONMENT": "test", "REGISTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    with service("services.registry.main:app", registry_env) as registry:
        scoring_env = {"SCORING_DATABASE_URL": scoring_url, "SCORING_SERVICE_TOKEN_SECRET": SECRET,
                       "SCORING_REGISTRY_URL": registry, "SCORING_ENVIRONMENT": "test", "SCORING_RUN_WORKER": "true",
                       "SCORING_LOG_LEVEL": "WARNING"}  # fmt: skip
        with service("services.scoring.main:app", scoring_env) as scoring:
            agency_id = call(registry, "registry", "GET", f"/v1/agencies/{AGENCY}")["id"]
            _, job = review_once(scoring, agency_id)
            print(f"  review of {job['rows_total']} people completed", flush=True)
            page = call(registry, "registry", "GET", f"/v1/positions?agency_id={agency_id}&is_key=true&limit=500")
            by_level: dict[str, dict[str, str]] = {}
            for position in page["items"]:
                by_level.setdefault(position["level"], position)
            token = mint_service_token(SECRET, "gateway", "scoring", NATIONAL, ttl=3600)
            with httpx.Client(base_url=scoring, timeout=30) as client:
                for level in ("jpt_pratama", "administrator"):
                    position = by_level[level]
                    path = f"/v1/positions/{position['id']}/successors?as_of={AS_OF}"
                    body = client.get(path, headers={"Authorization": f"Bearer {token}"}).json()
                    baseline, _ = timed(client, "/v1/scoring-policies/permenpanrb-3-2020", token, count)
                    measured, parts = timed(client, path, token, count)
                    registry_ms = statistics.median(p["registry"] for p in parts)
                    scoring_ms = statistics.median(p["scoring"] for p in parts)
                    excluded = client.get(path + "&include_excluded=true", headers={"Authorization": f"Bearer {token}"})
                    feeders = len(body["candidates"]) + len(excluded.json()["excluded"])
                    median = statistics.median(measured)
                    verdict = "meets" if median <= AIM_MS else "misses"
                    print(
                        f"  {level} '{position['name']}': {feeders} people at feeder levels, "
                        f"{len(body['candidates'])} shortlisted\n"
                        f"    successors {summary(measured)} ({verdict} the {AIM_MS:.0f} ms aim); Server-Timing "
                        f"median: waiting on the registry {registry_ms:.1f} ms, scoring's own {scoring_ms:.1f} ms\n"
                        f"    baseline   {summary(baseline)} (GET /v1/scoring-policies/permenpanrb-3-2020); "
                        f"ratio {median / statistics.median(baseline):.1f}x"
                    )


if __name__ == "__main__":
    main()
