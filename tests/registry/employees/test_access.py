"""Agency scope, minimised answers and employee principals, as the service token says who is calling."""

from __future__ import annotations

from services.common.service_token import CallerIdentity
from tests.registry.conftest import Api, agency_admin, employee_principal
from tests.registry.factory import Org, make_employee, nip, ok


async def test_agency_bound_caller_sees_only_its_agency(api: Api, org: Org) -> None:
    mine = await make_employee(api, nip(seq="001"), org.a["id"], email="x@a.go.id")
    theirs = await make_employee(api, nip(seq="002"), org.b["id"])
    admin = api.as_(agency_admin(org.a["id"]))
    assert (await admin.get(f"/v1/employees/{mine['nip']}")).status_code == 200
    for path in (
        f"/v1/employees/{theirs['nip']}",
        f"/v1/employees/{theirs['nip']}/history",
        f"/v1/employees/{theirs['nip']}/performance-ratings",
        f"/v1/agencies/{org.b['id']}",
        f"/v1/agencies/{org.b['code']}/units",
        f"/v1/units/{org.b_unit['id']}",
        f"/v1/positions/{org.b_position['id']}",
    ):
        response = await admin.get(path)
        assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json"), path
    missing = await admin.get("/v1/employees/199001012015011999")
    other = await admin.get(f"/v1/employees/{theirs['nip']}")
    assert missing.json()["code"] == other.json()["code"] == "employee_not_found"  # indistinguishable
    listed = await ok(await admin.get("/v1/employees"), 200)
    assert [e["nip"] for e in listed["items"]] == [mine["nip"]]
    assert [a["id"] for a in (await ok(await admin.get("/v1/agencies"), 200))["items"]] == [org.a["id"]]
    positions = (await ok(await admin.get("/v1/positions"), 200))["items"]
    assert {p["agency_id"] for p in positions} == {org.a["id"]}
    assert (await admin.get("/v1/positions", params={"agency_id": org.b["id"]})).status_code == 404
    patch = await admin.patch(f"/v1/employees/{theirs['nip']}", json={"name": "X"}, headers={"If-Match": '"1"'})
    assert patch.status_code == 404
    created = await admin.post("/v1/agencies", json={"code": "pemkab-baru", "name": "Baru"})
    assert (created.status_code, created.json()["code"]) == (403, "national_only")


async def test_agency_bound_caller_writes_default_to_its_agency_and_cannot_name_another(api: Api, org: Org) -> None:
    admin = api.as_(agency_admin(org.a["id"]))
    created = await ok(await admin.post("/v1/employees", json={"nip": nip(), "name": "A", "employment_type": "pns"}))
    assert created["agency_id"] == org.a["id"]
    elsewhere = await admin.post(
        "/v1/employees", json={"nip": nip(seq="002"), "name": "B", "employment_type": "pns", "agency_id": org.b["id"]}
    )
    assert (elsewhere.status_code, elsewhere.json()["errors"][0]["loc"]) == (422, ["body", "agency_id"])
    national_without = await api.post(
        "/v1/employees", json={"nip": nip(seq="003"), "name": "C", "employment_type": "pns"}
    )
    assert (national_without.status_code, national_without.json()["errors"][0]["loc"]) == (422, ["body", "agency_id"])


async def test_token_naming_the_agency_by_code_is_resolved(api: Api, org: Org) -> None:
    await make_employee(api, nip(), org.a["id"])
    by_code = api.as_(agency_admin(org.a["code"]))
    assert (await by_code.get(f"/v1/employees/{nip()}")).status_code == 200
    unknown = api.as_(agency_admin("pemkab-tidak-ada"))
    assert (await unknown.get(f"/v1/employees/{nip()}")).status_code == 404
    assert (await ok(await unknown.get("/v1/employees"), 200))["items"] == []


async def test_minimised_answers_drop_email_and_phone(api: Api, org: Org) -> None:
    emp = await make_employee(api, nip(), org.a["id"], email="x@a.go.id", phone="08123456789")
    viewer = api.as_(agency_admin(org.a["id"], personal_data=False))
    one = await ok(await viewer.get(f"/v1/employees/{emp['nip']}"), 200)
    assert "email" not in one
    assert "phone" not in one
    assert one["name"] == emp["name"]
    listed = await ok(await viewer.get("/v1/employees"), 200)
    assert all("email" not in e and "phone" not in e for e in listed["items"])
    full = await ok(await api.get(f"/v1/employees/{emp['nip']}"), 200)
    assert (full["email"], full["phone"]) == ("x@a.go.id", "08123456789")


async def test_employee_principal_sees_only_themselves(api: Api, org: Org) -> None:
    me = await make_employee(api, nip(seq="001"), org.a["id"])
    colleague = await make_employee(api, nip(seq="002"), org.a["id"])
    person = api.as_(employee_principal(org.a["id"], me["nip"]))
    assert (await person.get(f"/v1/employees/{me['nip']}")).status_code == 200
    assert (await person.get(f"/v1/employees/{me['nip']}/history")).status_code == 200
    assert (await person.get(f"/v1/employees/{colleague['nip']}")).status_code == 404
    assert (await person.get(f"/v1/employees/{colleague['nip']}/awards")).status_code == 404
    listed = await ok(await person.get("/v1/employees", params={"agency_id": org.a["id"]}), 200)
    assert [e["nip"] for e in listed["items"]] == [me["nip"]]
    unlinked = api.as_(CallerIdentity(service="gateway", subject="user:x", agency_id=org.a["id"], roles=("employee",)))
    assert (await ok(await unlinked.get("/v1/employees"), 200))["items"] == []


async def test_calls_without_a_valid_service_token_are_401(api: Api) -> None:
    assert (await api.client.get("/v1/employees")).status_code == 401
    bad = await api.client.get("/v1/employees", headers={"Authorization": "Bearer not-a-token"})
    assert (bad.status_code, bad.json()["code"]) == (401, "invalid_service_token")
    assert (await api.client.get("/healthz")).status_code == 200
