"""Bench: successors of a national JPT Madya position over a 5,600,000-person registry (aim <= 1 s server time).

The registry is generated set-based in PostgreSQL (INSERT ... SELECT over generate_series): 600 agencies of 9,333
people, each with a unit and 198 positions (1 JPT Madya, 15 JPT Pratama, 2 Ahli Utama, 30 Administrator, 30 Ahli
Madya, 100 Pengawas, 20 shared lower positions), and one current position and rank row per person; the people at
the feeder levels of JPT Madya (JPT Pratama and Ahli Utama: 10,200) also have ratings for 2024 and 2025 and both
assessments. Scoring gets one finalized 2025 review per agency with a placement for every person (5.6 M, about 42%
in the talent pool), also generated in SQL. Registry and scoring run as uvicorn processes. Timed against a trivial
scoring route: the national position's successors; the export's plan is checked to find the feeder-level people
through the level indexes instead of reading the 5.6 M employees. Also timed: the national talent pool's first
page, a filtered page, readiness for JPT Madya, and the national 9-box.

Run: python -m tests.perf national (or make bench). Settings by environment: BENCH_NATIONAL_AGENCIES (600),
BENCH_NATIONAL_PEOPLE_PER_AGENCY (9333), BENCH_NATIONAL_REQUESTS (10), BENCH_NATIONAL_REUSE (none; `registry`
keeps the generated registry, `all` keeps both databases)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import asyncpg
import httpx

from services.common.migrations import upgrade_to_head
from services.common.service_token import mint_service_token
from tests.conftest import POSTGRES_URL, recreate_database
from tests.perf.bench_review import NATIONAL, ROOT, SECRET, service, setting
from tests.perf.bench_successors import server_timing, summary

REGISTRY_DB, SCORING_DB = "talenta_test_national_bench_registry", "talenta_test_national_bench_scoring"
AIM_MS = 1000.0
AS_OF = "2026-01-02"
LEVELS = "jpt_pratama,ahli_utama"
AUDIT = "now(), 'bench', now(), 'bench', 1"
# Position slot -> (position_type, functional_level) per agency; slot 0 is the national JPT Madya position.
SLOTS = """CASE WHEN s = 0 THEN 'jpt_madya' WHEN s <= 15 THEN 'jpt_pratama' WHEN s <= 17 THEN 'fungsional'
  WHEN s <= 47 THEN 'administrator' WHEN s <= 77 THEN 'fungsional' WHEN s <= 177 THEN 'pengawas'
  WHEN s <= 187 THEN 'pelaksana' ELSE 'fungsional' END"""
FUNCTIONAL = """CASE WHEN s BETWEEN 16 AND 17 THEN 'ahli_utama' WHEN s BETWEEN 48 AND 77 THEN 'ahli_madya'
  WHEN s BETWEEN 188 AND 192 THEN 'ahli_pertama' WHEN s >= 193 THEN 'ahli_muda' END"""


def _uuid(kind: str, *parts: str) -> str:
    return f"md5('{kind}' || {' || '.join(parts)})::uuid::text"


def registry_sql(agencies: int, per_agency: int) -> list[str]:
    """The set-based statements that fill the registry (person i belongs to agency i / per_agency)."""
    people = agencies * per_agency
    agency_of = f"(i / {per_agency})"
    slot = f"(CASE WHEN i % {per_agency} < 178 THEN i % {per_agency} ELSE 178 + (i % {per_agency}) % 20 END)"
    feeder = f"(i % {per_agency} BETWEEN 1 AND 17)"
    birth = "(date '1967-01-01' + (i % 9000))"
    nip = f"to_char({birth}, 'YYYYMMDD') || '201501' || (1 + (i / 9000) % 2)::text || lpad((i / 18000)::text, 3, '0')"
    return [
        "ALTER TABLE employees DISABLE TRIGGER USER",  # the bench loads people; it does not announce them
        f"""INSERT INTO agencies (id, code, name, region, created_at, created_by, updated_at, updated_by, version)
        SELECT {_uuid("agency", "a::text")}, 'bench-' || lpad(a::text, 3, '0'), 'Instansi Uji ' || a,
          CASE WHEN a % 2 = 0 THEN 'Lampung' ELSE 'Bengkulu' END, {AUDIT} FROM generate_series(0, {agencies - 1}) a""",
        f"""INSERT INTO units (id, agency_id, name, code, created_at, created_by, updated_at, updated_by, version)
        SELECT {_uuid("unit", "a::text")}, {_uuid("agency", "a::text")}, 'Sekretariat', 'SETDA', {AUDIT}
        FROM generate_series(0, {agencies - 1}) a""",
        f"""INSERT INTO positions (id, agency_id, unit_id, name, position_type, functional_level, level, is_key,
          national, created_at, created_by, updated_at, updated_by, version)
        SELECT {_uuid("pos", "a::text", "'-'", "s::text")}, {_uuid("agency", "a::text")}, {_uuid("unit", "a::text")},
          'Jabatan ' || s, {SLOTS}, {FUNCTIONAL}, COALESCE({FUNCTIONAL}, {SLOTS}), s < 18, s = 0, {AUDIT}
        FROM generate_series(0, {agencies - 1}) a, generate_series(0, 197) s""",
        f"""INSERT INTO employees (nip, name, employment_type, agency_id, unit_id, position_id, position_since,
          level_since, rank, rank_order, rank_since, education_level, birth_date, gender, retirement_date, source,
          created_at, created_by, updated_at, updated_by, version)
        SELECT {nip}, 'Pegawai ' || i, 'pns', {_uuid("agency", f"{agency_of}::text")},
          {_uuid("unit", f"{agency_of}::text")}, {_uuid("pos", f"{agency_of}::text", "'-'", f"{slot}::text")},
          date '2019-01-02', date '2019-01-02', CASE WHEN {feeder} THEN 'IV/d' ELSE 'III/c' END,
          CASE WHEN {feeder} THEN 44 ELSE 33 END, date '2019-04-01', CASE WHEN {feeder} THEN 's2' ELSE 's1' END,
          {birth}, CASE WHEN (i / 9000) % 2 = 0 THEN 'male' ELSE 'female' END,
          date_trunc('month', {birth} + interval '1 month' + CASE WHEN {slot} < 16 THEN interval '60 years'
            ELSE interval '58 years' END)::date, 'manual', {AUDIT}
        FROM generate_series(0, {people - 1}) i""",
        f"""INSERT INTO position_history (id, nip, agency_id, unit_id, position_id, level, valid_from, valid_to,
          source, created_at, created_by, updated_at, updated_by, version)
        SELECT {_uuid("ph", "e.nip")}, e.nip, e.agency_id, e.unit_id, e.position_id, p.level, e.position_since, NULL,
          'manual', {AUDIT} FROM employees e JOIN positions p ON p.id = e.position_id""",
        f"""INSERT INTO rank_history (id, nip, rank, rank_order, valid_from, valid_to, source, created_at,
          created_by, updated_at, updated_by, version)
        SELECT {_uuid("rh", "nip")}, nip, rank, rank_order, rank_since, NULL, 'manual', {AUDIT} FROM employees""",
        """CREATE TEMP TABLE feeders AS SELECT e.nip, row_number() OVER (ORDER BY e.nip) AS n FROM employees e
          JOIN positions p ON p.id = e.position_id WHERE p.level IN ('jpt_pratama', 'ahli_utama')""",
        f"""INSERT INTO performance_ratings (id, nip, year, work_result, work_behavior, predikat, source, created_at,
          created_by, updated_at, updated_by, version)
        SELECT {_uuid("pr", "nip", "y::text")}, nip, y, CASE WHEN n % 3 = 0 THEN 'above' ELSE 'meets' END,
          CASE WHEN n % 3 = 0 THEN 'above' ELSE 'meets' END, CASE WHEN n % 3 = 0 THEN 'sangat_baik' ELSE 'baik' END,
          'manual', {AUDIT} FROM feeders, generate_series(2024, 2025) y""",
        f"""INSERT INTO competency_assessments (id, nip, assessed_on, lvl_integritas, lvl_kerja_sama, lvl_komunikasi,
          lvl_orientasi_pada_hasil, lvl_pelayanan_publik, lvl_pengembangan_diri_dan_orang_lain,
          lvl_mengelola_perubahan, lvl_pengambilan_keputusan, lvl_perekat_bangsa, source, created_at, created_by,
          updated_at, updated_by, version)
        SELECT {_uuid("ca", "nip")}, nip, date '2025-03-01', 3 + n % 3, 4, 3 + n % 3, 4, 5, 4, 3 + n % 3, 4, 5,
          'manual', {AUDIT} FROM feeders""",
        f"""INSERT INTO potential_assessments (id, nip, assessed_on, score, source, created_at, created_by,
          updated_at, updated_by, version)
        SELECT {_uuid("pa", "nip")}, nip, date '2025-03-01', 70 + n % 26, 'manual', {AUDIT} FROM feeders""",
        "ALTER TABLE employees ENABLE TRIGGER USER",
    ]


async def fill_registry(url: str, agencies: int, per_agency: int) -> None:
    """Generate the registry's people in PostgreSQL itself, then ANALYZE."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        for statement in registry_sql(agencies, per_agency):
            started = time.perf_counter()
            await connection.execute(statement)
            print(
                f"    {statement.split()[0].lower()} {statement.split()[2]:<22} {time.perf_counter() - started:6.1f} s"
            )
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        print(f"    vacuum analyze {time.perf_counter() - started:6.1f} s", flush=True)
    finally:
        await connection.close()


