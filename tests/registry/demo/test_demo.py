"""The demo generator: deterministic, valid (every NIP passes, histories well-formed), fixed person complete,
and seeded in bulk on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import pathlib
import time
from collections import Counter
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from services.registry.demo import FIXED_NIP, DemoDataset, is_empty, seed, write_employees_csv
from services.registry.demo.cli import main as demo_cli
from services.registry.demo.generate import PEOPLE_TABLES
from services.registry.demo.rows import Rows
from services.registry.employees.rules import parse_nip, rank_problem, retirement_date
from services.registry.ratings.rules import predikat
from tests.registry.conftest import Api, migrated_database
from tests.registry.factory import ok


def tables(dataset: DemoDataset) -> dict[str, Rows]:
    chunks = list(dataset.people())
    people = {name: Rows.concat([c[name] for c in chunks]) for name in PEOPLE_TABLES}
    return {**dataset.organisation(), **people}


def column(rows: Rows, name: str) -> list[Any]:
    return [r[0] for r in rows.records([name])]


@pytest.fixture(scope="module")
def demo() -> dict[str, Rows]:
    return tables(DemoDataset(seed=11, people_per_agency=1500))


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first, again = (
        tables(DemoDataset(seed=5, people_per_agency=300)),
        tables(DemoDataset(seed=5, people_per_agency=300)),
    )
    for name, rows in first.items():
        columns = list(rows.columns)
        assert list(rows.records(columns)) == list(again[name].records(columns)), name
    other = tables(DemoDataset(seed=6, people_per_agency=300))
    assert column(other["employees"], "nip") != column(first["employees"], "nip")


def test_every_nip_is_valid_unique_and_agrees_with_derived_fields(demo: dict[str, Rows]) -> None:
    employees = demo["employees"]
    records = list(
        employees.records(["nip", "birth_date", "gender", "employment_type", "rank", "retirement_date", "position_id"])
    )
    assert len(records) == 3000
    assert len({r[0] for r in records}) == len(records)
    levels = dict(zip(column(demo["positions"], "id"), column(demo["positions"], "level"), strict=True))
    for nip, birth, gender, employment_type, rank, retires, position_id in records:
        facts = parse_nip(nip)  # raises on any broken rule
        assert (facts.birth_date, facts.gender) == (birth, gender)
        assert rank_problem(rank, employment_type) is None, (nip, rank, employment_type)
        assert retires == retirement_date(birth, levels.get(position_id)), nip
        assert retires > dt.date(2027, 1, 1)  # nobody retires before the demo is a year old


def test_histories_are_well_formed(demo: dict[str, Rows]) -> None:
    for name in ("rank_history", "position_history", "education_history"):
        rows = list(demo[name].records(["nip", "valid_from", "valid_to"]))
        open_rows = Counter(nip for nip, _, valid_to in rows if valid_to is None)
        assert max(open_rows.values()) == 1, name
        assert all(valid_to is None or valid_from <= valid_to for _, valid_from, valid_to in rows), name
    employees = {
        r[0]: r for r in demo["employees"].records(["nip", "rank", "rank_since", "position_id", "position_since"])
    }
    current_rank = {
        r[0]: r for r in demo["rank_history"].records(["nip", "rank", "valid_from", "valid_to"]) if r[3] is None
    }
    for nip, (_, rank, since, *_rest) in employees.items():
        assert current_rank[nip][1:3] == (rank, since), nip
    current_position = {
        r[0]: r[1:3]
        for r in demo["position_history"].records(["nip", "position_id", "valid_from", "valid_to"])
        if r[3] is None
    }
    held = {nip: (e[3], e[4]) for nip, e in employees.items() if e[3] is not None}
    assert held == current_position


def test_ratings_assessments_and_deliberate_gaps(demo: dict[str, Rows]) -> None:
    ratings = list(demo["performance_ratings"].records(["nip", "year", "work_result", "work_behavior", "predikat"]))
    assert all(predikat(r, b) == p for _, _, r, b, p in ratings)
    assert Counter(year for _, year, *_ in ratings).keys() == {2024, 2025}
    assert len({p for *_, p in ratings}) >= 4
    people = set(column(demo["employees"], "nip"))
    rated_2025 = {nip for nip, year, *_ in ratings if year == 2025}
    assessed = set(column(demo["competency_assessments"], "nip"))
    assert 0 < len(people - rated_2025) < 0.15 * len(people)  # some lack a 2025 rating
    assert 0 < len(people - assessed) < 0.25 * len(people)
    stale = [d for d in column(demo["competency_assessments"], "assessed_on") if d < dt.date(2023, 1, 1)]
    assert stale  # some assessments are older than the default policy's limit
    without_position = [p for p in column(demo["employees"], "position_id") if p is None]
    levels = set(column(demo["positions"], "level"))
    assert {"jpt_pratama", "administrator", "pengawas", "pelaksana", "ahli_pertama", "ahli_muda", "ahli_madya",
            "ahli_utama", "pemula", "terampil", "mahir", "penyelia"} <= levels  # fmt: skip
    assert without_position  # deliberately incomplete: a few people hold no position
    potential = demo["potential_assessments"]
    with_aspects = ~np.isnan(potential.columns["aspect_grit"].astype(float))
    assert with_aspects.any()
    assert (~with_aspects).any()
    assert len(demo["disciplinary_actions"]) > 0
    assert len(demo["awards"]) > 0


def test_fixed_person_is_complete_whatever_the_size() -> None:
    for people in (0, 50):
        data = tables(DemoDataset(seed=3, people_per_agency=people))
        for name in ("employees", "rank_history", "position_history", "education_history", "training_history",
                     "performance_ratings", "competency_assessments", "potential_assessments", "awards"):  # fmt: skip
            assert FIXED_NIP in column(data[name], "nip"), (people, name)


def test_more_agencies_keep_the_two_demo_agencies_and_every_nip_unique() -> None:
    two = tables(DemoDataset(seed=7, people_per_agency=400))
    many = tables(DemoDataset(seed=7, people_per_agency=400, agency_count=21))
    codes = column(many["agencies"], "code")
    assert len(set(codes)) == 21
    assert codes[:2] == ["pemkab-lampung-barat", "pemkab-tanggamus"]
    nips = column(many["employees"], "nip")
    assert len(nips) == len(set(nips)) == 21 * 400
    assert all(parse_nip(nip) for nip in nips)
    assert column(many["employees"], "nip")[:800] == column(two["employees"], "nip")  # the demo's NIPs stay
    agencies_of = Counter(column(many["employees"], "agency_id"))
    assert sorted(agencies_of.values()) == [400] * 21
    with pytest.raises(ValueError, match="agencies"):
        DemoDataset(agency_count=22)
    with pytest.raises(ValueError, match="at most"):
        DemoDataset(people_per_agency=300_000, agency_count=20)  # 20 x 3 chunks: more NIP blocks than exist


def test_employees_csv(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "employees.csv"
    dataset = DemoDataset(seed=4, people_per_agency=200)
    assert write_employees_csv(path, dataset, "pemkab-tanggamus") == 200
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 200
    assert {r["agency_id"] for r in rows} == {"pemkab-tanggamus"}
    assert all(parse_nip(r["nip"]) for r in rows)


async def test_seed_on_postgresql_and_read_the_fixed_person_through_the_api(api: Api, db: AsyncConnection) -> None:
    url = await migrated_database("talenta_test_registry_demo")
    engine = create_async_engine(url)
    try:
        assert await is_empty(engine)
        written = await seed(engine, DemoDataset(seed=2, people_per_agency=400))
        assert written["employees"] == 800
        assert not await is_empty(engine)
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM employees"))).scalar_one()
            assert count == 800
    finally:
        await engine.dispose()
    # The same rows through the API (seeded into this test's rolled-back transaction).
    await seed(_ConnectionEngine(db), DemoDataset(seed=2, people_per_agency=50))  # type: ignore[arg-type]
    person = await ok(await api.get(f"/v1/employees/{FIXED_NIP}"), 200)
    assert (person["name"], person["rank"], person["retirement_date"]) == (
        "Andi Pratama, S.Kom., M.T.",
        "III/c",
        "2044-10-01",
    )
    competency = await ok(await api.get(f"/v1/employees/{FIXED_NIP}/competency-assessments"), 200)
    assert competency["items"][0]["standard_source"] == "position"
    assert competency["items"][0]["jpm"] is not None
    history = await ok(await api.get(f"/v1/employees/{FIXED_NIP}/history"), 200)
    assert [p["level"] for p in history["positions"]] == ["pelaksana", "pengawas", "administrator"]
    listed = await ok(await api.get("/v1/employees", params={"agency_id": "pemkab-lampung-barat", "limit": 500}), 200)
    assert len(listed["items"]) == 50


class _ConnectionEngine:
    """Lets `seed` write into the test's open connection (its `begin()` becomes a savepoint)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    def begin(self) -> Any:
        connection = self.connection

        class _Nested:
            async def __aenter__(self) -> AsyncConnection:
                self.savepoint = await connection.begin_nested()
                return connection

            async def __aexit__(self, *exc: object) -> None:
                await self.savepoint.commit()

        return _Nested()


def test_cli_seeds_sqlite_once_and_quickly(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.registry.settings import get_settings

    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")
    get_settings.cache_clear()
    try:
        began = time.perf_counter()
        assert demo_cli(["seed", "--if-empty"]) == 0
        assert time.perf_counter() - began < 45
        assert demo_cli(["seed", "--if-empty"]) == 0  # second start: skipped
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")

        async def count() -> int:
            async with engine.connect() as connection:
                return int((await connection.execute(text("SELECT count(*) FROM employees"))).scalar_one())

        assert asyncio.run(count()) == 6000
    finally:
        get_settings.cache_clear()
