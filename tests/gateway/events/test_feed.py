"""`GET /api/v1/events`: both services' events merged in one cursor-paged feed, filtered to what the caller sees."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.gateway.events.conftest import Stack

NIPS = ("198609262015051001", "199001012015011002", "198501012010011003")


async def created(stack: Stack, headers: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await stack.client.post(path, json=body, headers=headers)
    assert answer.status_code in (201, 202), answer.text
    return dict(answer.json())


async def feed(stack: Stack, headers: dict[str, str], after: str | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every page after `after`, two at a time."""
    items: list[dict[str, Any]] = []
    while True:
        query = {"limit": 2, **params} | ({"after": after} if after else {})
        answer = await stack.client.get("/api/v1/events", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        after = page["next_after"]
        if not page["has_more"]:
            return items


async def test_feed_merges_services_pages_and_filters(stack: Stack) -> None:
    national = await stack.token(["national_admin"])
    a = await created(stack, national, "/api/v1/agencies", {"code": "pemkab-feed-a", "name": "A", "region": "Lampung"})
    b = await created(stack, national, "/api/v1/agencies", {"code": "pemkab-feed-b", "name": "B"})
    for nip, agency in zip(NIPS, (a, a, b), strict=True):
        body = {"nip": nip, "name": "Pegawai Uji", "employment_type": "pns", "agency_id": agency["id"]}
        await created(stack, national, "/api/v1/employees", body)
    review = await created(stack, national, "/api/v1/talent-reviews", {"agency_id": a["id"], "period": 2025})
    for _ in range(200):
        state = (await stack.client.get(f"/api/v1/talent-reviews/{review['id']}", headers=national)).json()
        if state["status"] == "completed":
            break
        await asyncio.sleep(0.05)
    assert state["status"] == "completed", state
    everything = await feed(stack, national)
    mine = [e for e in everything if e["agency_id"] in (a["id"], b["id"])]
    assert [(e["type"], e["data"].get("nip")) for e in mine] == [
        ("employee.changed", NIPS[0]),
        ("employee.changed", NIPS[1]),
        ("employee.changed", NIPS[2]),
        ("review.completed", None),
    ]
    assert [e["source"] for e in mine] == ["registry"] * 3 + ["scoring"]
    assert mine[-1]["data"]["review_id"] == review["id"]
    assert len({e["id"] for e in everything}) == len(everything)
    times = [e["occurred_at"] for e in everything]
    assert times == sorted(times)
    # Continuing from the last cursor: nothing new, the same cursor back.
    last = await stack.client.get("/api/v1/events", params={"limit": 500}, headers=national)
    again = await stack.client.get("/api/v1/events", params={"after": last.json()["next_after"]}, headers=national)
    assert again.json() == {"items": [], "next_after": last.json()["next_after"], "has_more": False}
    # Agency scope, per-type permissions and filters.
    admin_a = await stack.token(["agency_admin"], agency_id=a["id"])
    assert {e["agency_id"] for e in await feed(stack, admin_a)} == {a["id"]}
    viewer_b = await stack.token(["viewer"], agency_id=b["id"])
    assert [e["data"]["nip"] for e in await feed(stack, viewer_b)] == [NIPS[2]]
    only_reviews = await feed(stack, national, types="review.completed")
    assert {e["type"] for e in only_reviews} == {"review.completed"}
    employee = await stack.token(["employee"], agency_id=a["id"], nip=NIPS[0])
    assert (await stack.client.get("/api/v1/events", headers=employee)).status_code == 403
    for bad in ({"after": "bm90LWEtY3Vyc29y"}, {"types": "employee.deleted"}, {"limit": 0}):
        answer = await stack.client.get("/api/v1/events", params=bad, headers=national)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"] == "application/problem+json"
    # Reading events that name people is audited like any read of their data.
    audit = await stack.client.get("/api/v1/audit-events", params={"nip": NIPS[2]}, headers=national)
    assert "events.read" in {e["action"] for e in audit.json()["items"]}
