"""/v1/employees: create with derived fields, NIP rules through the API, 409s, references, lists, PATCH, delete."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.registry.conftest import Api, agency_admin, count_rows
from tests.registry.factory import Org, make_employee, nip, ok


async def test_create_derives_birth_date_gender_and_retirement(api: Api, org: Org) -> None:
    body = await make_employee(
        api, nip("19700517", "199503", "2"), org.a["code"], position_id=org.ahli_utama["id"], rank="IV/c"
    )
    assert body["agency_id"] == org.a["id"]  # named by code, answered by id
    assert body["unit_id"] == org.ahli_utama["unit_id"]  # defaults to the position's unit
    assert (body["birth_date"], body["gender"], body["retirement_date"]) == ("1970-05-17", "female", "2035-06-01")
    assert body["position_since"] == body["level_since"]
    read = await api.get(f"/v1/employees/{body['nip']}")
    assert read.json() == body
    assert read.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    ("bad_nip", "message"),
    [
        ("1986092620150510", "must be 18 characters long"),
        ("19860926201505100X", "digits only"),
        ("198602312015051001", "not a real birth date"),
        ("198609262015141001", "TMT month"),
        ("198609262003051001", "18th birthday"),
        ("198609262015059001", "gender digit"),
    ],
)
async def test_nip_rules_are_422_naming_nip(api: Api, org: Org, bad_nip: str, message: str) -> None:
    response = await api.post(
        "/v1/employees", json={"nip": bad_nip, "name": "X", "employment_type": "pns", "agency_id": org.a["id"]}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "nip"]
    assert message in error["message"]


@pytest.mark.parametrize(("field", "value"), [("birth_date", "1986-09-27"), ("gender", "female")])
async def test_payload_contradicting_the_nip_is_422_naming_the_field(
    api: Api, org: Org, field: str, value: str
) -> None:
    body = {"nip": nip(), "name": "X", "employment_type": "pns", "agency_id": org.a["id"], field: value}
    response = await api.post("/v1/employees", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]
    agreeing = {**body, "birth_date": "1986-09-26", "gender": "male"}
    assert (await api.post("/v1/employees", json=agreeing)).status_code == 201


async def test_nip_held_elsewhere_is_409_transfer_and_same_agency_409_exists(api: Api, org: Org) -> None:
    await make_employee(api, nip(), org.a["id"])
    elsewhere = await api.post(
        "/v1/employees", json={"nip": nip(), "name": "Y", "employment_type": "pns", "agency_id": org.b["id"]}
    )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (409, "nip_in_other_agency")
    assert "transfer" in elsewhere.json()["detail"]
    again = await api.post(
        "/v1/employees", json={"nip": nip(), "name": "Y", "employment_type": "pns", "agency_id": org.a["id"]}
    )
    assert (again.status_code, again.json()["code"]) == (409, "employee_exists")


@pytest.mark.parametrize(
    ("rank", "employment_type", "ok_"),
    [
        ("III/c", "pns", True),
        ("IX", "pppk", True),
        ("II/a", "cpns", True),
        ("IX", "pns", False),
        ("III/c", "pppk", False),
    ],
)
async def test_rank_must_fit_employment_type(api: Api, org: Org, rank: str, employment_type: str, ok_: bool) -> None:
    body = {"nip": nip(), "name": "X", "employment_type": employment_type, "agency_id": org.a["id"], "rank": rank}
    response = await api.post("/v1/employees", json=body)
    assert response.status_code == (201 if ok_ else 422), response.text
    if not ok_:
        assert response.json()["errors"][0]["loc"] == ["body", "rank"]


@pytest.mark.parametrize("field", ["position_id", "unit_id"])
async def test_reference_to_another_agencys_unit_or_position_is_422(api: Api, org: Org, field: str) -> None:
    other = org.b_position["id"] if field == "position_id" else org.b_unit["id"]
    body = {"nip": nip(), "name": "X", "employment_type": "pns", "agency_id": org.a["id"], field: other}
    response = await api.post("/v1/employees", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]


async def test_patch_position_same_level_keeps_level_since_and_other_level_resets_it(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"], position_id=org.admin["id"], position_since="2019-01-02")
    second_admin = await ok(
        await api.post(
            "/v1/positions",
            json={
                "agency_id": org.a["id"],
                "unit_id": org.setda["id"],
                "name": "Kabag",
                "position_type": "administrator",
            },
        )
    )
    moved = await ok(
        await api.patch(
            f"/v1/employees/{emp['nip']}",
            json={"position_id": second_admin["id"], "position_since": "2023-07-01"},
            headers={"If-Match": '"1"'},
        ),
        200,
    )
    assert (moved["position_since"], moved["level_since"]) == ("2023-07-01", "2019-01-02")
    assert moved["unit_id"] == org.setda["id"]
    promoted = await ok(
        await api.patch(
            f"/v1/employees/{emp['nip']}",
            json={"position_id": org.jpt["id"], "position_since": "2025-02-03"},
            headers={"If-Match": '"2"'},
        ),
        200,
    )
    assert (promoted["level_since"], promoted["retirement_date"]) == ("2025-02-03", "2046-10-01")  # BUP 60 now
    assert moved["retirement_date"] == "2044-10-01"  # administrator: BUP 58


async def test_history_rows_are_closed_and_opened_never_overwritten(api: Api, org: Org, db: AsyncConnection) -> None:
    emp = await make_employee(
        api,
        nip(),
        org.a["id"],
        position_id=org.pelaksana["id"],
        position_since="2015-05-01",
        rank="III/a",
        rank_since="2015-05-01",
        education_level="s1",
    )
    patch = {
        "rank": "III/b",
        "rank_since": "2019-04-01",
        "position_id": org.admin["id"],
        "position_since": "2020-01-02",
        "education_level": "s2",
    }
    await ok(await api.patch(f"/v1/employees/{emp['nip']}", json=patch, headers={"If-Match": '"1"'}), 200)
    history = await ok(await api.get(f"/v1/employees/{emp['nip']}/history"), 200)
    assert [(r["rank"], r["valid_from"], r["valid_to"]) for r in history["ranks"]] == [
        ("III/a", "2015-05-01", "2019-04-01"),
        ("III/b", "2019-04-01", None),
    ]
    assert [(p["level"], p["valid_from"], p["valid_to"]) for p in history["positions"]] == [
        ("pelaksana", "2015-05-01", "2020-01-02"),
        ("administrator", "2020-01-02", None),
    ]
    assert [e["level"] for e in history["education"]] == ["s1", "s2"]
    assert history["education"][0]["valid_to"] is not None
    assert all(r["recorded_by"] == "user:national" for r in history["ranks"])
    assert await count_rows(db, "rank_history") == 2


async def test_backdated_change_is_refused(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"], rank="III/a", rank_since="2020-04-01")
    response = await api.patch(
        f"/v1/employees/{emp['nip']}", json={"rank": "III/b", "rank_since": "2019-04-01"}, headers={"If-Match": '"1"'}
    )
    assert (response.status_code, response.json()["code"]) == (422, "backdated")
    dateless = await api.patch(
        f"/v1/employees/{emp['nip']}", json={"rank_since": "2021-04-01"}, headers={"If-Match": '"1"'}
    )
    assert (dateless.status_code, dateless.json()["errors"][0]["loc"]) == (422, ["body", "rank_since"])


async def test_patch_needs_if_match_and_current_etag(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"])
    missing = await api.patch(f"/v1/employees/{emp['nip']}", json={"name": "Baru"})
    assert (missing.status_code, missing.json()["code"]) == (428, "if_match_required")
    stale = await api.patch(f"/v1/employees/{emp['nip']}", json={"name": "Baru"}, headers={"If-Match": '"7"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "etag_mismatch")
    fresh = await api.patch(f"/v1/employees/{emp['nip']}", json={"name": "Baru"}, headers={"If-Match": '"1"'})
    assert (fresh.status_code, fresh.json()["name"], fresh.headers["etag"]) == (200, "Baru", '"2"')
    null_name = await api.patch(f"/v1/employees/{emp['nip']}", json={"name": None}, headers={"If-Match": '"2"'})
    assert (null_name.status_code, null_name.json()["errors"][0]["loc"]) == (422, ["body", "name"])


async def test_patch_changes_only_sent_fields(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"], email="a@contoh.go.id", phone="0811111111")
    changed = await ok(
        await api.patch(f"/v1/employees/{emp['nip']}", json={"phone": None}, headers={"If-Match": '"1"'}), 200
    )
    assert changed["phone"] is None
    assert changed["email"] == "a@contoh.go.id"
    assert changed["name"] == emp["name"]


async def test_soft_delete_hides_the_person_but_keeps_history(api: Api, org: Org, db: AsyncConnection) -> None:
    emp = await make_employee(api, nip(), org.a["id"], rank="III/a")
    assert (await api.delete(f"/v1/employees/{emp['nip']}")).status_code == 428
    deleted = await api.delete(f"/v1/employees/{emp['nip']}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 204
    assert (await api.get(f"/v1/employees/{emp['nip']}")).status_code == 404
    assert (await api.get(f"/v1/employees/{emp['nip']}/history")).status_code == 404
    listed = await ok(await api.get("/v1/employees", params={"agency_id": org.a["id"]}), 200)
    assert emp["nip"] not in [e["nip"] for e in listed["items"]]
    assert await count_rows(db, "employees") == 1
    assert await count_rows(db, "rank_history") == 1
    again = await api.post(
        "/v1/employees", json={"nip": emp["nip"], "name": "X", "employment_type": "pns", "agency_id": org.a["id"]}
    )
    assert (again.status_code, again.json()["code"]) == (409, "employee_deleted")


async def test_transfer_moves_person_with_history_national_only(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"], position_id=org.admin["id"], position_since="2018-01-02")
    body = {"agency_id": org.b["code"], "position_id": org.b_position["id"], "effective_on": "2025-07-01"}
    admin_a = api.as_(agency_admin(org.a["id"]))
    forbidden = await admin_a.post(f"/v1/employees/{emp['nip']}/transfers", json=body)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "national_only")
    wrong = await api.post(f"/v1/employees/{emp['nip']}/transfers", json={**body, "position_id": org.admin["id"]})
    assert (wrong.status_code, wrong.json()["errors"][0]["loc"]) == (422, ["body", "position_id"])
    done = await ok(await api.post(f"/v1/employees/{emp['nip']}/transfers", json=body))
    assert (done["from_agency_id"], done["agency_id"]) == (org.a["id"], org.b["id"])
    assert done["employee"]["agency_id"] == org.b["id"]
    assert done["employee"]["unit_id"] == org.b_unit["id"]
    assert done["employee"]["level_since"] == "2018-01-02"  # same level (administrator) in the new agency
    history = await ok(await api.get(f"/v1/employees/{emp['nip']}/history"), 200)
    assert [(p["agency_id"], p["valid_to"]) for p in history["positions"]] == [
        (org.a["id"], "2025-07-01"),
        (org.b["id"], None),
    ]
