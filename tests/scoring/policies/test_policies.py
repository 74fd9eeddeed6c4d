"""/v1/scoring-policies: built-ins stored, derive and version, validation errors, agency scope, ETag, idempotency."""

from __future__ import annotations

import base64

import orjson

from services.scoring import engine
from tests.scoring.conftest import Api, agency_admin, employee

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"


async def test_builtins_are_listed_and_read(api: Api) -> None:
    page = (await api.get("/v1/scoring-policies")).json()
    ids = [(item["id"], item["version"]) for item in page["items"]]
    assert ("permenpanrb-3-2020", 1) in ids
    assert ("simata-2025", 1) in ids
    answer = await api.get("/v1/scoring-policies/simata-2025")
    assert answer.status_code == 200
    assert answer.headers["etag"] == '"1"'
    body = answer.json()
    assert body["builtin"] is True
    assert body["owner_agency_id"] is None
    assert engine.policy_from_json(orjson.dumps(body["document"])) == engine.builtin_policy("simata-2025")
    assert (await api.get("/v1/scoring-policies/nope")).json()["code"] == "policy_not_found"
    assert (await api.get("/v1/scoring-policies/simata-2025?version=9")).status_code == 404


async def test_derive_then_new_version_then_scope(api: Api, agencies: dict[str, str]) -> None:
    lb, tg = agencies[LB], agencies[TG]
    admin = api.as_(agency_admin(lb))
    body = {
        "derive_from": "permenpanrb-3-2020",
        "name": "Lampung Barat 2026",
        "id": "lampung-barat-2026",
        "overrides": {"potential_bands": {"medium_from": 75}},
    }
    created = await admin.post("/v1/scoring-policies", json=body, headers={"Idempotency-Key": "derive-1"})
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["version"] == 1
    assert first["owner_agency_id"] == lb
    assert first["derived_from"] == "permenpanrb-3-2020@1"
    assert first["document"]["potential_bands"] == {"medium_from": 75.0, "high_from": 90.0}
    assert created.headers["location"] == "/v1/scoring-policies/lampung-barat-2026?version=1"
    replay = await admin.post("/v1/scoring-policies", json=body, headers={"Idempotency-Key": "derive-1"})
    assert replay.status_code == 201
    assert replay.json() == first
    # Deriving from the agency's own policy without an id makes its next version.
    again = await admin.post(
        "/v1/scoring-policies",
        json={"derive_from": "lampung-barat-2026", "name": "Lampung Barat 2026 revisi", "overrides": {}},
    )
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["version"]) == ("lampung-barat-2026", 2)
    assert again.json()["document"]["potential_bands"]["medium_from"] == 75.0
    latest = await admin.get("/v1/scoring-policies/lampung-barat-2026")
    assert latest.json()["version"] == 2
    assert latest.headers["etag"] == '"2"'
    assert (await admin.get("/v1/scoring-policies/lampung-barat-2026?version=1")).json()["version"] == 1
    # Another agency sees neither version, nor may it take the id.
    other = api.as_(agency_admin(tg))
    assert (await other.get("/v1/scoring-policies/lampung-barat-2026")).status_code == 404
    listed = [item["id"] for item in (await other.get("/v1/scoring-policies")).json()["items"]]
    assert "lampung-barat-2026" not in listed
    taken = await other.post(
        "/v1/scoring-policies", json={"derive_from": "simata-2025", "name": "x", "id": "lampung-barat-2026"}
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "policy_id_taken"
    hidden = await other.post("/v1/scoring-policies", json={"derive_from": "lampung-barat-2026", "name": "copy"})
    assert hidden.status_code == 422
    assert hidden.json()["code"] == "unknown_policy"
    # A national caller sees it.
    assert (await api.get("/v1/scoring-policies/lampung-barat-2026")).status_code == 200


async def test_invalid_overrides_answer_the_engines_errors(api: Api, agencies: dict[str, str]) -> None:
    admin = api.as_(agency_admin(agencies[LB]))
    bad = await admin.post(
        "/v1/scoring-policies",
        json={
            "derive_from": "permenpanrb-3-2020",
            "name": "Tidak valid",
            "overrides": {"potential_weights": {"jpm": 0.9}},
        },
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_policy"
    errors = bad.json()["errors"]
    assert errors
    assert errors[0]["loc"][:3] == ["body", "overrides", "potential_weights"]
    assert "sum to 1" in errors[0]["message"]
    unknown = await admin.post(
        "/v1/scoring-policies", json={"derive_from": "permenpanrb-3-2020", "name": "x", "overrides": {"nope": 1}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "overrides", "nope"]
    builtin = await admin.post(
        "/v1/scoring-policies", json={"derive_from": "permenpanrb-3-2020", "name": "x", "id": "simata-2025"}
    )
    assert builtin.status_code == 409
    assert builtin.json()["code"] == "builtin_policy_id"
    extra = await admin.post("/v1/scoring-policies", json={"derive_from": "simata-2025", "name": "x", "weight": 1})
    assert extra.status_code == 422
    national = await api.post("/v1/scoring-policies", json={"derive_from": "simata-2025", "name": "Nasional Uji"})
    assert national.status_code == 201
    assert national.json()["owner_agency_id"] is None
    assert national.json()["id"] == "nasional-uji"
    nip = "198609262015051001"
    refused = await api.as_(employee(agencies[LB], nip)).post(
        "/v1/scoring-policies", json={"derive_from": "simata-2025", "name": "x"}
    )
    assert refused.status_code == 403


async def test_service_token_is_required(api: Api) -> None:
    answer = await api.client.get("/v1/scoring-policies")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


async def test_paging_and_foreign_cursors(api: Api) -> None:
    first = (await api.get("/v1/scoring-policies?limit=1")).json()
    assert len(first["items"]) == 1
    second = (await api.get(f"/v1/scoring-policies?limit=1&cursor={first['next_cursor']}")).json()
    assert second["items"][0]["id"] > first["items"][0]["id"]
    for key in ([1], ["a"], ["a", "b"], [None, 1], {"a": 1}):
        cursor = base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")
        answer = await api.get(f"/v1/scoring-policies?cursor={cursor}")
        assert answer.status_code == 422, (key, answer.text)
    for path in ("/v1/talent-reviews", "/v1/scoring-policies"):
        for cursor in (base64.urlsafe_b64encode(b"[[1,2]]").decode(), base64.urlsafe_b64encode(b"[]").decode()):
            assert (await api.get(f"{path}?cursor={cursor}")).status_code in (200, 422)
