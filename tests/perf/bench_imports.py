"""Bench: import 200,000 employees and 400,000 performance ratings from CSV through POST /v1/imports (PostgreSQL),
against a row-by-row INSERT of the same rows (one statement per table row) measured in the same run.

End to end: the upload (multipart, streamed to disk, hashed, checked), the job (every row checked by the registry's
rules, staged with COPY, written set-based with its history rows), polled until it completes. The baseline writes
the same table rows (employees, their position/rank/education history rows, ratings) one INSERT at a time in one
transaction. A second, fresh database then takes the two files uploaded one after the other without waiting for
the first job (as a clerk would): the ratings job reads its file while the employees are written, and applies
after them. Run: python -m tests.perf imports. Settings: BENCH_IMPORT_PEOPLE (200000; ratings are 2 per person).
Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import os
import pathlib
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import numpy as np
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import upgrade_to_head
from services.common.service_token import CallerIdentity, mint_service_token
from services.registry.app import create_app
from services.registry.demo.generate import CHUNK_SIZE, DemoDataset
from services.registry.demo.seed import write_rows
from services.registry.employees.rules import parse_nip, rank_order, retirement_date
from services.registry.models import metadata
from services.registry.ratings.rules import predikat
from services.registry.settings import RegistrySettings
from tests.conftest import recreate_database

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "bench-service-token-secret-0123456789abcdef"
AGENCY = "pemkab-lampung-barat"
EMPLOYEE_COLUMNS = ("nip", "name", "employment_type", "agency_id", "unit_id", "position_id", "position_since",
                    "level_since", "rank", "rank_since", "education_level", "email", "phone")  # fmt: skip
LABELS = {"above": "Diatas Ekspektasi", "meets": "Sesuai Ekspektasi", "below": "Dibawah Ekspektasi"}
TARGET_ROWS_PER_SECOND, TARGET_RATIO = 50_000, 10.0


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_files(folder: pathlib.Path, dataset: DemoDataset, people: int) -> tuple[pathlib.Path, pathlib.Path]:
    """The demo generator's people of one agency as an employees CSV, and two years of ratings for each."""
    agency = next(a for a in dataset.agencies if a.code == AGENCY)
    employees, ratings = folder / "employees.csv", folder / "ratings.csv"
    rng = np.random.default_rng(7)
    with employees.open("w", newline="") as e_out, ratings.open("w", newline="") as r_out:
        e_csv, r_csv = csv.writer(e_out), csv.writer(r_out)
        e_csv.writerow(EMPLOYEE_COLUMNS)
        r_csv.writerow(("NIP", "Tahun", "Hasil Kerja", "Perilaku Kerja"))
        for chunk, start in enumerate(range(0, people, CHUNK_SIZE)):
            rows = dataset.chunk(agency, chunk, min(CHUNK_SIZE, people - start))["employees"]
            for record in rows.records(EMPLOYEE_COLUMNS):
                values = [_text(v) for v in record]
                values[3] = AGENCY
                e_csv.writerow(values)
                for year in (2024, 2025):
                    picks = rng.choice(3, 2, p=[0.2, 0.7, 0.1])
                    r_csv.writerow((values[0], year, *(LABELS[("above", "meets", "below")[i]] for i in picks)))
    return employees, ratings


async def prepare(name: str, dataset: DemoDataset) -> str:
    """A migrated database holding the dataset's organisation (agencies, units, positions), no people."""
    url = await recreate_database(name)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for table, rows in dataset.organisation().items():
            await write_rows(connection, metadata.tables[table], rows)
    await engine.dispose()
    return url


def headers() -> dict[str, str]:
    """A fresh service token (they are short-lived; a run takes minutes)."""
    token = mint_service_token(SECRET, "gateway", "registry", CallerIdentity(service="gateway", subject="user:bench"))
    return {"Authorization": f"Bearer {token}"}


async def upload_file(client: httpx.AsyncClient, kind: str, path: pathlib.Path) -> str:
    """Upload a file; the URL of its job (answered once the file is stored and checked)."""
    with path.open("rb") as handle:
        answer = await client.post("/v1/imports", headers=headers(), data={"kind": kind, "agency_id": AGENCY},
                                   files={"file": (path.name, handle, "text/csv")})  # fmt: skip
    assert answer.status_code == 202, answer.text
    return str(answer.headers["location"])


