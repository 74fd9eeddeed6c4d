"""`employee.changed` through the outbox: every write emits it in its own transaction (API, imports), a rolled-back
write emits nothing, and the feed serves events in commit order, paged, within the caller's agency."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from services.registry.employees.models import Employee
from tests.registry.conftest import Api, agency_admin, count_rows, employee_principal, migrated_database
from tests.registry.factory import Org, make_agency, make_employee, nip, ok
from tests.registry.imports.conftest import bulk_settings, running_app
from tests.registry.imports.test_examples import import_examples


async def _feed(api: Api, **params: Any) -> dict[str, Any]:
    return await ok(await api.get("/v1/events", params=params), 200)


async def _all(api: Api, after: int = 0, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await _feed(api, after=after, limit=2, **params)
        items += page["items"]
        if not page["has_more"]:
            assert page["next_after"] == (items[-1]["position"] if items else after)
            return items
        after = page["next_after"]


async def test_api_writes_emit_employee_changed(api: Api, org: Org) -> None:
    a, b = org.a["id"], org.b["id"]
    person, other = nip(seq="101"), nip(seq="102")
    await make_employee(api, person, a)
    await make_employee(api, other, b)
    await ok(await api.patch(f"/v1/employees/{person}", json={"name": "Nama Baru"}, headers={"If-Match": "*"}), 200)
    body = {
        "agency_id": b,
        "unit_id": org.b_unit["id"],
        "position_id": org.b_position["id"],
        "effective_on": "2026-01-02",
    }
    await ok(await api.post(f"/v1/employees/{person}/transfers", json=body))
    assert (await api.delete(f"/v1/employees/{other}", headers={"If-Match": "*"})).status_code == 204
    events = await _all(api)
    seen = [(e["data"]["nip"], e["data"]["change"], e["agency_id"]) for e in events]
    assert seen[:3] == [(person, "created", a), (other, "created", b), (person, "updated", a)]
    assert sorted(seen[3:5]) == sorted([(person, "transferred_in", b), (person, "transferred_out", a)])
    assert seen[5:] == [(other, "deleted", b)]
    assert all(e["type"] == "employee.changed" and e["source"] == "registry" for e in events)
    assert events[0]["subject"] == f"employees/{person}"
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    assert len({e["id"] for e in events}) == len(events)
    assert set(events[0]["data"]) == {"nip", "change", "version"}  # identifiers only: no name, no e-mail
    # Scope: an agency sees its own events (the transfer out of it included); employees read no feed.
    own = await _all(api.as_(agency_admin(a)))
    assert {(e["data"]["nip"], e["data"]["change"]) for e in own} == {
        (person, "created"),
        (person, "updated"),
        (person, "transferred_out"),
    }
    assert (await api.as_(employee_principal(a, person)).get("/v1/events")).status_code == 403
    assert await _all(api, types="review.finalized") == []
    assert (await api.get("/v1/events", params={"types": "DROP TABLE"})).status_code == 422
    assert (await api.get("/v1/events", params={"after": -1})).status_code == 422
    latest = events[-1]["position"]
    assert (await _feed(api, after=latest)) == {"items": [], "next_after": latest, "has_more": False}


async def test_a_rolled_back_write_emits_nothing(app: FastAPI, db: AsyncConnection, org: Org) -> None:
    before = await count_rows(db, "outbox_events")
    values = {
        "nip": nip(seq="201"),
        "name": "Batal",
        "employment_type": "pns",
        "agency_id": org.a["id"],
        "birth_date": dt.date(1986, 9, 26),
        "gender": "male",
        "retirement_date": dt.date(2044, 10, 1),
    }
    async with app.state.sessionmaker() as session:
        session.add(Employee(**values))
        await session.flush()
        assert await count_rows(await session.connection(), "outbox_events") == before + 1  # written with it
        await session.rollback()
    assert await count_rows(db, "outbox_events") == before
    async with app.state.sessionmaker() as session:
        session.add(Employee(**values))
        await session.commit()
    assert await count_rows(db, "outbox_events") == before + 1


@pytest.fixture(scope="module")
async def committed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[str, Api]]:
    url = await migrated_database("talenta_test_national_registry_events")
    async for _, api in running_app(bulk_settings(url, tmp_path_factory.mktemp("imports"))):
        yield url, api


async def test_imports_emit_one_event_per_person_written(committed: tuple[str, Api]) -> None:
    _, api = committed
    await make_agency(api, "pemkab-contoh")
    start = (await _feed(api, after=0, limit=1000))["next_after"]
    await import_examples(api, "pemkab-contoh")
    events = await _all(api, after=start)
    changes = [(e["data"]["nip"], e["data"]["change"]) for e in events]
    # employees.csv creates six people; employees.ndjson promotes Siti and leaves Rina unchanged (no event).
    assert len([c for c in changes if c[1] == "created"]) == 6
    assert ("199203152019032004", "updated") in changes
    assert ("198005122005012002", "updated") not in changes


async def test_feed_order_is_commit_order(committed: tuple[str, Api]) -> None:
    """An event committed after a later-started one's is served after it, never skipped by a reader."""
    url, api = committed
    agency = await make_agency(api, "pemkab-urutan")
    after = (await _feed(api, after=0, limit=1000))["next_after"]
    while (page := await _feed(api, after=after, limit=1000))["items"]:
        after = page["next_after"]
    engine = create_async_engine(url)
    insert = text(
        "INSERT INTO employees (nip, name, employment_type, agency_id, birth_date, gender, retirement_date, source,"
        " created_at, created_by, updated_at, updated_by, version) VALUES (:nip, 'X', 'pns', :agency, '1986-09-26',"
        " 'male', '2044-10-01', 'manual', now(), 't', now(), 't', 1)"
    )
    try:
        async with engine.connect() as slow, engine.connect() as fast:
            await slow.begin()
            await slow.execute(insert, {"nip": nip(seq="301"), "agency": agency["id"]})  # written first, not committed
            await fast.begin()
            await fast.execute(insert, {"nip": nip(seq="302"), "agency": agency["id"]})
            await fast.commit()
            first = await _feed(api, after=after)
            assert [e["data"]["nip"] for e in first["items"]] == [nip(seq="302")]
            await slow.commit()
        second = await _feed(api, after=first["next_after"])
        assert [e["data"]["nip"] for e in second["items"]] == [nip(seq="301")]
        assert second["items"][0]["position"] > first["items"][0]["position"]
    finally:
        await engine.dispose()


async def test_concurrent_readers_sequence_each_event_once(committed: tuple[str, Api]) -> None:
    _, api = committed
    agency = await make_agency(api, "pemkab-serentak")
    before = (await _feed(api, after=0, limit=1000))["next_after"]
    for seq in range(5):
        await make_employee(api, nip(seq=f"4{seq:02d}"), agency["id"])
    pages = await asyncio.gather(*(_feed(api, after=before, limit=1000) for _ in range(8)))
    positions = [[e["position"] for e in page["items"]] for page in pages]
    assert all(p == positions[0] for p in positions)
    assert positions[0] == list(range(before + 1, before + 6))
