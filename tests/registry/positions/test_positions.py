"""Positions: level rules, competency standards, min rank, references within the agency, level changes."""

from __future__ import annotations

import pytest

from tests.registry.conftest import Api
from tests.registry.factory import STANDARD, Org, make_employee, make_position, nip, ok


async def test_position_answer_and_derived_level(api: Api, org: Org) -> None:
    assert org.jpt["competency_standard"] == STANDARD
    assert org.jpt["is_key"]
    assert org.jpt["level"] == "jpt_pratama"
    assert org.admin["competency_standard"] is None
    assert org.admin["functional_level"] is None
    assert org.ahli_madya["level"] == "ahli_madya"
    assert org.ahli_madya["national"] is False
    national = await make_position(api, org.a["id"], org.setda["id"], "jpt_madya", national=True, min_rank="IV/d")
    assert national["national"]
    assert national["min_rank"] == "IV/d"


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"position_type": "fungsional"}, "functional_level"),
        ({"position_type": "administrator", "functional_level": "ahli_muda"}, "functional_level"),
        ({"position_type": "fungsional", "functional_level": "ahli_super"}, "functional_level"),
        ({"position_type": "eselon_2"}, "position_type"),
        ({"position_type": "pengawas", "min_rank": "IX"}, "min_rank"),
        ({"position_type": "pengawas", "competency_standard": {"integritas": 6}}, "competency_standard"),
        ({"position_type": "pengawas", "competency_standard": {"teknis": 3}}, "competency_standard"),
        ({"position_type": "pengawas", "competency_standard": {}}, "competency_standard"),
    ],
)
async def test_invalid_positions_are_422_naming_the_field(
    api: Api, org: Org, fields: dict[str, object], loc: str
) -> None:
    body = {"agency_id": org.a["id"], "unit_id": org.dinas["id"], "name": "X", **fields}
    response = await api.post("/v1/positions", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][:2] == ["body", loc]


async def test_unknown_competency_code_is_named(api: Api, org: Org) -> None:
    body = {
        "agency_id": org.a["id"],
        "unit_id": org.dinas["id"],
        "name": "X",
        "position_type": "pengawas",
        "competency_standard": {"integritas": 3, "teknis": 3},
    }
    response = await api.post("/v1/positions", json=body)
    assert response.json()["errors"][0]["loc"] == ["body", "competency_standard", "teknis"]


async def test_position_unit_must_be_of_its_agency(api: Api, org: Org) -> None:
    body = {"agency_id": org.a["id"], "unit_id": org.b_unit["id"], "name": "X", "position_type": "pengawas"}
    response = await api.post("/v1/positions", json=body)
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "unit_id"])
    patch = await api.patch(
        f"/v1/positions/{org.admin['id']}", json={"unit_id": org.b_unit["id"]}, headers={"If-Match": '"1"'}
    )
    assert patch.status_code == 422


async def test_patch_standard_and_type(api: Api, org: Org) -> None:
    path = f"/v1/positions/{org.admin['id']}"
    with_standard = await ok(
        await api.patch(path, json={"competency_standard": {"integritas": 3}}, headers={"If-Match": '"1"'}), 200
    )
    assert with_standard["competency_standard"] == {"integritas": 3}
    cleared = await ok(await api.patch(path, json={"competency_standard": None}, headers={"If-Match": '"2"'}), 200)
    assert cleared["competency_standard"] is None
    to_functional = await ok(
        await api.patch(
            path, json={"position_type": "fungsional", "functional_level": "ahli_muda"}, headers={"If-Match": '"3"'}
        ),
        200,
    )
    assert to_functional["level"] == "ahli_muda"
    back = await ok(await api.patch(path, json={"position_type": "pengawas"}, headers={"If-Match": '"4"'}), 200)
    assert (back["level"], back["functional_level"]) == ("pengawas", None)
    unchanged = await api.patch(path, json={"name": back["name"]}, headers={"If-Match": '"5"'})
    assert unchanged.headers["etag"] == '"5"'  # nothing changed, nothing written


async def test_level_of_a_held_position_cannot_change(api: Api, org: Org) -> None:
    await make_employee(api, nip(), org.a["id"], position_id=org.admin["id"])
    response = await api.patch(
        f"/v1/positions/{org.admin['id']}", json={"position_type": "pengawas"}, headers={"If-Match": '"1"'}
    )
    assert (response.status_code, response.json()["code"]) == (409, "position_in_use")
    renamed = await api.patch(
        f"/v1/positions/{org.admin['id']}", json={"name": "Sekretaris Dinas"}, headers={"If-Match": '"1"'}
    )
    assert renamed.status_code == 200
