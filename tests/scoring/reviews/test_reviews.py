"""/v1/talent-reviews as resources: start (202 job, Location, idempotency), read, list, scope, bad input."""

from __future__ import annotations

from fastapi import FastAPI

from tests.scoring.conftest import Api, agency_admin, employee

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"
NIP = "198609262015051001"


async def test_start_answers_the_queued_job(api: Api, agencies: dict[str, str]) -> None:
    body = {"agency_id": LB, "period": 2025}
    started = await api.post("/v1/talent-reviews", json=body, headers={"Idempotency-Key": "run-1"})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "queued"
    assert job["progress"] == 0.0
    assert job["agency_id"] == agencies[LB]
    assert (job["policy_id"], job["policy_version"]) == ("permenpanrb-3-2020", 1)
    assert job["created_by"] == "user:national"
    assert started.headers["location"] == f"/v1/talent-reviews/{job['id']}"
    replay = await api.post("/v1/talent-reviews", json=body, headers={"Idempotency-Key": "run-1"})
    assert replay.status_code == 202
    assert replay.json()["id"] == job["id"]
    assert replay.headers["idempotent-replayed"] == "true"
    other_body = await api.post(
        "/v1/talent-reviews", json={**body, "period": 2024}, headers={"Idempotency-Key": "run-1"}
    )
    assert other_body.status_code == 422
    read = await api.get(started.headers["location"])
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json()["id"] == job["id"]


async def test_each_post_is_a_new_run_and_lists_are_scoped(api: Api, agencies: dict[str, str]) -> None:
    first = (await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025})).json()
    second = (await api.post("/v1/talent-reviews", json={"agency_id": agencies[LB], "period": 2025})).json()
    other = (await api.post("/v1/talent-reviews", json={"agency_id": TG, "period": 2024})).json()
    assert first["id"] != second["id"]
    everything = (await api.get("/v1/talent-reviews?limit=2")).json()
    assert [item["id"] for item in everything["items"]] == [other["id"], second["id"]]
    rest = (await api.get(f"/v1/talent-reviews?limit=2&cursor={everything['next_cursor']}")).json()
    assert [item["id"] for item in rest["items"]] == [first["id"]]
    assert rest["next_cursor"] is None
    by_code = (await api.get(f"/v1/talent-reviews?agency_id={TG}")).json()
    assert [item["id"] for item in by_code["items"]] == [other["id"]]
    admin = api.as_(agency_admin(agencies[LB]))
    mine = (await admin.get("/v1/talent-reviews")).json()
    assert {item["id"] for item in mine["items"]} == {first["id"], second["id"]}
    assert (await admin.get(f"/v1/talent-reviews/{other['id']}")).status_code == 404
    assert (await admin.get(f"/v1/talent-reviews?agency_id={TG}")).status_code == 404
    assert (await admin.get("/v1/talent-reviews?status=running")).json()["items"] == []
    assert (await admin.get("/v1/talent-reviews?status=odd")).status_code == 422


async def test_bad_input_and_scope_on_start(api: Api, agencies: dict[str, str]) -> None:
    admin = api.as_(agency_admin(agencies[LB]))
    own = await admin.post("/v1/talent-reviews", json={"period": 2025})
    assert own.status_code == 202
    assert own.json()["agency_id"] == agencies[LB]
    foreign = await admin.post("/v1/talent-reviews", json={"agency_id": TG, "period": 2025})
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["loc"] == ["body", "agency_id"]
    national_without = await api.post("/v1/talent-reviews", json={"period": 2025})
    assert national_without.status_code == 422
    unknown = await api.post("/v1/talent-reviews", json={"agency_id": "pemkab-nowhere", "period": 2025})
    assert unknown.json()["code"] == "unknown_agency"
    future = await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2999})
    assert future.status_code == 422
    policy = await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025, "policy_id": "nope"})
    assert policy.json()["code"] == "unknown_policy"
    simata = await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025, "policy_id": "simata-2025"})
    assert simata.json()["policy_id"] == "simata-2025"
    assert (await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": "x"})).status_code == 422
    assert (
        await api.post("/v1/talent-reviews", content=b"{", headers={"content-type": "application/json"})
    ).status_code == 422
    staff_only = api.as_(employee(agencies[LB], NIP))
    assert (await staff_only.post("/v1/talent-reviews", json={"period": 2025})).status_code == 403
    assert (await staff_only.get("/v1/talent-reviews")).status_code == 403
    assert (await api.get("/v1/talent-reviews/does-not-exist")).status_code == 404


async def test_finalize_needs_a_completed_review(api: Api) -> None:
    job = (await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025})).json()
    answer = await api.post(
        f"/v1/talent-reviews/{job['id']}/finalize", json={"decree_number": "800/1/SK/2026", "approved_by": "Sekda"}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "review_not_completed"
    placements = await api.get(f"/v1/talent-reviews/{job['id']}/placements")
    assert placements.status_code == 409


async def test_crafted_agency_references_never_steer_registry_calls(api: Api, scoring_app: FastAPI) -> None:
    transport = scoring_app.state.test_transport
    for ref in ("../scoring-inputs", "a/b", "x?y=1", "..", "%2e%2e", "a b", "a" * 100 + "b"):
        started = await api.post("/v1/talent-reviews", json={"agency_id": ref, "period": 2025})
        assert started.status_code == 422, (ref, started.text)
        listed = await api.get("/v1/talent-reviews", params={"agency_id": ref})
        assert listed.status_code in (404, 422), (ref, listed.text)
    for path in ("/v1/positions/..%2Fagencies/successors", "/v1/positions/x%3Fy/successors"):
        assert (await api.get(path)).status_code == 404
    assert all(path.startswith(("/v1/agencies/", "/v1/positions/")) for path in transport.paths), transport.paths
    assert not any(".." in path or "?" in path.split("/")[-1] for path in transport.paths), transport.paths
