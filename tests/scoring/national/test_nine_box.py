"""The national 9-box: each agency's latest finalized review of the period, summed; JSON and small-multiple SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi import FastAPI

from tests.scoring.conftest import Api, agency_admin
from tests.scoring.national.conftest import LB, TG, completed_review, finalize

SVG = "{http://www.w3.org/2000/svg}"


async def test_national_sum_of_finalized_reviews(
    api: Api, registry: Api, scoring_app: FastAPI, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    empty = (await api.get("/v1/nine-box", params={"period": 2025})).json()
    assert (empty["agencies_counted"], empty["total"]) == (0, 0)
    assert sorted(a["review_id"] for a in empty["awaiting_decree"]) == sorted(reviews.values())
    await finalize(api, reviews[LB])
    path = f"/v1/talent-reviews/{reviews[TG]}/placements"
    person = next(p for p in (await api.get(path, params={"box": 5, "limit": 1})).json()["items"])
    calibrated = await api.post(f"{path}/{person['nip']}/calibrations", json={"box": 9, "reason": "Rapat kalibrasi"})
    assert calibrated.status_code == 201
    await finalize(api, reviews[TG])
    newer_unfinalized = await completed_review(api, scoring_app, LB)  # completed later, but no decree: not counted
    body = (await api.get("/v1/nine-box", params={"period": 2025})).json()
    grids = {grid["review_id"]: (await api.get(f"/v1/talent-reviews/{grid['review_id']}/nine-box")).json()
             for grid in body["agencies"]}  # fmt: skip
    assert set(grids) == set(reviews.values())
    assert body["awaiting_decree"] == []
    assert newer_unfinalized not in grids
    for grid in body["agencies"]:
        own = grids[grid["review_id"]]
        assert {b["box"]: b["count"] for b in grid["boxes"]} == {c["box"]: c["count"] for c in own["boxes"]}
        for count in ("total", "incomplete", "calibrated"):
            assert grid[count] == own[count]
        assert grid["agency_id"] == agencies[grid["code"]]
        assert grid["decree_number"] == "800/9/SK/2026"
    national = {cell["box"]: cell["count"] for cell in body["boxes"]}
    assert national == {box: sum(c["count"] for g in grids.values() for c in g["boxes"] if c["box"] == box)
                        for box in range(1, 10)}  # fmt: skip
    assert body["total"] == sum(g["total"] for g in grids.values())
    assert body["talent_pool"] == sum(national[box] for box in (7, 8, 9))
    assert next(c for c in body["boxes"] if c["box"] == 9)["calibrated"] == 1
    assert [c["box"] for c in body["boxes"]] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert body["boxes"][0]["label_id"]
    one = (await api.get("/v1/nine-box", params={"period": 2025, "agency_id": TG})).json()
    assert [g["code"] for g in one["agencies"]] == [TG]
    assert one["total"] == grids[reviews[TG]]["total"]
    scoped = (await api.as_(agency_admin(agencies[TG])).get("/v1/nine-box", params={"period": 2025})).json()
    assert scoped == one
    foreign = await api.as_(agency_admin(agencies[TG])).get("/v1/nine-box", params={"period": 2025, "agency_id": LB})
    assert foreign.status_code == 404
    assert (await api.get("/v1/nine-box", params={"period": 2024})).json()["agencies_counted"] == 0
    assert (await api.get("/v1/nine-box")).status_code == 422
    assert (await api.get("/v1/nine-box", params={"period": 1800})).status_code == 422


async def test_small_multiples_svg(api: Api, registry: Api, reviews: dict[str, str], agencies: dict[str, str]) -> None:
    for review in reviews.values():
        await finalize(api, review)
    url = f"/v1/agencies/{TG}"
    original = (await registry.get(url)).json()["name"]
    etag = (await registry.get(url)).headers["etag"]
    renamed = await registry.patch(url, json={"name": 'Kab. <Tanggamus> & "Uji"'}, headers={"If-Match": etag})
    assert renamed.status_code == 200, renamed.text
    try:
        answer = await api.get("/v1/nine-box.svg", params={"period": 2025})
    finally:
        etag = (await registry.get(url)).headers["etag"]
        await registry.patch(url, json={"name": original}, headers={"If-Match": etag})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.content)  # well-formed: every name escaped
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert 'Kab. <Tanggamus> & "Uji"' in " ".join(texts)
    body = (await api.get("/v1/nine-box", params={"period": 2025})).json()
    panels = list(root.iter(f"{SVG}g"))
    assert len(panels) == 1 + len(body["agencies"])  # the national sum, then one per agency
    assert texts.count("Potensial →") == len(panels)
    assert texts.count("Kinerja →") == len(panels)
    assert {"tinggi", "menengah", "rendah"} <= set(texts)
    assert any(t.startswith("Matriks 9 Kotak Talenta Nasional, periode 2025") for t in texts)
    national_counts = [t for t in panels[0].iter(f"{SVG}text") if (t.text or "").isdigit()]
    numbers = {int(t.text or 0) for t in national_counts}
    assert {c["count"] for c in body["boxes"]} <= numbers
    assert root.get("viewBox")
