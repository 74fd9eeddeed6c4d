"""Lists: several stable pages, next_cursor null at the end, filters by agency, unit and q."""

from __future__ import annotations

from typing import Any

from tests.registry.conftest import Api
from tests.registry.factory import Org, make_employee, nip, ok


async def all_pages(api: Api, path: str, limit: int, **params: Any) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        query = {**params, "limit": limit} | ({"cursor": cursor} if cursor else {})
        page = await ok(await api.get(path, params=query), 200)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


async def test_employee_pages_are_stable_and_end_with_null_cursor(api: Api, org: Org) -> None:
    nips = [nip(seq=f"{i:03d}") for i in range(1, 12)]
    for n in reversed(nips):
        await make_employee(api, n, org.a["id"])
    pages = await all_pages(api, "/v1/employees", 4, agency_id=org.a["code"])
    assert [len(p) for p in pages] == [4, 4, 3]
    assert [e["nip"] for p in pages for e in p] == nips  # NIP order, no gaps, no repeats
    assert pages == await all_pages(api, "/v1/employees", 4, agency_id=org.a["code"])
    exact = await ok(await api.get("/v1/employees", params={"limit": 11, "agency_id": org.a["id"]}), 200)
    assert exact["next_cursor"] is None
    assert len(exact["items"]) == 11


async def test_bad_cursor_and_limit_are_422(api: Api, org: Org) -> None:
    for params in ({"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 501}):
        response = await api.get("/v1/employees", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


async def test_filters_unit_and_q(api: Api, org: Org) -> None:
    await make_employee(api, nip(seq="001"), org.a["id"], name="Siti Rahmawati", position_id=org.admin["id"])
    await make_employee(api, nip(seq="002"), org.a["id"], name="Budi Santoso", position_id=org.jpt["id"])
    await make_employee(api, nip("19900101", "201501", "1", "003"), org.a["id"], name="Rahmat 100% Hidayat")
    await make_employee(api, nip(seq="004"), org.b["id"], name="Siti Nurhaliza")

    async def nips(**params: Any) -> list[str]:
        return [e["nip"][-3:] for e in (await ok(await api.get("/v1/employees", params=params), 200))["items"]]

    assert await nips(unit_id=org.dinas["id"]) == ["001"]
    assert await nips(q="siti") == ["001", "004"]
    assert await nips(q="siti", agency_id=org.b["id"]) == ["004"]
    assert await nips(q="rahma") == ["001", "003"]
    assert await nips(q="19900101") == ["003"]
    assert await nips(q="198609262015051") == ["001", "002", "004"]
    assert await nips(q="100%") == ["003"]  # % is literal, not a wildcard
    assert await nips(q="_") == []
    assert (await api.get("/v1/employees", params={"agency_id": "no-such-agency"})).status_code == 404


async def test_units_and_positions_lists_page_and_filter(api: Api, org: Org) -> None:
    units = await all_pages(api, f"/v1/agencies/{org.a['code']}/units", 1)
    assert [len(p) for p in units] == [1, 1]
    assert {u["id"] for p in units for u in p} == {
        org.setda["id"],
        org.dinas["id"],
    }
    child = await ok(
        await api.post(f"/v1/agencies/{org.a['id']}/units", json={"name": "Bagian Umum", "parent_id": org.setda["id"]})
    )
    children = await ok(await api.get(f"/v1/agencies/{org.a['id']}/units", params={"parent_id": org.setda["id"]}), 200)
    assert [u["id"] for u in children["items"]] == [child["id"]]
    positions = await all_pages(api, "/v1/positions", 2, agency_id=org.a["id"])
    assert [len(p) for p in positions] == [2, 2, 1]
    keys = await ok(await api.get("/v1/positions", params={"is_key": "true"}), 200)
    assert [p["id"] for p in keys["items"]] == [org.jpt["id"]]
    in_dinas = await ok(await api.get("/v1/positions", params={"unit_id": org.dinas["id"], "is_key": "false"}), 200)
    assert len(in_dinas["items"]) == 4
    agencies = await all_pages(api, "/v1/agencies", 1)
    assert [len(p) for p in agencies] == [1, 1]
