"""API.md's role table, enforced: each role against a representative route of every row."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.gateway.auth.principal import Principal
from services.gateway.permissions import PERMISSIONS, Reach, decide, role_scopes
from tests.gateway.conftest import TokenFor, bearer, client_token
from tests.gateway.stub import AGENCY_A, NIP_A, NIP_A2, NIP_B

OK, NO, GONE = "ok", 403, 404
ROLES = ("national_admin", "agency_admin", "assessor", "viewer", "employee")
# (method, path, json body) -> expected per role, in ROLES order; the employee is linked to NIP_A.
TABLE: list[tuple[str, str, Any, tuple[Any, ...]]] = [
    ("GET", f"/api/v1/employees/{NIP_A}", None, (OK, OK, OK, OK, OK)),
    ("GET", f"/api/v1/employees/{NIP_A2}", None, (OK, OK, OK, OK, GONE)),
    ("GET", "/api/v1/employees", None, (OK, OK, OK, OK, NO)),
    ("GET", "/api/v1/units/u1", None, (OK, OK, OK, OK, NO)),
    ("POST", "/api/v1/employees", {"nip": NIP_A2}, (OK, OK, NO, NO, NO)),
    ("PATCH", "/api/v1/positions/p1", {"name": "x"}, (OK, OK, NO, NO, NO)),
    ("POST", "/api/v1/agencies", {"code": "x", "name": "x"}, (OK, NO, NO, NO, NO)),
    ("POST", f"/api/v1/employees/{NIP_A2}/transfers", {}, (OK, NO, NO, NO, NO)),
    ("POST", f"/api/v1/employees/{NIP_A2}/competency-assessments", {}, (OK, OK, OK, NO, NO)),
    ("PUT", f"/api/v1/employees/{NIP_A2}/performance-ratings/2025", {}, (OK, OK, OK, NO, NO)),
    ("GET", "/api/v1/talent-reviews/r1", None, (OK, OK, OK, OK, NO)),
    ("GET", f"/api/v1/talent-reviews/r1/placements/{NIP_A}", None, (OK, OK, OK, OK, OK)),
    ("GET", f"/api/v1/employees/{NIP_A}/talent", None, (OK, OK, OK, OK, OK)),
    ("POST", "/api/v1/talent-reviews", {"period": 2025}, (OK, OK, NO, NO, NO)),
    ("POST", "/api/v1/talent-reviews/r1/finalize", {}, (OK, OK, NO, NO, NO)),
    ("POST", f"/api/v1/talent-reviews/r1/placements/{NIP_A2}/calibrations", {}, (OK, OK, OK, NO, NO)),
    ("GET", "/api/v1/positions/p1/successors", None, (OK, OK, OK, NO, NO)),
    ("GET", "/api/v1/agencies/a/succession-overview", None, (OK, OK, OK, NO, NO)),
    ("GET", "/api/v1/audit-events", None, (OK, OK, NO, NO, NO)),
    ("GET", "/api/v1/admin/users", None, (OK, OK, NO, NO, NO)),
    ("GET", "/api/v1/admin/clients", None, (OK, OK, NO, NO, NO)),
    ("GET", "/api/v1/me/access-log", None, (NO, NO, NO, NO, OK)),
]


@pytest.fixture(scope="module")
async def role_tokens(token_for: TokenFor) -> dict[str, str]:
    return {
        "national_admin": await token_for(["national_admin"], agency_id=None),
        "agency_admin": await token_for(["agency_admin"]),
        "assessor": await token_for(["assessor"]),
        "viewer": await token_for(["viewer"]),
        "employee": await token_for(["employee"], nip=NIP_A),
    }


@pytest.mark.parametrize(("method", "path", "body", "expected"), TABLE, ids=[f"{m} {p}" for m, p, _, _ in TABLE])
async def test_role_table(
    client: httpx.AsyncClient,
    role_tokens: dict[str, str],
    method: str,
    path: str,
    body: Any,
    expected: tuple[Any, ...],
) -> None:
    outcome = {}
    for role, want in zip(ROLES, expected, strict=True):
        headers = {**bearer(role_tokens[role]), "If-Match": '"3"'}
        response = await client.request(method, path, json=body, headers=headers)
        outcome[role] = OK if response.is_success else response.status_code
        if want != OK:
            assert response.headers["content-type"] == "application/problem+json"
    assert outcome == dict(zip(ROLES, expected, strict=True))


async def test_nobody_assesses_or_calibrates_themselves(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    assessor = await token_for(["assessor"], nip=NIP_A)
    own = await client.post(f"/api/v1/employees/{NIP_A}/competency-assessments", json={}, headers=bearer(assessor))
    assert (own.status_code, own.json()["code"]) == (403, "own_record")
    other = await client.post(f"/api/v1/employees/{NIP_A2}/competency-assessments", json={}, headers=bearer(assessor))
    assert other.status_code == 200
    calibrate = await client.post(
        f"/api/v1/talent-reviews/r1/placements/{NIP_A}/calibrations", json={}, headers=bearer(assessor)
    )
    assert calibrate.status_code == 403


async def test_identity_passed_downstream(
    client: httpx.AsyncClient, token_for: TokenFor, stubs: dict[str, Any]
) -> None:
    cases = {
        "national_admin": (None, None, True),
        "agency_admin": (AGENCY_A, None, True),
        "viewer": (AGENCY_A, None, False),
        "employee": (AGENCY_A, NIP_A, True),
    }
    for role, (agency, nip, personal) in cases.items():
        token = await token_for([role], agency_id=None if role == "national_admin" else AGENCY_A, nip=nip)
        response = await client.get(f"/api/v1/employees/{NIP_A}", headers=bearer(token))
        identity = response.json()["echo"]["identity"]
        assert identity["agency_id"] == agency, role
        assert identity["nip"] == nip, role
        assert identity["personal_data"] is personal, role
        assert identity["service"] == "gateway"
        assert identity["roles"] == [role]


async def test_machine_clients_minimised_without_write(client: httpx.AsyncClient, accounts: Any) -> None:
    reader = await client_token(client, await accounts.client(["employees:read"]))
    writer = await client_token(client, await accounts.client(["employees:read", "employees:write"]))
    for token, personal in ((reader, False), (writer, True)):
        identity = (await client.get(f"/api/v1/employees/{NIP_A}", headers=bearer(token))).json()["echo"]["identity"]
        assert identity["personal_data"] is personal
        assert identity["agency_id"] == AGENCY_A
    denied = await client.post("/api/v1/employees", json={}, headers=bearer(reader))
    assert (denied.status_code, denied.json()["code"]) == (403, "insufficient_permission")


async def test_other_agency_is_404_like_missing(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    admin_a = await token_for(["agency_admin"])
    other = await client.get(f"/api/v1/employees/{NIP_B}", headers=bearer(admin_a))
    missing = await client.get("/api/v1/employees/199912312020121999", headers=bearer(admin_a))
    assert other.status_code == missing.status_code == 404


def test_every_role_column_of_api_md_is_in_the_table() -> None:
    assert {role for rule in PERMISSIONS.values() for role in rule.roles} == set(ROLES)
    assert "succession:read" not in role_scopes(["viewer"])
    viewer = Principal("user:v", "user", "c", ("viewer",), tuple(role_scopes(["viewer"])), AGENCY_A, "j", 0)
    grant = decide(viewer, "employees:read")
    assert grant is not None
    assert grant.reach is Reach.AGENCY
    assert grant.minimised
    assert decide(viewer, "talent:write") is None
