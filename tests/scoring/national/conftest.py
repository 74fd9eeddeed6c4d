"""National-view fixtures: completed (and, when asked, finalized) reviews of both demo agencies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.scoring.conftest import Api, worker_for

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"
DECREE = {"decree_number": "800/9/SK/2026", "approved_by": "Sekretaris Daerah"}


async def completed_review(api: Api, app: FastAPI, agency: str, period: int = 2025) -> str:
    """A review of `agency` run to completion by a worker."""
    answer = await api.post("/v1/talent-reviews", json={"agency_id": agency, "period": period})
    assert answer.status_code == 202, answer.text
    assert await worker_for(app, "w").run_once()
    review = (await api.get(f"/v1/talent-reviews/{answer.json()['id']}")).json()
    assert review["status"] == "completed", review
    return str(review["id"])


async def finalize(api: Api, review_id: str) -> None:
    answer = await api.post(f"/v1/talent-reviews/{review_id}/finalize", json=DECREE)
    assert answer.status_code == 200, answer.text


async def placements(api: Api, review_id: str) -> list[dict[str, Any]]:
    """Every placement of a review."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"/v1/talent-reviews/{review_id}/placements", params=params)).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


@pytest.fixture
async def reviews(api: Api, scoring_app: FastAPI) -> dict[str, str]:
    """Agency code -> its completed review of 2025 (not finalized)."""
    return {agency: await completed_review(api, scoring_app, agency) for agency in (LB, TG)}
