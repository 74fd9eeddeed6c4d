"""Agency isolation across the services: another agency's admin gets 404 for lampung-barat's employee, unit,
position, review, import and placement, on reads and writes alike, exactly as for a resource that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT, TANGGAMUS, Api, ok, problem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
OWNER, OTHER = "lampungbarat.admin", "tanggamus.admin"
MISSING_ID = "01900000-0000-7000-8000-000000000000"
MISSING_NIP = "197001012000011001"


@pytest.fixture(scope="module")
async def lampung_barat(api: Api) -> dict[str, str]:
    """Ids of lampung-barat resources of every kind, made or found by its own admin."""
    unit = ok(await api.get(OWNER, f"/api/v1/agencies/{LAMPUNG_BARAT}/units", params={"limit": 1}))["items"][0]
    position = ok(await api.get(OWNER, "/api/v1/positions", params={"agency_id": LAMPUNG_BARAT, "is_key": "true",
                                                                     "limit": 1}))["items"][0]  # fmt: skip
    started = await api.post(
        OWNER,
        "/api/v1/imports",
        data={"kind": "performance-ratings", "agency_id": LAMPUNG_BARAT},
        files={"file": ("skp.csv", f"nip,year,work_result,work_behavior\n{DEMO_EMPLOYEE_NIP},2023,meets,meets\n")},
    )
    job = await api.wait_for_job(OWNER, ok(started, 202) and started.headers["location"])
    assert job["status"] == "completed", job
    review = await api.post(OWNER, "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT, "period": 2024})
    done = await api.wait_for_job(OWNER, ok(review, 202) and review.headers["location"])
    assert done["status"] == "completed", done
    return {"unit": unit["id"], "position": position["id"], "import": job["id"], "review": done["id"]}


def cases(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request) of every route naming one lampung-barat resource."""
    nip, review = DEMO_EMPLOYEE_NIP, ids["review"]
    return [
        ("GET", f"/api/v1/employees/{nip}", {}),
        ("PATCH", f"/api/v1/employees/{nip}", {"json": {"name": "X"}, "headers": {"If-Match": '"1"'}}),
        ("DELETE", f"/api/v1/employees/{nip}", {"headers": {"If-Match": '"1"'}}),
        ("GET", f"/api/v1/employees/{nip}/history", {}),
        ("GET", f"/api/v1/employees/{nip}/performance-ratings", {}),
        ("PUT", f"/api/v1/employees/{nip}/performance-ratings/2022", {"json": {"work_result": "meets",
                                                                               "work_behavior": "meets"}}),
        ("POST", f"/api/v1/employees/{nip}/potential-assessments", {"json": {"assessed_on": "2025-01-02",
                                                                              "score": 70}}),
        ("GET", f"/api/v1/units/{ids['unit']}", {}),
        ("PATCH", f"/api/v1/units/{ids['unit']}", {"json": {"name": "X"}, "headers": {"If-Match": '"1"'}}),
        ("GET", f"/api/v1/positions/{ids['position']}", {}),
        ("PATCH", f"/api/v1/positions/{ids['position']}", {"json": {"name": "X"}, "headers": {"If-Match": '"1"'}}),
        ("GET", f"/api/v1/positions/{ids['position']}/successors", {}),
        ("GET", f"/api/v1/imports/{ids['import']}", {}),
        ("GET", f"/api/v1/talent-reviews/{review}", {}),
        ("GET", f"/api/v1/talent-reviews/{review}/nine-box", {}),
        ("GET", f"/api/v1/talent-reviews/{review}/nine-box.svg", {}),
        ("GET", f"/api/v1/talent-reviews/{review}/placements", {}),
        ("GET", f"/api/v1/talent-reviews/{review}/placements/{nip}", {}),
        ("POST", f"/api/v1/talent-reviews/{review}/placements/{nip}/calibrations", {"json": {"box": 9,
                                                                                              "reason": "why not"}}),
        ("POST", f"/api/v1/talent-reviews/{review}/finalize", {"json": {"decree_number": "1", "approved_by": "x"}}),
        ("GET", f"/api/v1/agencies/{LAMPUNG_BARAT}/units", {}),
        ("GET", f"/api/v1/agencies/{LAMPUNG_BARAT}/succession-overview", {}),
    ]  # fmt: skip