def scoring_sql(agencies: int, per_agency: int) -> list[str]:
    """One finalized 2025 review per agency and a placement for every person (the registry's formulas)."""
    summary = json.dumps({"total": per_agency, "placed": per_agency, "incomplete": 0})
    slot = f"(CASE WHEN i % {per_agency} < 178 THEN i % {per_agency} ELSE 178 + (i % {per_agency}) % 20 END)"
    birth = "(date '1967-01-01' + (i % 9000))"
    nip = f"to_char({birth}, 'YYYYMMDD') || '201501' || (1 + (i / 9000) % 2)::text || lpad((i / 18000)::text, 3, '0')"
    feeder = "(s BETWEEN 1 AND 17)"
    return [
        f"""INSERT INTO talent_reviews (id, agency_id, period, policy_id, policy_version, status, progress, summary,
          rows_total, attempts, available_at, completed_at, finalized_at, finalized_by, decree_number, approved_by,
          created_at, created_by, updated_at, updated_by, version)
        SELECT {_uuid("review", "a::text")}, {_uuid("agency", "a::text")}, 2025, 'permenpanrb-3-2020', 1, 'completed',
          1.0, '{summary}'::json, {per_agency}, 1, now(), now(), now(), 'bench', '800/1/SK/2026', 'Sekda', now(),
          'bench', now(), 'bench', 1 FROM generate_series(0, {agencies - 1}) a""",
        f"""INSERT INTO placements (review_id, nip, name, placed, box, effective_box, potential_score, potential_level,
          performance_level, employment_type, position_type, functional_level, education_level, predikat_y,
          predikat_y1, birth_date, retirement_date, level_since, rank_order, competency_assessed_on,
          potential_assessed_on, potential_assessment_score, jpm_default_standard, missing,
          competency_levels, competency_standard, sanctions_in_force, ringan_recent, sedang_recent, berat_recent,
          awards_recent, version)
        SELECT {_uuid("review", f"(i / {per_agency})::text")}, {nip}, 'Pegawai ' || i, true, box, box,
          60 + (i * 7) % 40, 'high', 'above', 'pns', {SLOTS}, {FUNCTIONAL}, CASE WHEN {feeder} THEN 's2' ELSE 's1' END,
          CASE WHEN i % 3 = 0 THEN 'sangat_baik' ELSE 'baik' END, 'baik', {birth},
          date_trunc('month', {birth} + interval '1 month' + CASE WHEN s < 16 THEN interval '60 years'
            ELSE interval '58 years' END)::date, date '2019-01-02', CASE WHEN {feeder} THEN 44 ELSE 33 END,
          date '2025-03-01', date '2025-03-01', 60 + (i * 7) % 40, true, '',
          CASE WHEN i % 2 = 0 THEN '555555555' ELSE '444444444' END, '000000000', 0, 0, 0, 0, 0, 1
        FROM (SELECT i, {slot} AS s, (ARRAY[5, 7, 8, 9, 6, 4, 9, 8, 3, 1, 2, 5])[1 + i % 12] AS box
              FROM generate_series(0, {agencies * per_agency - 1}) i) AS people""",
        "VACUUM ANALYZE",
    ]