async def finished_job(client: httpx.AsyncClient, location: str) -> dict[str, Any]:
    """Poll a job until it completed or failed."""
    while True:
        answer = await client.get(location, headers=headers())
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.05)


async def import_file(client: httpx.AsyncClient, kind: str, path: pathlib.Path) -> tuple[float, dict[str, Any]]:
    """Upload a file, poll its job to the end; (seconds, final job)."""
    started = time.perf_counter()
    location = await upload_file(client, kind, path)
    accepted = time.perf_counter() - started
    job = await finished_job(client, location)
    return time.perf_counter() - started, job | {"accepted_seconds": accepted}


@contextlib.asynccontextmanager
async def registry_client(url: str, folder: pathlib.Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the registry app (started, with its import runner) on the database at `url`."""
    settings = RegistrySettings(database_url=url, environment="test", log_level="WARNING", service_token_secret=SECRET,
                                import_dir=str(folder / "uploads"), import_max_stored_errors=20)  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=600) as client:
            yield client


async def bulk_run(
    url: str, files: dict[str, pathlib.Path], folder: pathlib.Path
) -> dict[str, tuple[float, dict[str, Any]]]:
    """Each file imported after the one before has finished, then each again (the idempotent re-import)."""
    results = {}
    async with registry_client(url, folder) as client:
        for rounds in ("", " again"):
            for kind, path in files.items():
                results[kind + rounds] = await import_file(client, kind, path)
    return results


async def together_run(url: str, files: dict[str, pathlib.Path], folder: pathlib.Path) -> float:
    """Seconds from the first upload until every file's job has finished, the files uploaded one after the other
    without waiting for the jobs (each job reads its file while the one before writes; they apply in order)."""
    async with registry_client(url, folder) as client:
        started = time.perf_counter()
        locations = [await upload_file(client, kind, path) for kind, path in files.items()]
        jobs = await asyncio.gather(*(finished_job(client, location) for location in locations))
        seconds = time.perf_counter() - started
    for kind, job in zip(files, jobs, strict=True):
        assert (job["status"], job["rows_created"]) == ("completed", job["rows_total"]), (kind, job)
    return seconds


async def row_by_row(url: str, employees: pathlib.Path, ratings: pathlib.Path) -> tuple[float, int]:
    """The same table rows, one INSERT each; (seconds, statements)."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    agency_id = await connection.fetchval("SELECT id FROM agencies WHERE code = $1", AGENCY)
    levels = dict(await connection.fetch("SELECT id, level FROM positions"))
    now, statements = dt.datetime.now(dt.UTC), 0
    audit = (now, "bench", now, "bench", 1)
    started = time.perf_counter()
    async with connection.transaction():
        with employees.open(newline="") as handle:
            for row in csv.DictReader(handle):
                statements += await _insert_employee(connection, row, agency_id, levels, audit)
        with ratings.open(newline="") as handle:
            reverse = {label: code for code, label in LABELS.items()}
            for nip, year, result, behavior in csv.reader(handle):
                if nip == "NIP":
                    continue
                wr, wb = reverse[result], reverse[behavior]
                await connection.execute(
                    "INSERT INTO performance_ratings (id, nip, source, year, work_result, work_behavior, predikat, "
                    "created_at, created_by, updated_at, updated_by, version) "
                    "VALUES (gen_random_uuid()::text, $1, 'import', $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    nip, int(year), wr, wb, predikat(wr, wb), *audit,
                )  # fmt: skip
                statements += 1
    seconds = time.perf_counter() - started
    await connection.close()
    return seconds, statements


async def _insert_employee(
    connection: Any, row: dict[str, str], agency_id: str, levels: dict[str, str], audit: tuple[Any, ...]
) -> int:
    facts = parse_nip(row["nip"])
    day = {
        k: dt.date.fromisoformat(row[k]) if row[k] else None for k in ("position_since", "level_since", "rank_since")
    }
    position, rank = row["position_id"] or None, row["rank"] or None
    level = levels.get(position) if position else None
    await connection.execute(
        "INSERT INTO employees (nip, name, employment_type, agency_id, unit_id, position_id, position_since, "
        "level_since, rank, rank_order, rank_since, education_level, email, phone, birth_date, gender, "
        "retirement_date, source, "
        "created_at, created_by, updated_at, updated_by, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $13, $14, $15, $16, $17, 'import', $18, $19, $20, $21, $22)",
        row["nip"], row["name"], row["employment_type"], agency_id, row["unit_id"] or None, position,
        day["position_since"], day["level_since"], rank, rank_order(rank) if rank else None, day["rank_since"],
        row["education_level"] or None, row["email"] or None, row["phone"] or None, facts.birth_date, facts.gender,
        retirement_date(facts.birth_date, level), *audit,
    )  # fmt: skip
    count = 1
    if position:
        await connection.execute(
            "INSERT INTO position_history (id, nip, agency_id, unit_id, position_id, level, valid_from, source, "
            "created_at, created_by, updated_at, updated_by, version) VALUES (gen_random_uuid()::text, $1, $2, $3, "
            "$4, $5, $6, 'import', $7, $8, $9, $10, $11)",
            row["nip"], agency_id, row["unit_id"] or None, position, level, day["position_since"], *audit,
        )  # fmt: skip
        count += 1
    if rank:
        await connection.execute(
            "INSERT INTO rank_history (id, nip, rank, rank_order, valid_from, source, created_at, created_by, "
            "updated_at, updated_by, version) VALUES (gen_random_uuid()::text, $1, $2, $3, $4, 'import', $5, $6, $7, "
            "$8, $9)",
            row["nip"], rank, rank_order(rank), day["rank_since"], *audit,
        )  # fmt: skip
        count += 1
    if row["education_level"]:
        await connection.execute(
            "INSERT INTO education_history (id, nip, level, valid_from, source, created_at, created_by, updated_at, "
            "updated_by, version) VALUES (gen_random_uuid()::text, $1, $2, CURRENT_DATE, 'import', $3, $4, $5, $6, $7)",
            row["nip"], row["education_level"], *audit,
        )  # fmt: skip
        count += 1
    return count


async def run() -> None:
    people = int(os.environ.get("BENCH_IMPORT_PEOPLE", "200000"))
    dataset = DemoDataset(people_per_agency=people)
    with tempfile.TemporaryDirectory(prefix="talenta-bench-imports-") as temp:
        folder = pathlib.Path(temp)
        started = time.perf_counter()
        employees, ratings = await asyncio.to_thread(write_files, folder, dataset, people)
        sizes = {p.name: p.stat().st_size for p in (employees, ratings)}
        print(f"files: {people} employees, {2 * people} ratings ({sizes}) in {time.perf_counter() - started:.1f} s")
        url = await prepare("talenta_test_bulk_bench_import", dataset)
        files = {"employees": employees, "performance-ratings": ratings}
        results = await bulk_run(url, files, folder)
        together = await together_run(await prepare("talenta_test_bulk_bench_together", dataset), files, folder)
        baseline_url = await prepare("talenta_test_bulk_bench_rows", dataset)
        baseline_seconds, statements = await row_by_row(baseline_url, employees, ratings)
    report(people, results, together, baseline_seconds, statements)


def report(
    people: int, results: dict[str, tuple[float, dict[str, Any]]], together: float, baseline: float, statements: int
) -> None:
    rows = 3 * people
    for name, (seconds, job) in results.items():
        print(f"{name:>25}: {job['status']}, {job['rows_total']} rows in {seconds:6.2f} s = "
              f"{job['rows_total'] / seconds:9,.0f} rows/s (created {job['rows_created']}, changed "
              f"{job['rows_updated']}, unchanged {job['rows_unchanged']}, errors {job['error_count']}; upload "
              f"accepted after {job['accepted_seconds']:.2f} s)")  # fmt: skip
    bulk = results["employees"][0] + results["performance-ratings"][0]
    per_second = rows / baseline
    print(
        f"{'row by row':>25}: {statements} INSERTs ({rows} file rows) in {baseline:6.2f} s = {per_second:9,.0f} rows/s"
    )
    print(
        f"import end to end: {rows} rows in {bulk:.2f} s = {rows / bulk:,.0f} rows/s (target >= "
        f"{TARGET_ROWS_PER_SECOND:,}); {baseline / bulk:.1f}x the row-by-row baseline (target >= {TARGET_RATIO:.0f}x)"
    )
    print(
        f"the two files uploaded together (into a fresh database; each job reads while the one before writes): "
        f"{rows} rows in {together:.2f} s = {rows / together:,.0f} rows/s; {baseline / together:.1f}x the baseline"
    )


def main() -> None:
    """Entry point for `python -m tests.perf imports`."""
    asyncio.run(run())


if __name__ == "__main__":
    main()
