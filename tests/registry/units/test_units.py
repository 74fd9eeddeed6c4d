"""Units: a tree inside one agency; no cycles, no parents from another agency, codes unique per agency."""

from __future__ import annotations

from tests.registry.conftest import Api
from tests.registry.factory import Org, make_unit, ok


async def test_unit_tree_refuses_cycles(api: Api, org: Org) -> None:
    bagian = await make_unit(api, org.a["id"], "Bagian Umum", parent_id=org.setda["id"])
    sub = await make_unit(api, org.a["id"], "Subbagian TU", parent_id=bagian["id"])
    for parent in (sub["id"], bagian["id"]):
        response = await api.patch(
            f"/v1/units/{org.setda['id']}", json={"parent_id": parent}, headers={"If-Match": '"1"'}
        )
        assert (response.status_code, response.json()["code"]) == (422, "unit_cycle")
        assert response.json()["errors"][0]["loc"] == ["body", "parent_id"]
    self_parent = await api.patch(
        f"/v1/units/{bagian['id']}", json={"parent_id": bagian["id"]}, headers={"If-Match": '"1"'}
    )
    assert self_parent.json()["code"] == "unit_cycle"
    moved = await ok(
        await api.patch(f"/v1/units/{sub['id']}", json={"parent_id": org.dinas["id"]}, headers={"If-Match": '"1"'}), 200
    )
    assert moved["parent_id"] == org.dinas["id"]
    to_root = await ok(
        await api.patch(f"/v1/units/{sub['id']}", json={"parent_id": None}, headers={"If-Match": '"2"'}), 200
    )
    assert to_root["parent_id"] is None


async def test_parent_from_another_agency_is_422(api: Api, org: Org) -> None:
    response = await api.post(f"/v1/agencies/{org.a['id']}/units", json={"name": "X", "parent_id": org.b_unit["id"]})
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "parent_id"])
    moved = await api.patch(
        f"/v1/units/{org.dinas['id']}", json={"parent_id": org.b_unit["id"]}, headers={"If-Match": '"1"'}
    )
    assert moved.status_code == 422


async def test_unit_codes_unique_per_agency(api: Api, org: Org) -> None:
    same_agency = await api.post(f"/v1/agencies/{org.a['id']}/units", json={"name": "Lagi", "code": "SETDA"})
    assert (same_agency.status_code, same_agency.json()["code"]) == (409, "unit_code_taken")
    assert org.b_unit["code"] == "SETDA"  # the same code in another agency is fine
    recode = await api.patch(f"/v1/units/{org.dinas['id']}", json={"code": "SETDA"}, headers={"If-Match": '"1"'})
    assert recode.status_code == 409


async def test_unit_of_unknown_agency_is_404(api: Api) -> None:
    response = await api.post("/v1/agencies/pemkab-tidak-ada/units", json={"name": "X"})
    assert (response.status_code, response.json()["code"]) == (404, "agency_not_found")
