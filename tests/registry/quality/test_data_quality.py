"""The data-quality index against hand-counted people: who is active, complete, and what the others lack."""

from __future__ import annotations

from typing import Any

from tests.registry.conftest import Api, agency_admin
from tests.registry.factory import Org, make_employee, nip, ok

PERIOD = {"period": 2025, "max_age_years": 3}  # as of 2025-12-31; stale before 2022-12-31


async def _person(
    api: Api,
    nip_: str,
    agency: str,
    position: dict[str, Any] | None,
    *,
    predikat_years: tuple[int, ...] = (2025,),
    competency_on: str | None = "2024-05-01",
    potential_on: str | None = "2024-05-01",
) -> None:
    fields = {"position_id": position["id"], "position_since": "2020-01-02"} if position else {}
    await make_employee(api, nip_, agency, **fields)
    for year in predikat_years:
        body = {"work_result": "meets", "work_behavior": "meets"}
        await ok(await api.put(f"/v1/employees/{nip_}/performance-ratings/{year}", json=body))
    if competency_on:
        body = {"assessed_on": competency_on, "levels": {"integritas": 3}}
        await ok(await api.post(f"/v1/employees/{nip_}/competency-assessments", json=body))
    if potential_on:
        body = {"assessed_on": potential_on, "score": 80}
        await ok(await api.post(f"/v1/employees/{nip_}/potential-assessments", json=body))


async def _world(api: Api, org: Org) -> None:
    a, b = org.a["id"], org.b["id"]
    await _person(api, nip(seq="001"), a, org.jpt)  # complete (the position has a standard)
    await _person(api, nip(seq="002"), a, org.admin)  # complete; position without a standard
    await _person(api, nip(seq="003"), a, org.pelaksana, predikat_years=(2024,))  # no predikat for 2025
    await _person(api, nip(seq="004"), a, org.pelaksana, competency_on="2020-01-01")  # stale competency
    await _person(api, nip(seq="005"), a, None, competency_on=None, potential_on="2022-12-30")  # 3 gaps
    await _person(api, nip(seq="006"), a, org.jpt, competency_on="2026-01-10")  # assessed after the period
    await _person(api, nip(seq="007"), a, org.jpt, potential_on="2022-12-31")  # exactly at the limit: fresh
    await _person(api, "196605102000031010", a, org.pelaksana)  # retired on 2024-06-01: not active
    await _person(api, nip(seq="009"), a, org.jpt)
    assert (await api.delete(f"/v1/employees/{nip(seq='009')}", headers={"If-Match": "*"})).status_code == 204
    await _person(api, nip(seq="010"), b, org.b_position, predikat_years=())  # agency b: no predikat


def _counts(body: dict[str, Any]) -> dict[str, int]:
    return {"active": body["active"], "complete": body["complete"]} | {
        name: share["count"] for name, share in body["missing"].items()
    }


EXPECTED_A = {
    "active": 7,
    "complete": 3,  # 001, 002, 007
    "no_predikat": 1,  # 003
    "no_competency_assessment": 2,  # 005, 006
    "no_potential_assessment": 0,
    "stale_assessment": 2,  # 004, 005
    "stale_competency_assessment": 1,
    "stale_potential_assessment": 1,
    "no_position": 1,  # 005
    "position_without_standard": 3,  # 002 (administrator), 003 and 004 (pelaksana)
}
EXPECTED_B = dict.fromkeys(EXPECTED_A, 0) | {"active": 1, "no_predikat": 1, "position_without_standard": 1}


async def test_agency_figures_match_the_hand_count(api: Api, org: Org) -> None:
    await _world(api, org)
    body = await ok(await api.get(f"/v1/agencies/{org.a['code']}/data-quality", params=PERIOD), 200)
    assert _counts(body) == EXPECTED_A
    assert body["agency_id"] == org.a["id"]
    assert body["region"] == "Lampung"
    assert body["complete_share"] == round(3 / 7, 4)
    assert body["missing"]["no_competency_assessment"]["share"] == round(2 / 7, 4)
    assert (body["as_of"], body["stale_before"], body["max_age_years"]) == ("2025-12-31", "2022-12-31", 3)
    # A longer maximum age turns the stale assessments fresh: 004 completes (005 still lacks others).
    longer = await ok(
        await api.get(f"/v1/agencies/{org.a['id']}/data-quality", params=PERIOD | {"max_age_years": 6}), 200
    )
    assert (longer["complete"], longer["missing"]["stale_assessment"]["count"]) == (4, 0)


async def test_national_totals_and_scope(api: Api, org: Org) -> None:
    await _world(api, org)
    body = await ok(await api.get("/v1/data-quality", params=PERIOD), 200)
    by_code = {row["code"]: row for row in body["agencies"]}
    assert _counts(by_code[org.a["code"]]) == EXPECTED_A
    assert _counts(by_code[org.b["code"]]) == EXPECTED_B
    assert _counts(body["totals"]) == {name: EXPECTED_A[name] + EXPECTED_B[name] for name in EXPECTED_A}
    assert body["totals"]["complete_share"] == round(3 / 8, 4)
    own = await ok(await api.as_(agency_admin(org.b["id"])).get("/v1/data-quality", params=PERIOD), 200)
    assert [row["agency_id"] for row in own["agencies"]] == [org.b["id"]]
    assert _counts(own["totals"]) == EXPECTED_B
    foreign = await api.as_(agency_admin(org.b["id"])).get(f"/v1/agencies/{org.a['id']}/data-quality", params=PERIOD)
    assert foreign.status_code == 404


async def test_empty_agency_and_bad_input(api: Api, org: Org) -> None:
    body = await ok(await api.get(f"/v1/agencies/{org.a['id']}/data-quality", params=PERIOD), 200)
    assert (body["active"], body["complete_share"]) == (0, None)
    for params in ({"period": 2025}, {"period": "x", "max_age_years": 3}, {"period": 2025, "max_age_years": -1}):
        answer = await api.get("/v1/data-quality", params=params)
        assert answer.status_code == 422, params
        assert answer.headers["content-type"] == "application/problem+json"
