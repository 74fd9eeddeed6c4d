"""Successors and the succession overview end to end: the real registry's people, a completed review, the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI

from services.scoring import engine
from services.scoring.engine.arrow import inputs_from_arrow
from services.scoring.engine.codes import PREDIKAT
from services.scoring.jobs.compute import read_export
from tests.scoring.conftest import Api, agency_admin, employee, registry_export, worker_for

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"
AS_OF = dt.date(2026, 1, 2)  # the demo data's "today"


async def _completed_review(api: Api, app: FastAPI, agency: str = LB) -> str:
    review_id = str((await api.post("/v1/talent-reviews", json={"agency_id": agency, "period": 2025})).json()["id"])
    assert await worker_for(app, "w").run_once()
    assert (await api.get(f"/v1/talent-reviews/{review_id}")).json()["status"] == "completed"
    return review_id


async def _key_positions(registry: Api, agency_id: str) -> list[dict[str, Any]]:
    page = await registry.get("/v1/positions", params={"agency_id": agency_id, "is_key": "true", "limit": 500})
    return list(page.json()["items"])


async def _talent(api: Api, review_id: str, nips: list[str], policy: engine.Policy) -> engine.TalentColumns:
    """Talent columns built from the placements the API serves (calibrations applied)."""
    box, potential, py, py1 = [], [], [], []
    for nip in nips:
        answer = await api.get(f"/v1/talent-reviews/{review_id}/placements/{nip}")
        if answer.status_code == 404:
            box.append(0), potential.append(np.nan), py.append(-1), py1.append(-1)
            continue
        placement = answer.json()
        inputs = placement["explanation"]["inputs"]
        box.append(placement["effective_box"] or 0)
        potential.append(np.nan if placement["potential_score"] is None else placement["potential_score"])
        for target, key in ((py, "predikat_y"), (py1, "predikat_y1")):
            value = inputs[key]["value"]
            target.append(PREDIKAT.index(value) if value else -1)
    boxes = np.array(box, dtype=np.int8)
    return engine.TalentColumns(
        effective_box=boxes,
        potential_score=np.array(potential, dtype=float),
        predikat_y=np.array(py, dtype=np.int8),
        predikat_y1=np.array(py1, dtype=np.int8),
        in_talent_pool=np.isin(boxes, list(policy.talent_pool_boxes)),
    )


async def _expected(
    api: Api, registry: Api, review_id: str, position: dict[str, Any], limit: int | None = None
) -> engine.SuccessionResult:
    policy = engine.builtin_policy()
    levels = engine.feeder_levels(position["level"], policy)
    data = await registry_export(registry, position["agency_id"], as_of=AS_OF.isoformat(), levels=",".join(levels))
    inputs = inputs_from_arrow(read_export(data))
    talent = await _talent(api, review_id, inputs.nip.astype(str).tolist(), policy)
    target = engine.SuccessionTarget(position["level"], position["competency_standard"], position["min_rank"])
    return engine.successors(inputs, talent, target, policy, AS_OF, 2025, limit)


@pytest.fixture
async def lampung_barat(api: Api, scoring_app: FastAPI, registry: Api, agencies: dict[str, str]) -> dict[str, Any]:
    review_id = await _completed_review(api, scoring_app)
    positions = await _key_positions(registry, agencies[LB])
    return {"review_id": review_id, "positions": positions}


async def test_successors_match_the_engine_with_rules_exclusions_and_ranking(
    api: Api, registry: Api, lampung_barat: dict[str, Any]
) -> None:
    review_id = lampung_barat["review_id"]
    checked = shortlisted = 0
    rules_seen: set[str] = set()
    for position in lampung_barat["positions"]:
        if position["level"] not in ("jpt_pratama", "administrator"):
            continue
        answer = await api.get(
            f"/v1/positions/{position['id']}/successors",
            params={"include_excluded": "true", "as_of": AS_OF.isoformat(), "limit": 10},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["position_id"] == position["id"]
        assert body["as_of"] == AS_OF.isoformat()
        assert body["review_id"] == review_id
        expected = await _expected(api, registry, review_id, position, limit=10)
        got = [(c["rank"], c["nip"], c["score"], c["readiness"], c["box"]) for c in body["candidates"]]
        want = [(c["rank"], c["nip"], c["score"], c["readiness"], c["box"]) for c in expected.candidates]
        assert got == want
        assert [c["reasons"] for c in body["candidates"]] == [c["reasons"] for c in expected.candidates]
        scores = [c["score"] for c in body["candidates"]]
        assert scores == sorted(scores, reverse=True)
        assert all(c["box"] in (7, 8, 9) for c in body["candidates"])
        excluded = {e["nip"]: e["rules"] for e in body["excluded"]}
        assert excluded == {e["nip"]: e["rules"] for e in expected.excluded()}
        assert all(rules for rules in excluded.values())
        assert not set(excluded) & {c["nip"] for c in body["candidates"]}
        checked += 1 if body["candidates"] or excluded else 0
        shortlisted += len(body["candidates"])
        rules_seen.update(rule for rules in excluded.values() for rule in rules)
    assert checked >= 3
    assert shortlisted > 0
    assert {"talent_pool", "time_in_level", "performance"} <= rules_seen


async def test_default_limit_scope_and_calibration_effect(
    api: Api, registry: Api, lampung_barat: dict[str, Any], agencies: dict[str, str]
) -> None:
    review_id = lampung_barat["review_id"]
    found = None
    for position in lampung_barat["positions"]:
        body = (await api.get(f"/v1/positions/{position['id']}/successors", params={"as_of": AS_OF.isoformat()})).json()
        if body.get("candidates"):
            found = (position, body)
            break
    assert found is not None, "no key position with a successor in the demo data"
    position, body = found
    assert len(body["candidates"]) <= 3
    timing = (await api.get(f"/v1/positions/{position['id']}/successors")).headers["server-timing"]
    assert timing.startswith("registry;dur=")
    assert ", scoring;dur=" in timing
    assert "excluded" not in body
    top = body["candidates"][0]
    # Calibrating the top candidate out of the talent pool removes them, with the rule that excluded them.
    calibrated = await api.post(
        f"/v1/talent-reviews/{review_id}/placements/{top['nip']}/calibrations",
        json={"box": 5, "reason": "Rapat kalibrasi"},
    )
    assert calibrated.status_code == 201
    after = (
        await api.get(
            f"/v1/positions/{position['id']}/successors",
            params={"as_of": AS_OF.isoformat(), "include_excluded": "true"},
        )
    ).json()
    assert top["nip"] not in {c["nip"] for c in after["candidates"]}
    assert "talent_pool" in {e["nip"]: e["rules"] for e in after["excluded"]}[top["nip"]]
    stored = await api.get(f"/v1/succession-shortlists/{after['shortlist_id']}")
    assert stored.status_code == 200
    kept = stored.json()
    assert kept["as_of"] == AS_OF.isoformat()
    assert kept["review_id"] == review_id
    assert kept["excluded"] == after["excluded"]
    assert [c["nip"] for c in kept["candidates"]] == [c["nip"] for c in after["candidates"]]
    assert all(c["terms"] for c in kept["candidates"])
    assert kept["criteria"]["level"] == position["level"]
    assert after["shortlist_id"] != body["shortlist_id"]  # the calibration changed the result
    same = (await api.get(f"/v1/positions/{position['id']}/successors", params={"as_of": AS_OF.isoformat()})).json()
    assert (
        same["shortlist_id"]
        == (await api.get(f"/v1/positions/{position['id']}/successors", params={"as_of": AS_OF.isoformat()})).json()[
            "shortlist_id"
        ]
    )  # an identical result is stored once
    foreign = api.as_(agency_admin(agencies[TG]))
    assert (await foreign.get(f"/v1/succession-shortlists/{after['shortlist_id']}")).status_code == 404
    path = f"/v1/positions/{position['id']}/successors"
    assert (await api.as_(agency_admin(agencies[TG])).get(path)).status_code == 404
    assert (await api.as_(employee(agencies[LB], top["nip"])).get(path)).status_code == 403
    assert (await api.get(path, params={"as_of": "yesterday"})).status_code == 422
    assert (await api.get(path, params={"as_of": "0003-01-01"})).status_code == 422
    assert (await api.get(path, params={"as_of": "1000000000"})).status_code == 422  # not Unix time (2001-09-09)
    assert (await api.get("/v1/positions/no-such-position/successors")).status_code == 404


async def test_no_review_yet_is_a_conflict(api: Api, registry: Api, agencies: dict[str, str]) -> None:
    position = (await _key_positions(registry, agencies[TG]))[0]
    answer = await api.get(f"/v1/positions/{position['id']}/successors")
    assert answer.status_code == 409
    assert answer.json()["code"] == "no_review_for_succession"


async def test_succession_overview(
    api: Api, registry: Api, lampung_barat: dict[str, Any], agencies: dict[str, str]
) -> None:
    answer = await api.get(f"/v1/agencies/{LB}/succession-overview")
    assert answer.status_code == 200, answer.text
    overview = answer.json()
    assert overview["agency_id"] == agencies[LB]
    assert overview["review_id"] == lampung_barat["review_id"]
    by_id = {p["position_id"]: p for p in overview["positions"]}
    assert set(by_id) == {p["id"] for p in lampung_barat["positions"]}
    as_of = dt.date.fromisoformat(overview["as_of"])
    table = read_export(await registry_export(registry, agencies[LB], as_of=as_of.isoformat()))
    holders = dict(
        zip(
            table["position_id"].to_pylist(),
            zip(table["nip"].to_pylist(), table["retirement_date"].to_pylist(), strict=True),
            strict=False,
        )
    )
    flagged = 0
    for position in lampung_barat["positions"]:
        entry = by_id[position["id"]]
        holder = holders.get(position["id"])
        assert entry["incumbent_nip"] == (holder[0] if holder else None)
        if holder:
            assert entry["incumbent_retirement_date"] == holder[1].isoformat()
        counts = entry["successors"]
        assert entry["no_ready_successor"] == (counts is None or counts["ready_now"] == 0)
        flagged += entry["no_ready_successor"]
        if counts is not None and position["level"] in ("jpt_pratama", "administrator"):
            body = (
                await api.get(
                    f"/v1/positions/{position['id']}/successors",
                    params={"as_of": as_of.isoformat(), "limit": 500},
                )
            ).json()
            readiness = [c["readiness"] for c in body["candidates"]]
            assert counts == {
                key: readiness.count(key) for key in ("ready_now", "ready_1_2_years", "ready_3_plus_years")
            }
    assert overview["positions_without_ready_successor"] == flagged
    assert (await api.as_(agency_admin(agencies[TG])).get(f"/v1/agencies/{LB}/succession-overview")).status_code == 404


async def test_a_national_position_draws_on_every_agencys_finalized_review(
    api: Api, registry: Api, scoring_app: FastAPI, lampung_barat: dict[str, Any], agencies: dict[str, str]
) -> None:
    position = next(p for p in lampung_barat["positions"] if p["level"] == "jpt_pratama")
    url = f"/v1/positions/{position['id']}"

    async def set_national(value: bool) -> None:
        etag = (await registry.get(url)).headers["etag"]
        changed = await registry.patch(url, json={"national": value}, headers={"If-Match": etag})
        assert changed.status_code == 200, changed.text

    await set_national(True)
    try:
        path = f"{url}/successors"
        params = {"as_of": AS_OF.isoformat(), "include_excluded": "true", "limit": 500}
        before = await api.get(path, params=params)
        assert before.status_code == 409  # completed, but nothing finalized yet
        decree = {"decree_number": "800/9/SK/2026", "approved_by": "Sekda"}
        lb_review = lampung_barat["review_id"]
        assert (await api.post(f"/v1/talent-reviews/{lb_review}/finalize", json=decree)).status_code == 200
        tg_review = await _completed_review(api, scoring_app, TG)
        only_lb = (await api.get(path, params=params)).json()
        assert only_lb["review_ids"] == [lb_review]
        tg_people = {
            p["nip"]
            for p in (await api.get(f"/v1/talent-reviews/{tg_review}/placements", params={"limit": 500})).json()[
                "items"
            ]
        }
        excluded = {e["nip"]: e["rules"] for e in only_lb["excluded"]}
        assert tg_people & set(excluded)  # Tanggamus people are considered, but have no finalized talent yet
        assert all("talent_pool" in excluded[nip] for nip in tg_people & set(excluded))
        assert not tg_people & {c["nip"] for c in only_lb["candidates"]}
        assert (await api.post(f"/v1/talent-reviews/{tg_review}/finalize", json=decree)).status_code == 200
        both = (await api.get(path, params=params)).json()
        assert sorted(both["review_ids"]) == sorted([lb_review, tg_review])
        assert both["review_ids"][-1] == lb_review  # the position's own agency's review decides the policy
        everyone = {c["nip"] for c in both["candidates"]} | {e["nip"] for e in both["excluded"]}
        assert tg_people & everyone
        assert tg_people & {c["nip"] for c in both["candidates"]}  # their finalized talent now counts
    finally:
        await set_national(False)
