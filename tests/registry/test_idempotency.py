"""Idempotency-Key on POST: a replay answers the first response; the same key with another body is 422."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from tests.registry.conftest import Api, agency_admin, count_rows
from tests.registry.factory import Org, make_employee, nip


async def test_replay_returns_the_first_response_and_writes_once(api: Api, org: Org, db: AsyncConnection) -> None:
    body = {"nip": nip(), "name": "Rina", "employment_type": "pns", "agency_id": org.a["id"], "rank": "III/a"}
    key = {"Idempotency-Key": "create-rina-1"}
    first = await api.post("/v1/employees", json=body, headers=key)
    second = await api.post("/v1/employees", json=body, headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count_rows(db, "employees") == 1
    assert await count_rows(db, "rank_history") == 1
    other = await api.post("/v1/employees", json={**body, "name": "Rini"}, headers=key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    # Keys belong to one principal: another caller's identical key is a fresh request (here a 409).
    stranger = await api.as_(agency_admin(org.a["id"])).post("/v1/employees", json=body, headers=key)
    assert (stranger.status_code, stranger.json()["code"]) == (409, "employee_exists")


async def test_replay_of_assessment_posts(api: Api, org: Org, db: AsyncConnection) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    award = {"awarded_on": "2024-08-17", "name": "Satyalancana", "level": "national"}
    key = {"Idempotency-Key": "award-1"}
    first = await api.post(f"/v1/employees/{person}/awards", json=award, headers=key)
    again = await api.post(f"/v1/employees/{person}/awards", json=award, headers=key)
    assert first.json()["id"] == again.json()["id"]
    assert await count_rows(db, "awards") == 1
    without_key = await api.post(f"/v1/employees/{person}/awards", json=award)
    assert without_key.json()["id"] != first.json()["id"]
    assert await count_rows(db, "awards") == 2


async def test_failed_request_does_not_burn_the_key(api: Api, org: Org) -> None:
    key = {"Idempotency-Key": "agency-x"}
    refused = await api.post("/v1/agencies", json={"code": "pemkab-uji-a", "name": "Taken"}, headers=key)
    assert refused.status_code == 409
    retried = await api.post("/v1/agencies", json={"code": "pemkab-uji-a", "name": "Taken"}, headers=key)
    assert retried.status_code == 409
    assert "idempotent-replayed" not in retried.headers
    assert (
        await api.post("/v1/agencies", json={"code": "x", "name": "Y"}, headers={"Idempotency-Key": ""})
    ).status_code == 422
