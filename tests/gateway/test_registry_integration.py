"""Forwarding against the real registry app on a real port: identity, agency scope, minimising, ETags."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.migrations import upgrade_to_head
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from tests.conftest import recreate_database
from tests.gateway.conftest import Accounts, bearer, password_token, running, settings_for
from tests.gateway.stub import serve

REGISTRY_DIR = pathlib.Path(__file__).resolve().parents[2] / "services" / "registry"
NIP = "198609262015051001"


@pytest.fixture(scope="module")
async def real(gateway_db: str, stubs: dict[str, Any]) -> AsyncIterator[tuple[Accounts, httpx.AsyncClient]]:
    db = await recreate_database("talenta_test_gateway_registry")
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, db)
    registry = create_registry(RegistrySettings(environment="test", database_url=db, log_format="text"))
    async with serve(registry) as registry_url:
        settings = settings_for(gateway_db, stubs, registry_url=registry_url)
        async with running(settings) as (app, client):
            yield Accounts(app), client


async def _token(real: tuple[Accounts, httpx.AsyncClient], roles: list[str], agency: str | None) -> dict[str, str]:
    accounts, client = real
    username = await accounts.user(roles, agency_id=agency)
    return bearer((await password_token(client, username))["access_token"])


async def test_story_through_the_real_registry(real: tuple[Accounts, httpx.AsyncClient]) -> None:
    _, client = real
    national = await _token(real, ["national_admin"], None)
    created = await client.post(
        "/api/v1/agencies", json={"code": "pemkab-uji-gateway", "name": "Pemkab Uji"}, headers=national
    )
    assert created.status_code == 201, created.text
    agency_id = created.json()["id"]
    other = await client.post("/api/v1/agencies", json={"code": "pemkab-lain", "name": "Pemkab Lain"}, headers=national)
    other_id = other.json()["id"]
    admin = await _token(real, ["agency_admin"], agency_id)
    employee = await client.post(
        "/api/v1/employees",
        json={
            "nip": NIP,
            "name": "Andi Saputra",
            "employment_type": "pns",
            "agency_id": "pemkab-uji-gateway",
            "email": "andi@example.go.id",
            "phone": "+628123456789",
        },
        headers={**admin, "Idempotency-Key": "create-andi"},
    )
    assert employee.status_code == 201, employee.text
    replay = await client.post(
        "/api/v1/employees",
        json={
            "nip": NIP,
            "name": "Andi Saputra",
            "employment_type": "pns",
            "agency_id": "pemkab-uji-gateway",
            "email": "andi@example.go.id",
            "phone": "+628123456789",
        },
        headers={**admin, "Idempotency-Key": "create-andi"},
    )
    assert replay.status_code == 201
    full = await client.get(f"/api/v1/employees/{NIP}", headers=admin)
    assert full.status_code == 200
    assert full.json()["email"] == "andi@example.go.id"
    etag = full.headers["etag"]
    viewer = await _token(real, ["viewer"], agency_id)
    minimised = (await client.get(f"/api/v1/employees/{NIP}", headers=viewer)).json()
    assert minimised["nip"] == NIP
    assert "email" not in minimised or minimised["email"] is None
    assert "phone" not in minimised or minimised["phone"] is None
    outsider = await _token(real, ["agency_admin"], other_id)
    hidden = await client.get(f"/api/v1/employees/{NIP}", headers=outsider)
    missing = await client.get("/api/v1/employees/199001012015011002", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    no_match = await client.patch(f"/api/v1/employees/{NIP}", json={"name": "Andi S."}, headers=admin)
    assert no_match.status_code == 428
    changed = await client.patch(
        f"/api/v1/employees/{NIP}", json={"name": "Andi S."}, headers={**admin, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] != etag
    stale = await client.patch(f"/api/v1/employees/{NIP}", json={"name": "x"}, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    listed = await client.get("/api/v1/employees?agency_id=pemkab-uji-gateway", headers=admin)
    assert [e["nip"] for e in listed.json()["items"]] == [NIP]
    events = (await client.get(f"/api/v1/audit-events?nip={NIP}", headers=national)).json()["items"]
    assert {"employees.create", "employees.read", "employees.update", "employees.list"} <= {e["action"] for e in events}


async def test_bad_input_is_a_problem_not_a_500(real: tuple[Accounts, httpx.AsyncClient]) -> None:
    _, client = real
    national = await _token(real, ["national_admin"], None)
    bad = await client.post("/api/v1/employees", json={"nip": "123"}, headers=national)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    broken = await client.post(
        "/api/v1/employees", content=b"{not json", headers={**national, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422


async def test_other_agency_admin_reaches_nothing_by_id(real: tuple[Accounts, httpx.AsyncClient]) -> None:
    _, client = real
    national = await _token(real, ["national_admin"], None)
    a = (await client.post("/api/v1/agencies", json={"code": "pemkab-a-x", "name": "A"}, headers=national)).json()
    b = (await client.post("/api/v1/agencies", json={"code": "pemkab-b-x", "name": "B"}, headers=national)).json()
    admin_a, admin_b = await _token(real, ["agency_admin"], a["id"]), await _token(real, ["agency_admin"], b["id"])
    unit = await client.post(f"/api/v1/agencies/{a['id']}/units", json={"name": "Bagian Umum"}, headers=admin_a)
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    position = await client.post(
        "/api/v1/positions",
        json={"unit_id": unit_id, "name": "Kepala Bagian", "position_type": "administrator", "is_key": True},
        headers=admin_a,
    )
    assert position.status_code == 201, position.text
    position_id = position.json()["id"]
    nip = "199001012015011002"
    person = await client.post(
        "/api/v1/employees", json={"nip": nip, "name": "Siti", "employment_type": "pns"}, headers=admin_a
    )
    assert person.status_code == 201, person.text
    reads = [
        f"/api/v1/agencies/{a['id']}",
        "/api/v1/agencies/pemkab-a-x",
        f"/api/v1/agencies/{a['id']}/units",
        f"/api/v1/units/{unit_id}",
        f"/api/v1/positions/{position_id}",
        f"/api/v1/employees/{nip}",
        f"/api/v1/employees/{nip}/history",
        f"/api/v1/employees/{nip}/performance-ratings",
        f"/api/v1/employees/{nip}/competency-assessments",
        f"/api/v1/employees/{nip}/potential-assessments",
        f"/api/v1/employees/{nip}/awards",
        f"/api/v1/employees/{nip}/disciplinary-actions",
    ]
    for path in reads:
        assert (await client.get(path, headers=admin_a)).status_code == 200, path
        assert (await client.get(path, headers=admin_b)).status_code == 404, path
    writes = [
        ("PATCH", f"/api/v1/units/{unit_id}", {"name": "x"}),
        ("PATCH", f"/api/v1/positions/{position_id}", {"name": "x"}),
        ("PATCH", f"/api/v1/employees/{nip}", {"name": "x"}),
        ("DELETE", f"/api/v1/employees/{nip}", None),
        ("POST", f"/api/v1/agencies/{a['id']}/units", {"name": "x"}),
        (
            "PUT",
            f"/api/v1/employees/{nip}/performance-ratings/2025",
            {"work_result": "meets", "work_behavior": "meets"},
        ),
        ("POST", f"/api/v1/employees/{nip}/awards", {"awarded_on": "2025-01-01", "name": "x", "level": "agency"}),
    ]
    for method, path, body in writes:
        response = await client.request(method, path, json=body, headers={**admin_b, "If-Match": "*"})
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get(f"/api/v1/employees/{nip}", headers=admin_a)).json()["name"] == "Siti"
    listed = await client.get("/api/v1/employees", headers=admin_b)
    assert nip not in {e["nip"] for e in listed.json()["items"]}
    patch_agency = await client.patch(f"/api/v1/agencies/{a['id']}", json={"name": "x"}, headers=admin_b)
    assert patch_agency.status_code == 403
