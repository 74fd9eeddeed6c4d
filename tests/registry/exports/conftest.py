"""Export test fixtures: one agency built through imports and the single-record API, committed, read many ways."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from services.registry.exports.query import COLUMNS
from tests.registry.conftest import Api, migrated_database
from tests.registry.factory import make_agency, make_employee, make_position, ok
from tests.registry.imports.conftest import bulk_settings, running_app
from tests.registry.imports.test_examples import import_examples

AGENCY = "pemkab-contoh"
MOVER = "198107142006041007"
EDGES = "198203252008012008"
INCOMPLETE = "199001012015031009"
RETIRED = "196605102000031010"  # pelaksana: retires 2024-06-01
DELETED = "198502022010011011"
ELSEWHERE = "198804042012041012"


@dataclass
class World:
    """The committed test data."""

    api: Api
    url: str
    agency: dict[str, Any]
    other: dict[str, Any]
    units: dict[str, str]  # code -> id
    positions: dict[str, str]  # name -> id


async def export(api: Api, **params: Any) -> list[dict[str, str]]:
    """GET /v1/scoring-inputs as rows (the header checked against the contract)."""
    response = await api.get("/v1/scoring-inputs", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


async def _build(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    agency = await make_agency(api, AGENCY)
    await import_examples(api, AGENCY)
    units = {u["code"]: u["id"] for u in (await ok(await api.get(f"/v1/agencies/{AGENCY}/units"), 200))["items"]}
    for name in ("Kepala Bidang Mutasi", "Kepala Bidang Pengadaan"):
        await make_position(api, agency["id"], units["BKPSDM"], "administrator", name=name)
    positions = {
        p["name"]: p["id"] for p in (await ok(await api.get("/v1/positions", params={"limit": 100}), 200))["items"]
    }
    clerk = positions["Pengadministrasi Perkantoran"]
    await make_employee(api, MOVER, agency["id"], position_id=clerk, position_since="2016-01-04", rank="II/a",
                        rank_since="2016-01-04", education_level="d3")  # fmt: skip
    for position, since in (("Kepala Bidang Mutasi", "2019-01-02"), ("Kepala Bidang Pengadaan", "2023-07-01")):
        body = {"position_id": positions[position], "position_since": since}
        changed = await api.patch(f"/v1/employees/{MOVER}", json=body, headers={"If-Match": "*"})
        assert changed.status_code == 200, changed.text
    await ok(await api.patch(f"/v1/employees/{MOVER}", json={"rank": "III/a", "rank_since": "2019-04-01"},
                             headers={"If-Match": "*"}), 200)  # fmt: skip
    await make_employee(api, EDGES, agency["id"], position_id=clerk, position_since="2010-02-01", rank="III/b",
                        rank_since="2018-04-01", education_level="s1")  # fmt: skip
    await _edge_records(api)
    await make_employee(api, INCOMPLETE, agency["id"])
    await make_employee(api, RETIRED, agency["id"], position_id=clerk, position_since="2001-01-02", rank="II/d",
                        rank_since="2010-04-01")  # fmt: skip
    await make_employee(api, DELETED, agency["id"], position_id=clerk, position_since="2011-01-03")
    assert (await api.delete(f"/v1/employees/{DELETED}", headers={"If-Match": "*"})).status_code == 204
    other = await make_agency(api, "pemkab-lain")
    await make_employee(api, ELSEWHERE, other["id"])
    return agency, other


async def _edge_records(api: Api) -> None:
    path = f"/v1/employees/{EDGES}"
    for level, starts, ends in (
        ("ringan", "2020-06-01", "2020-12-31"),  # ended on the look-back's first day: counted
        ("ringan", "2020-06-01", "2020-12-30"),  # one day earlier: not counted
        ("sedang", "2021-01-01", "2021-12-31"),  # the last heavy sanction ended before as_of
        ("sedang", "2025-06-01", "2026-05-31"),  # in force at as_of
        ("berat", "2026-02-01", "2027-01-31"),  # after as_of: not counted at all
    ):
        await ok(
            await api.post(f"{path}/disciplinary-actions", json={"level": level, "starts_on": starts, "ends_on": ends})
        )
    for day in ("2020-12-30", "2020-12-31", "2025-12-31", "2026-01-15"):
        await ok(await api.post(f"{path}/awards", json={"awarded_on": day, "name": f"Award {day}", "level": "agency"}))
    for year, result in ((2024, "meets"), (2025, "below")):
        await ok(
            await api.put(f"{path}/performance-ratings/{year}", json={"work_result": result, "work_behavior": "meets"})
        )
    # A replaced rating: the export shows the current version only.
    await ok(await api.put(f"{path}/performance-ratings/2025", json={"work_result": "above", "work_behavior": "above"},
                           headers={"If-Match": '"1"'}), 200)  # fmt: skip
    for day, level in (("2025-02-10", 3), ("2026-03-01", 5)):  # the second is after as_of
        await ok(
            await api.post(f"{path}/competency-assessments", json={"assessed_on": day, "levels": {"integritas": level}})
        )
    await ok(await api.post(f"{path}/potential-assessments", json={"assessed_on": "2024-05-05", "score": 70}))


@pytest.fixture(scope="package")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    url = await migrated_database("talenta_test_bulk_export")
    async for _, api in running_app(bulk_settings(url, tmp_path_factory.mktemp("imports"))):
        agency, other = await _build(api)
        units = {u["code"]: u["id"] for u in (await ok(await api.get(f"/v1/agencies/{AGENCY}/units"), 200))["items"]}
        listed = (await ok(await api.get("/v1/positions", params={"limit": 100}), 200))["items"]
        yield World(api, url, agency, other, units, {p["name"]: p["id"] for p in listed})
