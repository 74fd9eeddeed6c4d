"""Calibrations keep the engine's box and change the effective box, summary, pool and 9-box; finalize locks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.engine.synthetic import synthetic_inputs
from tests.scoring.conftest import Api, agency_admin, complete_review_from, employee
from tests.scoring.csvexport import export_csv

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"


@pytest.fixture
async def review(api: Api, scoring_app: FastAPI) -> str:
    return await complete_review_from(scoring_app, api, export_csv(synthetic_inputs(300, seed=3)))


async def _placed_outside_pool(api: Api, review_id: str) -> dict[str, Any]:
    page = (await api.get(f"/v1/talent-reviews/{review_id}/placements?box=5&limit=1")).json()
    return dict(page["items"][0])


async def test_calibration_keeps_the_original_and_moves_the_effective_box(api: Api, review: str) -> None:
    before = (await api.get(f"/v1/talent-reviews/{review}")).json()["summary"]
    grid_before = (await api.get(f"/v1/talent-reviews/{review}/nine-box")).json()
    person = await _placed_outside_pool(api, review)
    assert person["in_talent_pool"] is False
    url = f"/v1/talent-reviews/{review}/placements/{person['nip']}"
    etag = (await api.get(url)).headers["etag"]
    body = {"box": 8, "reason": "Hasil rapat tim penilai kinerja"}
    answer = await api.post(url + "/calibrations", json=body, headers={"Idempotency-Key": "cal-1"})
    assert answer.status_code == 201, answer.text
    calibrated = answer.json()
    assert calibrated["box"] == 5  # the engine's box stays visible
    assert calibrated["calibrated_box"] == 8
    assert calibrated["effective_box"] == 8
    assert calibrated["in_talent_pool"] is True
    assert calibrated["calibration"]["reason"] == body["reason"]
    assert calibrated["calibration"]["previous_box"] == 5
    assert calibrated["calibration"]["calibrated_by"] == "user:national"
    assert calibrated["explanation"]["box"]["box"] == 5  # the explanation is of the engine's result
    assert answer.headers["location"] == url
    replay = await api.post(url + "/calibrations", json=body, headers={"Idempotency-Key": "cal-1"})
    assert replay.json() == calibrated
    read = await api.get(url)
    assert read.headers["etag"] != etag
    assert len(read.json()["calibrations"]) == 1
    after = (await api.get(f"/v1/talent-reviews/{review}")).json()["summary"]
    assert after["boxes"]["5"] == before["boxes"]["5"] - 1
    assert after["boxes"]["8"] == before["boxes"]["8"] + 1
    assert after["talent_pool"] == before["talent_pool"] + 1
    assert after["calibrated"] == 1
    grid = (await api.get(f"/v1/talent-reviews/{review}/nine-box")).json()
    cells = {cell["box"]: cell for cell in grid["boxes"]}
    assert cells[8]["count"] == next(c["count"] for c in grid_before["boxes"] if c["box"] == 8) + 1
    assert cells[8]["calibrated"] == 1
    assert grid["calibrated"] == 1
    in_eight = (await api.get(f"/v1/talent-reviews/{review}/placements?box=8&limit=500")).json()["items"]
    assert person["nip"] in {p["nip"] for p in in_eight}
    in_five = (await api.get(f"/v1/talent-reviews/{review}/placements?box=5&limit=500")).json()["items"]
    assert person["nip"] not in {p["nip"] for p in in_five}
    again = await api.post(url + "/calibrations", json={"box": 5, "reason": "Dikembalikan setelah banding"})
    assert again.json()["calibration"]["previous_box"] == 8
    assert len(again.json()["calibrations"]) == 2
    talent = (await api.get(f"/v1/employees/{person['nip']}/talent")).json()
    assert talent["latest"]["calibrated_box"] == 5
    assert talent["history"][0]["box"] == 5


async def test_calibration_refusals(api: Api, review: str, agencies: dict[str, str]) -> None:
    person = await _placed_outside_pool(api, review)
    url = f"/v1/talent-reviews/{review}/placements/{person['nip']}/calibrations"
    body = {"box": 7, "reason": "Alasan yang cukup"}
    own = await api.as_(agency_admin(agencies[LB], nip=person["nip"])).post(url, json=body)
    assert own.status_code == 403
    assert own.json()["code"] == "own_record"
    assert (await api.post(url, json={"box": 10, "reason": "x y z"})).status_code == 422
    assert (await api.post(url, json={"box": 7})).status_code == 422
    missing = await api.post(f"/v1/talent-reviews/{review}/placements/199901012020011999/calibrations", json=body)
    assert missing.status_code == 404
    incomplete = (await api.get(f"/v1/talent-reviews/{review}/placements?status=incomplete&limit=1")).json()["items"]
    refused = await api.post(f"/v1/talent-reviews/{review}/placements/{incomplete[0]['nip']}/calibrations", json=body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "placement_incomplete"
    assert (await api.as_(agency_admin(agencies[TG])).post(url, json=body)).status_code == 404
    assert (await api.as_(employee(agencies[LB], person["nip"])).post(url, json=body)).status_code == 403


async def test_finalized_review_refuses_every_write(api: Api, review: str) -> None:
    person = await _placed_outside_pool(api, review)
    decree = {"decree_number": "800/001/SK/2026", "approved_by": "Sekretaris Daerah"}
    done = await api.post(f"/v1/talent-reviews/{review}/finalize", json=decree)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["finalized"] is True
    assert body["decree_number"] == decree["decree_number"]
    assert body["approved_by"] == decree["approved_by"]
    assert body["finalized_by"] == "user:national"
    calibrate = await api.post(
        f"/v1/talent-reviews/{review}/placements/{person['nip']}/calibrations", json={"box": 9, "reason": "Terlambat"}
    )
    assert calibrate.status_code == 409
    assert calibrate.json()["code"] == "review_finalized"
    again = await api.post(f"/v1/talent-reviews/{review}/finalize", json=decree)
    assert again.status_code == 409
    assert again.json()["code"] == "review_finalized"
    assert (await api.get(f"/v1/talent-reviews/{review}/placements/{person['nip']}")).json()["calibrated_box"] is None