def missing(path: str, ids: dict[str, str]) -> str:
    """The same route naming resources that do not exist at all."""
    for value in ids.values():
        path = path.replace(value, MISSING_ID)
    return path.replace(DEMO_EMPLOYEE_NIP, MISSING_NIP).replace(LAMPUNG_BARAT, "pemkab-tidak-ada")


async def test_another_agency_gets_404_exactly_as_for_a_missing_resource(
    api: Api, lampung_barat: dict[str, str]
) -> None:
    for method, path, request in cases(lampung_barat):
        theirs = problem(await api.request(OTHER, method, path, **request), 404)
        absent = problem(await api.request(OTHER, method, missing(path, lampung_barat), **request), 404)
        # The same answer but for the identifiers the caller sent (echoed in `detail`) and the request id.
        assert _anonymous(theirs, lampung_barat) == _anonymous(absent, lampung_barat), (method, path)
        owners = await api.request(OWNER, "GET", path) if method == "GET" else None
        assert owners is None or owners.status_code == 200, (path, owners.text)  # it exists for its own agency


async def test_a_persons_talent_history_is_empty_for_another_agency_as_for_nobody(
    api: Api, lampung_barat: dict[str, str]
) -> None:
    # Scoring answers a NIP it holds no placements for with an empty history instead of a 404; another
    # agency's person gets that same answer, so nothing is learnt about them.
    theirs = ok(await api.get(OTHER, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}/talent"))
    assert (theirs["latest"], theirs["history"]) == (None, [])
    nobody = ok(await api.get(OTHER, f"/api/v1/employees/{MISSING_NIP}/talent"))
    assert {**nobody, "nip": DEMO_EMPLOYEE_NIP} == theirs
    owners = ok(await api.get(OWNER, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}/talent"))
    assert lampung_barat["review"] in {placement["review_id"] for placement in owners["history"]}


def _anonymous(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    detail = missing(str(body["detail"]), ids).replace(MISSING_ID, "ID").replace(MISSING_NIP, "NIP")
    return {**body, "detail": detail, "request_id": None}


async def test_lists_hold_only_the_callers_agency(api: Api, lampung_barat: dict[str, str]) -> None:
    tanggamus = ok(await api.get(OTHER, f"/api/v1/agencies/{TANGGAMUS}"))["id"]
    own = await api.post(OTHER, "/api/v1/talent-reviews", json={"agency_id": TANGGAMUS, "period": 2024})
    assert (await api.wait_for_job(OTHER, ok(own, 202) and own.headers["location"]))["status"] == "completed"
    for path in ("/api/v1/employees", "/api/v1/positions", "/api/v1/talent-reviews"):
        items = ok(await api.get(OTHER, path, params={"limit": 500}))["items"]
        assert items, path
        assert {item["agency_id"] for item in items} == {tanggamus}, path
    audit = ok(await api.get(OTHER, "/api/v1/audit-events", params={"nip": DEMO_EMPLOYEE_NIP}))["items"]
    # Only tanggamus's own (refused) attempts at that NIP; lampung-barat's reads of its person are not shown.
    assert {e["actor_name"] for e in audit} <= {OTHER}
    assert all(e["status"] == 404 or e["action"] == "talent.read" for e in audit)  # (the empty history)
    # A review of another agency is refused as for an agency that does not exist (a body field: 422).
    theirs = await api.post(OTHER, "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT, "period": 2025})
    nobodys = await api.post(OTHER, "/api/v1/talent-reviews", json={"agency_id": "pemkab-tidak-ada", "period": 2025})
    assert problem(theirs, 422)["code"] == problem(nobodys, 422)["code"] == "unknown_agency"
