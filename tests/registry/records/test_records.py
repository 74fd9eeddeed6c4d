"""Awards and disciplinary actions."""

from __future__ import annotations

from tests.registry.conftest import Api, agency_admin
from tests.registry.factory import Org, make_employee, nip, ok


async def test_awards(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    award = await ok(
        await api.post(
            f"/v1/employees/{person}/awards",
            json={"awarded_on": "2024-08-17", "name": "Satyalancana", "level": "national"},
        )
    )
    assert (award["level"], award["recorded_by"], award["source"]) == ("national", "user:national", "manual")
    listed = await ok(await api.get(f"/v1/employees/{person}/awards"), 200)
    assert [a["id"] for a in listed["items"]] == [award["id"]]
    bad_level = await api.post(
        f"/v1/employees/{person}/awards", json={"awarded_on": "2024-08-17", "name": "X", "level": "global"}
    )
    assert bad_level.json()["errors"][0]["loc"] == ["body", "level"]


async def test_disciplinary_actions(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    past = await ok(
        await api.post(
            f"/v1/employees/{person}/disciplinary-actions",
            json={"level": "sedang", "starts_on": "2020-01-01", "ends_on": "2020-12-31", "reason": "Mangkir"},
        )
    )
    current = await ok(
        await api.post(
            f"/v1/employees/{person}/disciplinary-actions",
            json={"level": "ringan", "starts_on": "2020-01-01", "ends_on": "2999-12-31"},
        )
    )
    assert (past["in_force"], current["in_force"], current["reason"]) == (False, True, None)
    backwards = await api.post(
        f"/v1/employees/{person}/disciplinary-actions",
        json={"level": "berat", "starts_on": "2025-02-01", "ends_on": "2025-01-31"},
    )
    assert (backwards.status_code, backwards.json()["errors"][0]["loc"]) == (422, ["body", "ends_on"])
    same_day = {"level": "ringan", "starts_on": "2025-02-01", "ends_on": "2025-02-01"}
    assert (await api.post(f"/v1/employees/{person}/disciplinary-actions", json=same_day)).status_code == 201
    listed = await ok(await api.get(f"/v1/employees/{person}/disciplinary-actions"), 200)
    assert len(listed["items"]) == 3
    themselves = api.as_(agency_admin(org.a["id"]).model_copy(update={"nip": person}))
    response = await themselves.post(f"/v1/employees/{person}/disciplinary-actions", json=same_day)
    assert (response.status_code, response.json()["code"]) == (403, "self_assessment_forbidden")
    award = await themselves.post(
        f"/v1/employees/{person}/awards", json={"awarded_on": "2024-08-17", "name": "X", "level": "agency"}
    )
    assert award.status_code == 403
