"""Scoring's outbox: review.completed, review.finalized, placement.calibrated and succession.changed, each committed
with its change (a refused or rolled-back change emits nothing), served as a feed within the caller's agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from tests.scoring.conftest import Api, agency_admin, employee
from tests.scoring.national.conftest import LB, TG, finalize

AS_OF = dt.date(2026, 1, 2)


async def feed(api: Api, after: int = 0, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        answer = await api.get("/v1/events", params={"after": after, "limit": 3, **params})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        after = page["next_after"]
        if not page["has_more"]:
            return items


async def test_changes_emit_their_events_in_commit_order(
    api: Api, registry: Api, scoring_app: FastAPI, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    events = await feed(api)
    completed = [(e["type"], e["data"]["review_id"], e["agency_id"]) for e in events]
    assert completed == [
        ("review.completed", reviews[LB], agencies[LB]),
        ("review.completed", reviews[TG], agencies[TG]),
    ]
    last = events[-1]["position"]
    placement = (await api.get(f"/v1/talent-reviews/{reviews[LB]}/placements", params={"box": 5, "limit": 1})).json()
    nip = placement["items"][0]["nip"]
    path = f"/v1/talent-reviews/{reviews[LB]}/placements/{nip}/calibrations"
    assert (await api.post(path, json={"box": 9, "reason": "Rapat kalibrasi"})).status_code == 201
    await finalize(api, reviews[LB])
    refused = await api.post(path, json={"box": 8, "reason": "Terlambat"})  # finalized: 409, nothing emitted
    assert refused.status_code == 409
    newer = await feed(api, after=last)
    assert [(e["type"], e["subject"]) for e in newer] == [
        ("placement.calibrated", f"talent-reviews/{reviews[LB]}/placements/{nip}"),
        ("review.finalized", f"talent-reviews/{reviews[LB]}"),
    ]
    assert newer[0]["data"]["nip"] == nip
    assert "box" not in newer[0]["data"]
    assert newer[1]["data"]["decree_number"] == "800/9/SK/2026"
    # Scope: Tanggamus sees its own events only; an employee account reads no feed.
    assert {e["agency_id"] for e in await feed(api.as_(agency_admin(agencies[TG])))} == {agencies[TG]}
    assert (await api.as_(employee(agencies[LB], nip)).get("/v1/events")).status_code == 403
    assert await feed(api, types="employee.changed") == []
    assert len(await feed(api, types="review.completed,review.finalized")) == 3


async def test_succession_changed_only_when_the_shortlist_changes(
    api: Api, registry: Api, reviews: dict[str, str], agencies: dict[str, str]
) -> None:
    positions = (await registry.get("/v1/positions", params={"agency_id": LB, "is_key": "true", "limit": 500})).json()
    position = next(p for p in positions["items"] if p["level"] == "administrator")
    path = f"/v1/positions/{position['id']}/successors"
    first = (await api.get(path, params={"as_of": AS_OF.isoformat()})).json()
    changed = await feed(api, types="succession.changed")
    assert [e["data"]["shortlist_id"] for e in changed] == [first["shortlist_id"]]
    assert changed[0]["data"]["previous_shortlist_id"] is None
    assert changed[0]["agency_id"] == agencies[LB]
    await api.get(path, params={"as_of": AS_OF.isoformat()})  # the same shortlist again: no event
    assert len(await feed(api, types="succession.changed")) == 1
    if first["candidates"]:
        top = first["candidates"][0]["nip"]
        calibrations = f"/v1/talent-reviews/{reviews[LB]}/placements/{top}/calibrations"
        assert (await api.post(calibrations, json={"box": 4, "reason": "Rapat kalibrasi"})).status_code == 201
        second = (await api.get(path, params={"as_of": AS_OF.isoformat()})).json()
        changed = await feed(api, types="succession.changed")
        assert [e["data"]["shortlist_id"] for e in changed] == [first["shortlist_id"], second["shortlist_id"]]
        assert changed[1]["data"]["previous_shortlist_id"] == first["shortlist_id"]


async def test_a_rolled_back_change_emits_nothing(api: Api, scoring_app: FastAPI, reviews: dict[str, str]) -> None:
    from services.scoring.access import Access
    from services.scoring.reviews.schemas import FinalizeRequest
    from services.scoring.reviews.service import finalize_review
    from tests.scoring.conftest import NATIONAL

    before = len(await feed(api))
    maker = scoring_app.state.sessionmaker
    decree = FinalizeRequest(decree_number="800/1/SK/2026", approved_by="Sekda")
    async with maker() as session:
        await finalize_review(session, Access(NATIONAL, None), reviews[TG], decree)
        pending = (await session.execute(text("SELECT count(*) FROM outbox_events"))).scalar_one()
        assert pending == before + 1  # written in the finalizing transaction ...
        await session.rollback()  # ... and gone with it
    assert len(await feed(api)) == before
    assert (await api.get(f"/v1/talent-reviews/{reviews[TG]}")).json()["finalized"] is False