async def fill_scoring(scoring_url: str, agencies: int, per_agency: int) -> None:
    """Generate the reviews and placements in PostgreSQL itself."""
    connection = await asyncpg.connect(scoring_url.replace("+asyncpg", ""))
    try:
        for statement in scoring_sql(agencies, per_agency):
            started = time.perf_counter()
            await connection.execute(statement)
            words = statement.split()
            table = words[2] if len(words) > 2 else ""
            print(f"    {words[0].lower()} {table:<22} {time.perf_counter() - started:6.1f} s", flush=True)
    finally:
        await connection.close()


async def prepare(agencies: int, per_agency: int, reuse: str) -> tuple[str, str]:
    """The generated databases: `reuse` = "all" keeps both from an earlier run, "registry" keeps the registry."""
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    registry_url, scoring_url = f"{base}/{REGISTRY_DB}", f"{base}/{SCORING_DB}"
    if reuse not in ("registry", "all"):
        registry_url = await recreate_database(REGISTRY_DB)
        await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", registry_url)
        started = time.perf_counter()
        await fill_registry(registry_url, agencies, per_agency)
        print(f"  registry generated in {time.perf_counter() - started:.0f} s", flush=True)
    if reuse != "all":
        scoring_url = await recreate_database(SCORING_DB)
        await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", scoring_url)
    return registry_url, scoring_url


