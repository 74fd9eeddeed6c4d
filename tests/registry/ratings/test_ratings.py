"""Performance ratings: PUT creates (201) or replaces (200, If-Match), the old version kept; predikat per cell."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.registry.conftest import Api, agency_admin, count_rows, employee_principal
from tests.registry.factory import Org, make_employee, nip, ok


@pytest.fixture
async def person(api: Api, org: Org) -> str:
    return (await make_employee(api, nip(), org.a["id"], position_id=org.admin["id"]))["nip"]


@pytest.mark.parametrize(
    ("work_result", "work_behavior", "expected", "label"),
    [
        ("above", "above", "sangat_baik", "Sangat Baik"),
        ("above", "below", "kurang", "Kurang/Misconduct"),
        ("below", "below", "sangat_kurang", "Sangat Kurang"),
        ("below", "above", "butuh_perbaikan", "Butuh Perbaikan"),
        ("meets", "above", "baik", "Baik"),
    ],
)
async def test_put_creates_with_predikat(
    api: Api, person: str, work_result: str, work_behavior: str, expected: str, label: str
) -> None:
    response = await api.put(
        f"/v1/employees/{person}/performance-ratings/2025",
        json={"work_result": work_result, "work_behavior": work_behavior},
    )
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert (body["year"], body["predikat"], body["predikat_label_id"]) == (2025, expected, label)


async def test_replace_needs_if_match_and_keeps_the_old_version(api: Api, person: str, db: AsyncConnection) -> None:
    path = f"/v1/employees/{person}/performance-ratings/2024"
    await ok(await api.put(path, json={"work_result": "meets", "work_behavior": "meets"}))
    missing = await api.put(path, json={"work_result": "above", "work_behavior": "above"})
    assert (missing.status_code, missing.json()["code"]) == (428, "if_match_required")
    stale = await api.put(path, json={"work_result": "above", "work_behavior": "above"}, headers={"If-Match": '"2"'})
    assert stale.status_code == 412
    replaced = await api.put(path, json={"work_result": "above", "work_behavior": "above"}, headers={"If-Match": '"1"'})
    assert (replaced.status_code, replaced.json()["predikat"], replaced.headers["etag"]) == (200, "sangat_baik", '"2"')
    current = await api.get(path)
    assert (current.json()["predikat"], current.headers["etag"]) == ("sangat_baik", '"2"')
    listed = await ok(await api.get(f"/v1/employees/{person}/performance-ratings"), 200)
    assert [r["predikat"] for r in listed["items"]] == ["sangat_baik"]
    everything = await ok(
        await api.get(f"/v1/employees/{person}/performance-ratings", params={"include_superseded": "true"}), 200
    )
    assert [(r["version"], r["predikat"], r["superseded_at"] is None) for r in everything["items"]] == [
        (1, "baik", False),
        (2, "sangat_baik", True),
    ]
    assert await count_rows(db, "performance_ratings") == 2
    same_again = await api.put(
        path, json={"work_result": "above", "work_behavior": "above"}, headers={"If-Match": '"2"'}
    )
    assert (same_again.status_code, same_again.headers["etag"]) == (200, '"2"')
    assert await count_rows(db, "performance_ratings") == 2


async def test_if_match_on_a_missing_rating_is_412(api: Api, person: str) -> None:
    response = await api.put(
        f"/v1/employees/{person}/performance-ratings/2023",
        json={"work_result": "meets", "work_behavior": "meets"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 412


async def test_ratings_pages_by_year(api: Api, person: str) -> None:
    for year in (2025, 2022, 2024, 2023):
        await ok(
            await api.put(
                f"/v1/employees/{person}/performance-ratings/{year}",
                json={"work_result": "meets", "work_behavior": "meets"},
            )
        )
    first = await ok(await api.get(f"/v1/employees/{person}/performance-ratings", params={"limit": 3}), 200)
    second = await ok(
        await api.get(
            f"/v1/employees/{person}/performance-ratings", params={"limit": 3, "cursor": first["next_cursor"]}
        ),
        200,
    )
    assert [r["year"] for r in first["items"] + second["items"]] == [2022, 2023, 2024, 2025]
    assert second["next_cursor"] is None


async def test_nobody_rates_themselves_and_scope_applies(api: Api, org: Org, person: str) -> None:
    body = {"work_result": "above", "work_behavior": "above"}
    themselves = api.as_(agency_admin(org.a["id"]).model_copy(update={"nip": person}))
    response = await themselves.put(f"/v1/employees/{person}/performance-ratings/2025", json=body)
    assert (response.status_code, response.json()["code"]) == (403, "self_assessment_forbidden")
    as_employee = api.as_(employee_principal(org.a["id"], person))
    assert (await as_employee.put(f"/v1/employees/{person}/performance-ratings/2025", json=body)).status_code == 403
    other_agency = api.as_(agency_admin(org.b["id"]))
    assert (await other_agency.put(f"/v1/employees/{person}/performance-ratings/2025", json=body)).status_code == 404
    assert (await api.get(f"/v1/employees/{person}/performance-ratings/2025")).status_code == 404
    assert (await api.put("/v1/employees/199001012015011999/performance-ratings/2025", json=body)).status_code == 404
    assert (await api.put(f"/v1/employees/{person}/performance-ratings/1800", json=body)).status_code == 422
