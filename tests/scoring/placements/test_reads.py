"""Placement reads: filters, paging, agency and employee scope, the 9-box as JSON and as SVG, talent history."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi import FastAPI

from tests.engine.synthetic import synthetic_inputs
from tests.scoring.conftest import Api, agency_admin, complete_review_from, employee
from tests.scoring.csvexport import export_csv

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"
SVG = "{http://www.w3.org/2000/svg}"


async def test_filters_paging_and_scope(api: Api, scoring_app: FastAPI, agencies: dict[str, str]) -> None:
    review = await complete_review_from(scoring_app, api, export_csv(synthetic_inputs(120, seed=5)))
    base = f"/v1/talent-reviews/{review}/placements"
    everyone = (await api.get(base + "?limit=500")).json()["items"]
    assert len(everyone) == 120
    placed = (await api.get(base + "?status=placed&limit=500")).json()["items"]
    assert {p["status"] for p in placed} == {"placed"}
    assert all(p["box"] is not None for p in placed)
    incomplete = (await api.get(base + "?status=incomplete&limit=500")).json()["items"]
    assert all(p["box"] is None for p in incomplete)
    assert all(p["missing"] for p in incomplete)
    assert len(placed) + len(incomplete) == 120
    unit = everyone[0]["unit_id"]
    in_unit = (await api.get(f"{base}?unit_id={unit}&limit=500")).json()["items"]
    assert in_unit
    assert {p["unit_id"] for p in in_unit} == {unit}
    assert (await api.get(base + "?status=maybe")).status_code == 422
    assert (await api.get(base + "?box=0")).status_code == 422
    assert (await api.get(base + "?cursor=@@@")).status_code == 422
    nip = everyone[0]["nip"]
    other_agency = api.as_(agency_admin(agencies[TG]))
    assert (await other_agency.get(base)).status_code == 404
    assert (await other_agency.get(f"{base}/{nip}")).status_code == 404
    assert (await other_agency.get(f"/v1/talent-reviews/{review}/nine-box")).status_code == 404
    assert (await other_agency.get(f"/v1/employees/{nip}/talent")).json()["history"] == []
    person = api.as_(employee(agencies[LB], nip))
    assert (await person.get(f"{base}/{nip}")).status_code == 200
    assert (await person.get(f"{base}/{everyone[1]['nip']}")).status_code == 404
    assert (await person.get(base)).status_code == 403
    assert (await person.get(f"/v1/talent-reviews/{review}")).status_code == 403
    assert (await person.get(f"/v1/talent-reviews/{review}/nine-box.svg")).status_code == 403
    own = (await person.get(f"/v1/employees/{nip}/talent")).json()
    assert own["latest"]["nip"] == nip
    assert own["history"][0]["review_id"] == review
    assert (await person.get(f"/v1/employees/{everyone[1]['nip']}/talent")).status_code == 404
    assert (await api.get(f"{base}/12345")).status_code == 422
    assert (await api.get(f"{base}/199901012020011999")).status_code == 404


async def test_nine_box_json_and_svg(api: Api, scoring_app: FastAPI) -> None:
    review = await complete_review_from(scoring_app, api, export_csv(synthetic_inputs(400, seed=9)))
    grid = (await api.get(f"/v1/talent-reviews/{review}/nine-box")).json()
    assert [cell["box"] for cell in grid["boxes"]] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert sum(cell["count"] for cell in grid["boxes"]) + grid["incomplete"] == grid["total"] == 400
    nine = grid["boxes"][0]
    assert (nine["performance_level"], nine["potential_level"]) == ("above", "high")
    assert nine["in_talent_pool"] is True
    assert nine["recommendations"][0] == {
        "label_id": "Dipromosikan dan dipertahankan",
        "label_en": "Promote and retain",
    }
    assert grid["counted_by"] == "effective_box"
    answer = await api.get(f"/v1/talent-reviews/{review}/nine-box.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{SVG}svg"
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    for cell in grid["boxes"]:
        assert f"Kotak {cell['box']}" in texts
        assert str(cell["count"]) in texts
    for word in ("Kinerja →", "Potensial →", "rendah", "menengah", "tinggi"):
        assert word in texts


async def test_svg_escapes_policy_labels(api: Api, scoring_app: FastAPI) -> None:
    label = 'Bintang <b>"&</b>'
    derived = await api.post(
        "/v1/scoring-policies",
        json={
            "derive_from": "permenpanrb-3-2020",
            "name": "Label uji",
            "id": "label-uji",
            "overrides": {"boxes": {"9": {"label_id": label}}},
        },
    )
    assert derived.status_code == 201, derived.text
    review = await complete_review_from(scoring_app, api, export_csv(synthetic_inputs(50, seed=2)), "label-uji")
    answer = await api.get(f"/v1/talent-reviews/{review}/nine-box.svg")
    root = ET.fromstring(answer.content)
    assert any(label in (title.text or "") for title in root.iter(f"{SVG}title"))
    assert b"<b>" not in answer.content
