"""Every example file of docs/imports imports cleanly, in order, and the registry then holds what it says."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.registry.imports.columns import COLUMNS
from tests.registry.conftest import Api
from tests.registry.factory import make_agency, ok
from tests.registry.imports.conftest import EXAMPLES, run_import

ORDER = [
    ("units", "units.csv"),
    ("positions", "positions.csv"),
    ("employees", "employees.csv"),
    ("employees", "employees.ndjson"),
    ("performance-ratings", "performance-ratings.csv"),
    ("competency-assessments", "competency-assessments.csv"),
    ("competency-assessments", "competency-assessments.ndjson"),
    ("potential-assessments", "potential-assessments.csv"),
    ("disciplinary-actions", "disciplinary-actions.csv"),
    ("awards", "awards.csv"),
]


async def import_examples(api: Api, agency: str, order: list[tuple[str, str]] = ORDER) -> list[dict[str, Any]]:
    """Import the example files into `agency`; answers the jobs."""
    jobs = []
    for kind, name in order:
        job = await run_import(api, kind, agency, (EXAMPLES / name).read_bytes(), filename=name)
        assert job["status"] == "completed", (name, job["detail"], job["errors"])
        assert job["error_count"] == 0, (name, job["errors"])
        jobs.append(job)
    return jobs


async def test_every_example_file_imports(bulk_api: Api) -> None:
    agency = await make_agency(bulk_api, "pemkab-contoh")
    jobs = await import_examples(bulk_api, "pemkab-contoh")
    written = {
        name: (job["rows_created"], job["rows_updated"], job["rows_unchanged"])
        for (_, name), job in zip(ORDER, jobs, strict=True)
    }
    assert written["units.csv"] == (5, 0, 0)
    assert written["positions.csv"] == (7, 0, 0)
    assert written["employees.csv"] == (6, 0, 0)
    assert written["employees.ndjson"] == (0, 1, 1)  # Rina unchanged, Siti promoted
    assert written["performance-ratings.csv"] == (7, 0, 0)

    rina = await ok(await bulk_api.get("/v1/employees/198005122005012002"), 200)
    assert (rina["rank"], rina["rank_since"], rina["education_level"]) == ("IV/a", "2022-10-01", "s2")
    assert rina["agency_id"] == agency["id"]
    siti = await ok(await bulk_api.get("/v1/employees/199203152019032004/history"), 200)
    assert [(r["rank"], r["valid_from"], r["valid_to"]) for r in siti["ranks"]] == [
        ("II/c", "2019-03-01", "2023-04-01"),
        ("II/d", "2023-04-01", None),
    ]
    ratings = await ok(await bulk_api.get("/v1/employees/197503102000031001/performance-ratings"), 200)
    assert [(r["year"], r["predikat"]) for r in ratings["items"]] == [(2024, "baik"), (2025, "sangat_baik")]
    competency = await ok(await bulk_api.get("/v1/employees/197503102000031001/competency-assessments"), 200)
    assert competency["items"][0]["standard_source"] == "position"
    assert competency["items"][0]["jpm"] == round(35 / 36 * 100, 2)
    potential = await ok(await bulk_api.get("/v1/employees/198005122005012002/potential-assessments"), 200)
    assert potential["items"][0]["score"] == 84.25
    first = await ok(await bulk_api.get("/v1/employees/197503102000031001/potential-assessments"), 200)
    assert first["items"][0]["score"] == 88.5
    sanctions = await ok(await bulk_api.get("/v1/employees/198711032010121003/disciplinary-actions"), 200)
    assert [(s["level"], s["starts_on"], s["ends_on"]) for s in sanctions["items"]] == [
        ("sedang", "2021-09-01", "2022-08-31")
    ]
    awards = await ok(await bulk_api.get("/v1/employees/198711032010121003/awards"), 200)
    assert [(a["name"], a["level"]) for a in awards["items"]] == [("Pegawai Teladan Kabupaten", "regional")]
    # The set again: nothing changes ...
    again = await import_examples(bulk_api, agency["id"], [o for o in ORDER if o[1] != "employees.csv"])
    assert all(job["rows_created"] == job["rows_updated"] == 0 for job in again), again
    # ... except that employees.csv would now take Siti's rank back before her promotion: refused, not rewritten.
    old = await run_import(bulk_api, "employees", "pemkab-contoh", (EXAMPLES / "employees.csv").read_bytes())
    assert old["status"] == "failed"
    assert [(e["row"], e["field"], e["code"]) for e in old["errors"]] == [(5, "rank_since", "backdated")]


def test_the_formats_are_documented(bulk_app: FastAPI) -> None:
    """Every kind's columns are in docs/IMPORTS.md and in the OpenAPI description of the upload."""
    guide = (EXAMPLES.parent / "IMPORTS.md").read_text()
    described = bulk_app.openapi()["paths"]["/v1/imports"]["post"]["description"]
    for kind, columns in COLUMNS.items():
        assert f"### `{kind}`" in guide
        for column in columns:
            assert f"`{column.name}`" in guide, (kind, column.name)
            assert f"`{column.name}`" in described, (kind, column.name)
            assert all(alias in guide for alias in column.aliases), (kind, column.name)
