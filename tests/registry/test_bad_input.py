"""Bad input on every write endpoint: a 4xx problem+json, and the database exactly as before (every table)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.models import metadata
from tests.registry.conftest import Api
from tests.registry.factory import Org, make_employee, nip

MALFORMED = b"{not json"
CORE_PATHS = ("/v1/agencies", "/v1/units", "/v1/positions", "/v1/employees")


async def snapshot(db: AsyncConnection) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the contents of every registry table."""
    result = {}
    for table in metadata.tables:
        row = (
            await db.execute(
                text(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            )
        ).one()
        result[table] = (row[0], row[1])
    return result


def cases(org: Org, person: str) -> list[tuple[str, str, Any, dict[str, str]]]:
    """(method, path, body, headers): each must be refused without changing anything."""
    a, admin, jpt = org.a["id"], org.admin["id"], org.jpt["id"]
    employee = f"/v1/employees/{person}"
    v1 = {"If-Match": '"1"'}
    rating = {"work_result": "meets", "work_behavior": "meets"}
    return [
        ("POST", "/v1/agencies", {"code": "Bad Code", "name": "X"}, {}),
        ("POST", "/v1/agencies", {"code": "pemkab-uji-a", "name": "X"}, {}),  # taken: 409
        ("POST", "/v1/agencies", MALFORMED, {}),
        ("PATCH", f"/v1/agencies/{a}", {"name": ""}, v1),
        ("PATCH", f"/v1/agencies/{a}", {"name": "X"}, {}),  # 428
        ("PATCH", f"/v1/agencies/{a}", {"name": "X"}, {"If-Match": '"5"'}),  # 412
        ("POST", f"/v1/agencies/{a}/units", {"name": "X", "parent_id": org.b_unit["id"]}, {}),
        ("POST", f"/v1/agencies/{a}/units", {"name": "X", "code": "SETDA"}, {}),  # 409
        ("POST", f"/v1/agencies/{a}/units", {"name": 5}, {}),
        ("PATCH", f"/v1/units/{org.setda['id']}", {"parent_id": org.setda["id"]}, v1),
        ("PATCH", f"/v1/units/{org.setda['id']}", {"colour": "red"}, v1),
        (
            "POST",
            "/v1/positions",
            {"agency_id": a, "unit_id": org.b_unit["id"], "name": "X", "position_type": "pengawas"},
            {},
        ),
        (
            "POST",
            "/v1/positions",
            {"agency_id": a, "unit_id": org.setda["id"], "name": "X", "position_type": "fungsional"},
            {},
        ),
        ("POST", "/v1/positions", MALFORMED, {}),
        ("PATCH", f"/v1/positions/{admin}", {"position_type": "pengawas"}, v1),  # held: 409
        ("PATCH", f"/v1/positions/{admin}", {"is_key": None}, v1),
        ("PATCH", f"/v1/positions/{admin}", {"competency_standard": {"komunikasi": True}}, v1),  # not the level 1
        ("POST", "/v1/employees", {"nip": "123", "name": "X", "employment_type": "pns", "agency_id": a}, {}),
        ("POST", "/v1/employees", {"nip": person, "name": "X", "employment_type": "pns", "agency_id": org.b["id"]}, {}),
        (
            "POST",
            "/v1/employees",
            {
                "nip": nip(seq="777"),
                "name": "X",
                "employment_type": "pns",
                "agency_id": a,
                "position_id": jpt,
                "rank": "IX",
            },
            {},
        ),
        (
            "POST",
            "/v1/employees",
            {
                "nip": nip(seq="778"),
                "name": "X",
                "employment_type": "pns",
                "agency_id": a,
                "position_id": jpt,
                "unit_id": org.b_unit["id"],
            },
            {},
        ),
        ("PATCH", employee, {"position_id": jpt, "employment_type": "pppk"}, v1),  # history closed, then refused
        ("PATCH", employee, {"position_id": jpt, "position_since": "2001-01-01"}, v1),  # backdated
        ("PATCH", employee, {"rank": "III/b", "gender": "female"}, v1),
        ("PATCH", employee, {"email": "not-an-email"}, v1),
        ("PATCH", employee, {"rank": "III/b", "rank_since": "9999-12-31"}, v1),
        ("PATCH", employee, {"name": "X"}, {"If-Match": '"0"'}),
        ("DELETE", employee, None, {}),
        ("DELETE", employee, None, {"If-Match": '"3"'}),
        (
            "POST",
            f"{employee}/transfers",
            {"agency_id": org.b["id"], "position_id": admin, "effective_on": "2025-01-01"},
            {},
        ),
        (
            "POST",
            f"{employee}/transfers",
            {"agency_id": org.b["id"], "position_id": org.b_position["id"], "effective_on": "2001-01-01"},
            {},
        ),
        ("PUT", f"{employee}/performance-ratings/2025", {"work_result": "great", "work_behavior": "meets"}, {}),
        ("PUT", f"{employee}/performance-ratings/2024", rating, {}),  # exists: 428
        ("PUT", f"{employee}/performance-ratings/2024", {**rating, "work_result": "above"}, {"If-Match": '"9"'}),
        ("POST", f"{employee}/competency-assessments", {"assessed_on": "2025-01-01", "levels": {"x": 1}}, {}),
        ("POST", f"{employee}/competency-assessments", {"assessed_on": "2025-13-01", "levels": {"integritas": 1}}, {}),
        ("POST", f"{employee}/competency-assessments", {"assessed_on": "0003-01-01", "levels": {"integritas": 1}}, {}),
        ("POST", f"{employee}/potential-assessments", {"assessed_on": "2025-01-01"}, {}),
        ("POST", f"{employee}/potential-assessments", {"assessed_on": 1735689600, "score": 50}, {}),  # Unix time
        ("POST", f"{employee}/potential-assessments", {"assessed_on": "2025-01-01", "score": -1}, {}),
        ("POST", f"{employee}/awards", {"awarded_on": "2025-01-01", "name": "", "level": "agency"}, {}),
        ("POST", f"{employee}/awards", MALFORMED, {}),
        ("POST", f"{employee}/awards", {"awarded_on": "0001-01-01", "name": "X", "level": "agency"}, {}),
        (
            "POST",
            f"{employee}/disciplinary-actions",
            {"level": "sedang", "starts_on": "2025-02-01", "ends_on": "2025-01-01"},
            {},
        ),
        ("POST", f"{employee}/disciplinary-actions", {"level": "sedang", "starts_on": "2025-02-01"}, {}),
        (
            "POST",
            "/v1/employees/199001012015011999/awards",
            {"awarded_on": "2025-01-01", "name": "X", "level": "agency"},
            {},
        ),
    ]


@pytest.fixture
async def person(api: Api, org: Org) -> str:
    body = await make_employee(
        api,
        nip(),
        org.a["id"],
        position_id=org.admin["id"],
        position_since="2015-05-01",
        rank="III/a",
        rank_since="2015-05-01",
        education_level="s1",
    )
    rating = await api.put(
        f"/v1/employees/{body['nip']}/performance-ratings/2024", json={"work_result": "meets", "work_behavior": "meets"}
    )
    assert rating.status_code == 201
    return str(body["nip"])


async def test_every_write_endpoint_refuses_bad_input_and_changes_nothing(
    api: Api, app: FastAPI, org: Org, person: str, db: AsyncConnection
) -> None:
    all_cases = cases(org, person)
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith(CORE_PATHS) or "siasn" in path:
            continue  # imports, SIASN (syncs, credentials) and exports have their own suites
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method in set(operations) & {"post", "put", "patch", "delete"}:
            covered = any(m == method.upper() and pattern.match(p) for m, p, _, _ in all_cases)
            assert covered, f"no bad-input case for {method.upper()} {path}"
    before = await snapshot(db)
    for method, path, body, headers in all_cases:
        kwargs: dict[str, Any] = {"headers": headers}
        if isinstance(body, bytes):
            kwargs["content"] = body
            kwargs["headers"] = {**headers, "content-type": "application/json"}
        elif body is not None:
            kwargs["json"] = body
        response = await api.request(method, path, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, body, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json", (method, path)
        problem = response.json()
        assert problem["status"] == response.status_code
        assert problem["code"]
        assert problem["detail"]
        assert await snapshot(db) == before, (method, path, body)
