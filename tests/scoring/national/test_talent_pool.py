"""The national talent pool: each agency's latest finalized review, filters, order, paging, scope, readiness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.scoring.engine.codes import PNS_RANKS
from tests.scoring.conftest import Api, agency_admin, employee
from tests.scoring.national.conftest import LB, TG, finalize, placements

AS_OF = dt.date(2026, 1, 2)  # the demo data's "today"


async def pool(api: Api, **params: Any) -> list[dict[str, Any]]:
    """Every page of the pool, following the cursors (small pages, so paging is exercised)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 37, **params} | ({"cursor": cursor} if cursor else {})
        answer = await api.get("/v1/talent-pool", params=query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def _order(item: dict[str, Any]) -> tuple[int, float, str]:
    return (item["box"], item["potential_score"], item["nip"])


async def test_pool_is_the_finalized_reviews_talent_calibrations_applied(
    api: Api, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    assert await pool(api) == []  # completed reviews are not enough: nothing is finalized yet
    lb = await placements(api, reviews[LB])
    boxed = [p for p in lb if p["effective_box"]]
    out = next(p for p in boxed if p["effective_box"] == 8)
    into = next(p for p in boxed if p["effective_box"] == 5)
    for person, box in ((out, 5), (into, 9)):
        path = f"/v1/talent-reviews/{reviews[LB]}/placements/{person['nip']}/calibrations"
        assert (await api.post(path, json={"box": box, "reason": "Rapat kalibrasi"})).status_code == 201
    await finalize(api, reviews[LB])
    only_lb = await pool(api)
    expected = {p["nip"] for p in boxed if p["effective_box"] in (7, 8, 9)} - {out["nip"]} | {into["nip"]}
    assert {item["nip"] for item in only_lb} == expected
    assert next(i for i in only_lb if i["nip"] == into["nip"])["box"] == 9
    assert next(i for i in only_lb if i["nip"] == into["nip"])["calibrated"] is True
    await finalize(api, reviews[TG])
    everyone = await pool(api)
    tg = await placements(api, reviews[TG])
    assert len(everyone) == len(expected) + sum(1 for p in tg if p["effective_box"] in (7, 8, 9))
    assert [_order(i) for i in everyone] == sorted((_order(i) for i in everyone), reverse=True)  # all descending
    assert {i["agency"]["code"] for i in everyone} == {LB, TG}
    assert all(i["agency"]["id"] == agencies[i["agency"]["code"]] for i in everyone)
    assert all(i["review_id"] == reviews[i["agency"]["code"]] for i in everyone)
    answer = (await api.get("/v1/talent-pool", params={"limit": 5})).json()
    assert sorted(answer["review_ids"]) == sorted(reviews.values())


async def test_filters_and_agency_isolation(api: Api, reviews: dict[str, str], agencies: dict[str, str]) -> None:
    for review in reviews.values():
        await finalize(api, review)
    everyone = await pool(api)
    nine = await pool(api, box=9)
    assert nine == [i for i in everyone if i["box"] == 9]
    admins = await pool(api, position_type="administrator")
    assert admins
    assert admins == [i for i in everyone if i["position_type"] == "administrator"]
    rank = next(i["rank"] for i in everyone if i["rank"] in PNS_RANKS)
    assert await pool(api, rank=rank) == [i for i in everyone if i["rank"] == rank]
    assert await pool(api, education_level="s2") == [i for i in everyone if i["education_level"] == "s2"]
    assert await pool(api, agency_id=TG) == [i for i in everyone if i["agency"]["code"] == TG]
    assert await pool(api, agency_id=agencies[LB]) == [i for i in everyone if i["agency"]["code"] == LB]
    assert await pool(api, region="lampung") == everyone  # both demo agencies are in Lampung
    assert await pool(api, region="Bengkulu") == []
    combined = await pool(api, box=8, agency_id=LB, position_type="pelaksana")
    wanted = (8, LB, "pelaksana")
    assert combined == [i for i in everyone if (i["box"], i["agency"]["code"], i["position_type"]) == wanted]
    # An agency principal sees its own agency through the same route, and nothing of another.
    tanggamus = api.as_(agency_admin(agencies[TG]))
    assert await pool(tanggamus) == [i for i in everyone if i["agency"]["code"] == TG]
    assert (await tanggamus.get("/v1/talent-pool", params={"agency_id": LB})).status_code == 404
    assert await pool(tanggamus, region="Lampung") == [i for i in everyone if i["agency"]["code"] == TG]
    person = everyone[0]
    assert (await api.as_(employee(agencies[LB], person["nip"])).get("/v1/talent-pool")).status_code == 403
    for bad in (
        {"box": 10},
        {"rank": "V/z"},
        {"position_type": "menteri"},
        {"education_level": "phd"},
        {"readiness": "ready_now"},  # without ready_for
        {"ready_for": "jpt_pratama", "readiness": "soon"},
        {"ready_for": "jpt_utama"},  # the built-in policies have no rule for it
        {"cursor": "WzEsMl0"},  # [1,2]: a cursor of another list
    ):
        answer = await api.get("/v1/talent-pool", params=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


async def test_readiness_matches_national_successors(
    api: Api, registry: Api, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    """Readiness for jpt_pratama = the engine's succession rules against the level's default standard: the same
    people and readiness as the successors of a national JPT Pratama position without a standard of its own."""
    for review in reviews.values():
        await finalize(api, review)
    units = (await registry.get(f"/v1/agencies/{LB}/units", params={"limit": 1})).json()["items"]
    body = {
        "agency_id": agencies[LB],
        "unit_id": units[0]["id"],
        "name": "Staf Ahli Bupati (uji kesiapan)",
        "position_type": "jpt_pratama",
        "national": True,
    }
    created = await registry.post("/v1/positions", json=body)
    assert created.status_code == 201, created.text
    position = created.json()
    assert position["competency_standard"] is None
    assert position["min_rank"] is None
    params = {"as_of": AS_OF.isoformat(), "limit": 500}
    successors = (await api.get(f"/v1/positions/{position['id']}/successors", params=params)).json()
    expected = {c["nip"]: (c["readiness"], c["agency_id"]) for c in successors["candidates"]}
    assert expected, "no eligible successor in the demo data"
    ready = await pool(api, ready_for="jpt_pratama", as_of=AS_OF.isoformat())
    assert {i["nip"]: (i["readiness"]["readiness"], i["agency"]["id"]) for i in ready} == expected
    assert all(i["readiness"]["level"] == "jpt_pratama" for i in ready)
    assert {i["position_type"] for i in ready} <= {"administrator", "fungsional"}
    by_readiness: dict[str, list[str]] = {}
    for level in ("ready_now", "ready_1_2_years", "ready_3_plus_years"):
        subset = await pool(api, ready_for="jpt_pratama", readiness=level, as_of=AS_OF.isoformat())
        assert all(i["readiness"]["readiness"] == level for i in subset)
        by_readiness[level] = [i["nip"] for i in subset]
    assert sorted(sum(by_readiness.values(), [])) == sorted(expected)
    tg_only = await pool(api.as_(agency_admin(agencies[TG])), ready_for="jpt_pratama", as_of=AS_OF.isoformat())
    assert {i["nip"] for i in tg_only} == {nip for nip, (_, agency) in expected.items() if agency == agencies[TG]}


async def test_as_of_is_an_iso_day_in_a_career(api: Api) -> None:
    # A number is not read as Unix time (`as_of=0` was 1 January 1970), nor is a day no one works on accepted.
    for as_of in ("0", "2025", "0003-01-01", "9999-12-31"):
        answer = await api.get("/v1/talent-pool", params={"as_of": as_of, "ready_for": "jpt_pratama"})
        assert (answer.status_code, answer.json()["errors"][0]["loc"]) == (422, ["query", "as_of"]), as_of