async def export_plan(registry_url: str) -> str:
    """EXPLAIN ANALYZE of the export the successors ask for (national, feeder levels of JPT Madya, same settings)."""
    from services.registry.exports.query import scoring_inputs_sql
    from services.registry.exports.repository import positional

    params = {"as_of": "2026-01-02", "year": 2025, "prev_year": 2024, "sanction_since": "2021-01-02",
              "award_since": "2021-01-02"}  # fmt: skip
    statement, args = positional(scoring_inputs_sql(by_agency=False, levels=LEVELS.split(","), per_person=True), params)
    connection = await asyncpg.connect(registry_url.replace("+asyncpg", ""))
    try:
        from services.registry.exports.repository import PG_SETTINGS

        for option in PG_SETTINGS:
            await connection.execute(f"SET {option}")
        import datetime as dt

        values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in args]
        rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) " + statement, *values)
        return "\n".join(row[0] for row in rows)
    finally:
        await connection.close()


def main() -> None:
    """Generate (or reuse) the national data, start both services, time the national successors, report."""
    agencies = int(setting("NATIONAL_AGENCIES", "600"))
    per_agency = int(setting("NATIONAL_PEOPLE_PER_AGENCY", "9333"))
    count = int(setting("NATIONAL_REQUESTS", "10"))
    reuse = setting("NATIONAL_REUSE", "none")
    print(f"preparing {agencies} agencies x {per_agency} people = {agencies * per_agency:,} ...", flush=True)
    registry_url, scoring_url = asyncio.run(prepare(agencies, per_agency, reuse))
    registry_env = {"REGISTRY_DATABASE_URL": registry_url, "REGISTRY_SERVICE_TOKEN_SECRET": SECRET,
                    "REGISTRY_ENVIRONMENT": "test", "REGISTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    with service("services.registry.main:app", registry_env) as registry:
        scoring_env = {"SCORING_DATABASE_URL": scoring_url, "SCORING_SERVICE_TOKEN_SECRET": SECRET,
                       "SCORING_REGISTRY_URL": registry, "SCORING_ENVIRONMENT": "test", "SCORING_RUN_WORKER": "false",
                       "SCORING_LOG_LEVEL": "WARNING"}  # fmt: skip
        with service("services.scoring.main:app", scoring_env) as scoring:
            if reuse != "all":  # the app stored the built-in policies on start; reviews refer to them
                started = time.perf_counter()
                asyncio.run(fill_scoring(scoring_url, agencies, per_agency))
                print(f"  {agencies} finalized reviews, {agencies * per_agency:,} placements generated in "
                      f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
            plan = asyncio.run(export_plan(registry_url))
            scans = [line.strip() for line in plan.splitlines() if "Seq Scan on employees" in line
                     or "Seq Scan on position_history" in line or "Seq Scan on rank_history" in line]  # fmt: skip
            print("  export plan (national, levels jpt_pratama,ahli_utama): "
                  + ("no sequential scan of employees, position_history or rank_history" if not scans
                     else "SEQUENTIAL SCANS: " + "; ".join(scans)))  # fmt: skip
            print("    " + next(line.strip() for line in plan.splitlines() if "Execution Time" in line))
            position_id = asyncio.run(_national_position(registry_url))
            token = mint_service_token(SECRET, "gateway", "scoring", NATIONAL, ttl=3600)
            headers = {"Authorization": f"Bearer {token}"}
            path = f"/v1/positions/{position_id}/successors?as_of={AS_OF}"
            with httpx.Client(base_url=scoring, timeout=120) as client:
                first = client.get(path + "&include_excluded=true&limit=500", headers=headers)
                first.raise_for_status()
                body = first.json()
                excluded = len(body["excluded"])
                baseline, measured, parts = [], [], []
                for _ in range(count):
                    started = time.perf_counter()
                    client.get("/v1/scoring-policies/permenpanrb-3-2020", headers=headers).raise_for_status()
                    baseline.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    measured.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    parts.append(server_timing(response.headers.get("server-timing", "")))
            median = statistics.median(measured)
            registry_ms = statistics.median(p["registry"] for p in parts)
            scoring_ms = statistics.median(p["scoring"] for p in parts)
            agencies_named = len({c["agency_id"] for c in body["candidates"]})
            verdict = "meets" if median <= AIM_MS else "misses"
            print(
                f"  national JPT Madya: talent from {len(body['review_ids'])} finalized reviews; at feeder levels "
                f"{excluded:,} excluded by a rule, {len(body['candidates'])} shortlisted (limit 500) from "
                f"{agencies_named} agencies\n"
                f"    successors {summary(measured)} ({verdict} the {AIM_MS:.0f} ms aim); Server-Timing median: "
                f"waiting on the registry {registry_ms:.1f} ms, scoring's own {scoring_ms:.1f} ms\n"
                f"    baseline   {summary(baseline)} (GET /v1/scoring-policies/permenpanrb-3-2020); "
                f"ratio {median / statistics.median(baseline):.0f}x"
            )
            with httpx.Client(base_url=scoring, timeout=300) as client:
                for label, view in NATIONAL_VIEWS:
                    times, size = timed_get(client, view, headers, max(3, count // 2))
                    print(f"  {label:<44} {summary(times)} ({size})")


NATIONAL_VIEWS = (
    ("talent pool, first page (national)", "/v1/talent-pool?limit=50"),
    (
        "talent pool, box 9 administrators in Lampung",
        "/v1/talent-pool?box=9&position_type=administrator&region=Lampung",
    ),
    ("talent pool, ready now for JPT Madya", f"/v1/talent-pool?ready_for=jpt_madya&readiness=ready_now&as_of={AS_OF}"),
    ("national 9-box of 2025", "/v1/nine-box?period=2025"),
)


def timed_get(client: httpx.Client, path: str, headers: dict[str, str], count: int) -> tuple[list[float], str]:
    """Milliseconds of `count` GETs after one warm-up, and the size of the answer (items or agencies)."""
    body = client.get(path, headers=headers).raise_for_status().json()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(path, headers=headers).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    size = (
        f"{len(body['items'])} items"
        if "items" in body
        else f"{body['agencies_counted']} agencies, {body['total']:,} people"
    )
    return times, size


async def _national_position(registry_url: str) -> str:
    connection = await asyncpg.connect(registry_url.replace("+asyncpg", ""))
    try:
        return str(await connection.fetchval("SELECT id FROM positions WHERE national AND level = 'jpt_madya' LIMIT 1"))
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
