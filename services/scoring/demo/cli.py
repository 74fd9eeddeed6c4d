"""`python -m services.scoring.demo --scoring-url URL`: the demo's reviews, through the scoring API.

On a fresh demo it starts a review of period 2025 for each demo agency, waits until they complete, and
finalizes the one of pemkab-lampung-barat (so national views have data). On later starts it does only what
is still missing: a completed review is kept, a queued or running one is waited for, a finalized one stays.
It signs its calls with SCORING_SERVICE_TOKEN_SECRET as a national service identity.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import httpx

from services.common.service_token import CallerIdentity, mint_service_token
from services.scoring.settings import get_settings

AGENCIES = ("pemkab-lampung-barat", "pemkab-tanggamus")
FINALIZE = {"pemkab-lampung-barat": {"decree_number": "800/001/SK/2026", "approved_by": "Tim Penilai Kinerja PNS"}}
IDENTITY = CallerIdentity(service="scoring-demo", subject="service:scoring-demo", roles=("service",))


class DemoClient:
    """The scoring API, called with a freshly minted national service token."""

    def __init__(
        self, base_url: str, secret: str, transport: httpx.BaseTransport | None = None, patience: float = 60.0
    ) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, transport=transport)
        self.secret = secret
        self.patience = patience

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """One call, retried after a 503 as its Retry-After says (for up to `patience` s); raises on a 5xx.

        On SQLite a write can meet a review's worker committing and get a 503 "retry shortly"; the review's POST
        carries an Idempotency-Key, so trying again is safe."""
        deadline = time.monotonic() + self.patience
        while True:
            token = mint_service_token(self.secret, "scoring-demo", "scoring", IDENTITY)
            response = self.http.request(method, path, headers={"Authorization": f"Bearer {token}", **(headers or {})},
                                         **kwargs)  # fmt: skip
            pause = min(float(response.headers.get("retry-after", "1") or 1), 5.0)
            if response.status_code != 503 or time.monotonic() + pause > deadline:
                break
            time.sleep(pause)
        if response.status_code >= 500:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def reviews(self, agency: str, period: int) -> list[dict[str, Any]]:
        """The agency's reviews of the period, newest first."""
        answer = self.call("GET", "/v1/talent-reviews", params={"agency_id": agency, "limit": 500})
        if answer.status_code == 404:
            return []
        answer.raise_for_status()
        return [item for item in answer.json()["items"] if item["period"] == period]


def ensure_review(client: DemoClient, agency: str, period: int) -> str | None:
    """The id of the agency's completed (or pending) review of the period, starting one when there is none."""
    reviews = client.reviews(agency, period)
    for wanted in ("completed", "running", "queued"):
        for review in reviews:
            if review["status"] == wanted:
                return str(review["id"])
    answer = client.call(
        "POST",
        "/v1/talent-reviews",
        json={"agency_id": agency, "period": period},
        headers={"Idempotency-Key": f"demo-review-{agency}-{period}-{len(reviews)}"},
    )
    if answer.status_code == 422:
        print(f"  {agency}: not in the registry, no demo review ({answer.json().get('detail')})")
        return None
    answer.raise_for_status()
    print(f"  {agency}: review {answer.json()['id']} started")
    return str(answer.json()["id"])


def wait(client: DemoClient, review_id: str, deadline: float) -> dict[str, Any]:
    """Poll a review until it completes or fails; raise past the deadline."""
    while True:
        review: dict[str, Any] = client.call("GET", f"/v1/talent-reviews/{review_id}").json()
        if review["status"] in ("completed", "failed"):
            return review
        if time.monotonic() > deadline:
            raise RuntimeError(f"review {review_id} still {review['status']} (progress {review['progress']:.0%})")
        time.sleep(0.5)


def finalize(client: DemoClient, agency: str, review: dict[str, Any], period: int) -> None:
    """Finalize the review unless the agency already has a finalized one for the period."""
    if any(r["finalized"] for r in client.reviews(agency, period)):
        return
    answer = client.call("POST", f"/v1/talent-reviews/{review['id']}/finalize", json=FINALIZE[agency])
    answer.raise_for_status()
    print(f"  {agency}: review {review['id']} finalized (SK {FINALIZE[agency]['decree_number']})")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="python -m services.scoring.demo")
    parser.add_argument("--scoring-url", required=True, help="the scoring service, e.g. http://127.0.0.1:8001")
    parser.add_argument("--period", type=int, default=2025)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the reviews")
    args = parser.parse_args(argv)
    client = DemoClient(args.scoring_url, get_settings().service_token_secret.get_secret_value())
    deadline = time.monotonic() + args.timeout
    started = {agency: ensure_review(client, agency, args.period) for agency in AGENCIES}
    for agency, review_id in started.items():
        if review_id is None:
            continue
        review = wait(client, review_id, deadline)
        if review["status"] == "failed":
            print(f"  {agency}: review {review_id} failed: {review['error']}", file=sys.stderr)
            return 1
        summary = review["summary"] or {}
        print(
            f"  {agency}: review {review_id} completed: {summary.get('total')} people, "
            f"{summary.get('talent_pool')} in the talent pool, {summary.get('incomplete')} incomplete"
        )
        if agency in FINALIZE:
            finalize(client, agency, review, args.period)
    return 0


if __name__ == "__main__":
    sys.exit(main())
