"""Data quality through scoring (the policy's maximum input age applied) and national successors naming agencies."""

from __future__ import annotations

import datetime as dt

from services.scoring.jobs.compute import read_export
from tests.scoring.conftest import Api, agency_admin, registry_export
from tests.scoring.national.conftest import LB, TG, finalize

AS_OF = dt.date(2026, 1, 2)


async def test_data_quality_uses_the_policys_maximum_age(api: Api, registry: Api, agencies: dict[str, str]) -> None:
    direct = (await registry.get("/v1/data-quality", params={"period": 2025, "max_age_years": 3})).json()
    through = await api.get("/v1/data-quality", params={"period": 2025})
    assert through.status_code == 200, through.text
    assert through.json() == direct  # the default policy's maximum input age: 3 years
    assert through.json()["totals"]["active"] > 0
    derived = await api.post(
        "/v1/scoring-policies",
        json={
            "derive_from": "permenpanrb-3-2020",
            "name": "Umur masukan 1 tahun",
            "overrides": {"max_input_age_years": 1},
        },
    )
    assert derived.status_code == 201, derived.text
    strict = (await api.get("/v1/data-quality", params={"period": 2025, "policy_id": derived.json()["id"]})).json()
    assert strict["max_age_years"] == 1
    assert strict == (await registry.get("/v1/data-quality", params={"period": 2025, "max_age_years": 1})).json()
    stale = [body["totals"]["missing"]["stale_assessment"]["count"] for body in (strict, direct)]
    assert stale[0] >= stale[1]
    explicit = (await api.get(f"/v1/agencies/{TG}/data-quality", params={"period": 2025, "max_age_years": 5})).json()
    assert (explicit["agency_id"], explicit["max_age_years"]) == (agencies[TG], 5)
    tanggamus = api.as_(agency_admin(agencies[TG]))
    own = (await tanggamus.get("/v1/data-quality", params={"period": 2025})).json()
    assert [a["code"] for a in own["agencies"]] == [TG]
    assert (await tanggamus.get(f"/v1/agencies/{LB}/data-quality", params={"period": 2025})).status_code == 404
    assert (await api.get("/v1/data-quality", params={"period": 2025, "policy_id": "nope"})).status_code == 422
    assert (await api.get("/v1/data-quality")).status_code == 422


async def test_national_successors_name_their_agency(
    api: Api, registry: Api, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    for review in reviews.values():
        await finalize(api, review)
    positions = (await registry.get("/v1/positions", params={"agency_id": LB, "is_key": "true", "limit": 500})).json()
    position = next(p for p in positions["items"] if p["level"] == "jpt_pratama")
    url = f"/v1/positions/{position['id']}"

    async def set_national(value: bool) -> None:
        etag = (await registry.get(url)).headers["etag"]
        assert (await registry.patch(url, json={"national": value}, headers={"If-Match": etag})).status_code == 200

    await set_national(True)
    try:
        body = (await api.get(f"{url}/successors", params={"as_of": AS_OF.isoformat(), "limit": 500})).json()
    finally:
        await set_national(False)
    assert sorted(body["review_ids"]) == sorted(reviews.values())
    by_agency = {c["agency_id"] for c in body["candidates"]}
    assert by_agency == {agencies[LB], agencies[TG]}  # drawn from several agencies
    for code in (LB, TG):
        people = read_export(await registry_export(registry, agencies[code], as_of=AS_OF.isoformat()))
        nips = set(people["nip"].to_pylist())
        named = {c["nip"] for c in body["candidates"] if c["agency_id"] == agencies[code]}
        assert named
        assert named <= nips
    local = (await api.get(f"{url}/successors", params={"as_of": AS_OF.isoformat(), "limit": 500})).json()
    assert {c["agency_id"] for c in local["candidates"]} <= {agencies[LB]}  # not national: its own agency only
