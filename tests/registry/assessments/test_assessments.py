"""Competency assessments with JPM against the current position (own standard or the default table), potential."""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.conftest import Api, agency_admin
from tests.registry.factory import Org, make_employee, nip, ok

# The test standard names 5 competencies at level 4: a sum of 20.
FULL = {"integritas": 4, "kerja_sama": 4, "komunikasi": 4, "orientasi_pada_hasil": 4, "perekat_bangsa": 4}


async def assess(api: Api, person: str, levels: dict[str, int], on: str = "2025-03-01") -> Any:
    return await api.post(f"/v1/employees/{person}/competency-assessments", json={"assessed_on": on, "levels": levels})


@pytest.mark.parametrize(
    ("levels", "jpm", "band"),
    [
        (FULL, 100.0, "optimal"),
        ({**FULL, "integritas": 2}, 90.0, "optimal"),  # 18/20
        ({**FULL, "integritas": 1}, 85.0, "cukup_optimal"),  # 17/20
        ({**FULL, "integritas": 1, "kerja_sama": 2}, 75.0, "kurang_optimal"),  # 15/20
        (
            {**FULL, "integritas": 5, "kerja_sama": 5, "pelayanan_publik": 5},
            100.0,
            "optimal",
        ),  # capped; unnamed ignored
        (
            {"integritas": 4, "kerja_sama": 4, "komunikasi": 4, "orientasi_pada_hasil": 4},
            80.0,
            "cukup_optimal",
        ),  # one missing = 0
    ],
)
async def test_jpm_against_the_positions_own_standard(
    api: Api, org: Org, levels: dict[str, int], jpm: float, band: str
) -> None:
    person = (await make_employee(api, nip(), org.a["id"], position_id=org.jpt["id"]))["nip"]
    body = await ok(await assess(api, person, levels))
    assert (body["jpm"], body["jpm_band"], body["standard_source"]) == (jpm, band, "position")
    assert body["levels"] == levels
    assert body["standard"] == FULL
    assert body["position_id"] == org.jpt["id"]


async def test_position_without_standard_uses_the_default_table_with_a_warning(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"], position_id=org.admin["id"]))["nip"]  # administrator: 3
    levels = dict.fromkeys(FULL, 3) | {
        "pelayanan_publik": 3,
        "pengembangan_diri_dan_orang_lain": 2,
        "mengelola_perubahan": 3,
        "pengambilan_keputusan": 3,
    }
    body = await ok(await assess(api, person, levels))
    assert body["standard_source"] == "default"
    assert body["standard"] == dict.fromkeys(body["standard"], 3)
    assert len(body["standard"]) == 9
    assert (body["jpm"], body["jpm_band"]) == (96.3, "optimal")  # 26/27


async def test_jpm_follows_the_current_position_and_is_null_without_one(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    body = await ok(await assess(api, person, FULL))
    assert (body["jpm"], body["jpm_band"], body["standard_source"]) == (None, None, None)
    await ok(
        await api.patch(f"/v1/employees/{person}", json={"position_id": org.jpt["id"]}, headers={"If-Match": '"1"'}),
        200,
    )
    listed = await ok(await api.get(f"/v1/employees/{person}/competency-assessments"), 200)
    assert [(a["jpm"], a["standard_source"]) for a in listed["items"]] == [(100.0, "position")]


async def test_unknown_competency_and_bad_levels_are_422_naming_the_field(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    unknown = await assess(api, person, {"integritas": 3, "coding": 4})
    assert (unknown.status_code, unknown.json()["errors"][0]["loc"]) == (422, ["body", "levels", "coding"])
    too_high = await assess(api, person, {"integritas": 6})
    assert too_high.json()["errors"][0]["loc"] == ["body", "levels", "integritas"]
    empty = await assess(api, person, {})
    assert empty.json()["errors"][0]["loc"][:2] == ["body", "levels"]
    future = await assess(api, person, FULL, on="2999-01-01")
    assert future.json()["errors"][0]["loc"] == ["body", "assessed_on"]


ASPECTS = {
    "intellectual": 80,
    "interpersonal": 70,
    "self_awareness": 90,
    "critical_strategic_thinking": 85,
    "problem_solving": 75,
    "emotional_intelligence": 80,
    "growth_mindset": 95,
    "grit": 65,
}


@pytest.mark.parametrize(
    ("body", "status", "score"),
    [
        ({"score": 81.5}, 201, 81.5),
        ({"aspects": ASPECTS}, 201, 80.0),
        ({"score": 80.0, "aspects": ASPECTS}, 201, 80.0),
        ({"score": 82.0, "aspects": ASPECTS}, 422, None),
        ({}, 422, None),
        ({"score": 101}, 422, None),
        ({"aspects": {**ASPECTS, "grit": None}}, 422, None),
        ({"aspects": {k: v for k, v in ASPECTS.items() if k != "grit"}}, 422, None),
        ({"aspects": {**ASPECTS, "charisma": 50}}, 422, None),
    ],
)
async def test_potential_assessments(
    api: Api, org: Org, body: dict[str, Any], status: int, score: float | None
) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    response = await api.post(
        f"/v1/employees/{person}/potential-assessments", json={"assessed_on": "2025-02-01", **body}
    )
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["score"] == score
        assert response.json()["aspects"] == ({k: float(v) for k, v in ASPECTS.items()} if "aspects" in body else None)
    else:
        assert response.json()["errors"][0]["loc"][:2] in (["body", "score"], ["body", "aspects"])


async def test_assessment_lists_page_by_date(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    for on in ("2024-05-01", "2022-05-01", "2023-05-01"):
        await ok(await api.post(f"/v1/employees/{person}/potential-assessments", json={"assessed_on": on, "score": 70}))
    first = await ok(await api.get(f"/v1/employees/{person}/potential-assessments", params={"limit": 2}), 200)
    rest = await ok(
        await api.get(
            f"/v1/employees/{person}/potential-assessments", params={"limit": 2, "cursor": first["next_cursor"]}
        ),
        200,
    )
    assert [a["assessed_on"] for a in first["items"] + rest["items"]] == ["2022-05-01", "2023-05-01", "2024-05-01"]
    assert rest["next_cursor"] is None
    foreign = await api.get(
        f"/v1/employees/{person}/potential-assessments", params={"cursor": first["next_cursor"][:-2]}
    )
    assert foreign.status_code == 422


async def test_nobody_assesses_themselves(api: Api, org: Org) -> None:
    person = (await make_employee(api, nip(), org.a["id"]))["nip"]
    assessor = api.as_(agency_admin(org.a["id"]).model_copy(update={"nip": person, "roles": ("assessor",)}))
    competency = await assess(assessor, person, FULL)
    potential = await assessor.post(
        f"/v1/employees/{person}/potential-assessments", json={"assessed_on": "2025-01-01", "score": 90}
    )
    assert competency.json()["code"] == potential.json()["code"] == "self_assessment_forbidden"
