"""The load bench's users (tests/perf/bench_load.py runs this file with `locust --headless`).

Three kinds of user, by weight: people on the mobile app reading their own record and talent profile, system
clients (an agency's SIMPEG) paging through employees with the cursor, and admins reading employees and talent,
asking for successors, listing reviews and now and then starting one. Every user is a closed loop (no think
time): N users hold about N requests in flight, so a few dozen stand in for many thousand real, mostly idle ones.

TALENTA_LOAD_PLAN names a JSON file (written by bench_load.plan) that says where to send the requests:
- "target": "gateway": the public API (`/api/v1/...` on "urls"."gateway") with an access token of each kind's demo
  account ("tokens": by user kind, then "gateway");
- "target": "direct": the same operations straight to the service that serves them ("urls"."registry" or
  "scoring", `/v1/...`) with service tokens for the same principals ("tokens": by user kind, then by service).
And what to ask for: "nips" (a random sample), "employee_nip" (the mobile account's person), "positions" (key
positions), "agencies" (ids), "period", "review_interval_seconds" (each admin starts at most one review so often).
Operation names are the same for both targets, so that the bench can set each against its baseline.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import time
from typing import Any

from locust import FastHttpUser, constant, task

PLAN: dict[str, Any] = json.loads(pathlib.Path(os.environ["TALENTA_LOAD_PLAN"]).read_text(encoding="utf-8"))
GATEWAY = PLAN["target"] == "gateway"


class TalentaUser(FastHttpUser):
    """One principal: its token(s), and calls named by operation whatever the target."""

    abstract = True
    wait_time = constant(0)
    kind = ""
    host = PLAN["urls"]["gateway" if GATEWAY else "registry"]

    def on_start(self) -> None:
        """This kind's token(s): an access token of its demo account, or service tokens (one per service)."""
        self.headers = {
            service: {"Authorization": f"Bearer {token}"} for service, token in PLAN["tokens"][self.kind].items()
        }

    def call(self, name: str, service: str, path: str, method: str = "GET", **kwargs: Any) -> Any:
        """One operation: `path` is the internal one (`/v1/...`); the public API adds `/api`."""
        url = "/api" + path if GATEWAY else PLAN["urls"][service] + path
        headers = self.headers["gateway" if GATEWAY else service]
        return self.client.request(method, url, name=name, headers=headers, **kwargs)


class MobileUser(TalentaUser):
    """An employee on the mobile app: their own record and their talent profile."""

    weight = 6
    kind = "mobile"

    @task(3)
    def own_record(self) -> None:
        self.call("mobile: own employee", "registry", f"/v1/employees/{PLAN['employee_nip']}")

    @task(2)
    def own_talent(self) -> None:
        self.call("mobile: own talent", "scoring", f"/v1/employees/{PLAN['employee_nip']}/talent")


class SystemClient(TalentaUser):
    """An agency system (client credentials) reading every employee, a page at a time, then again."""

    weight = 2
    kind = "system"
    cursor: str | None = None

    @task
    def next_page(self) -> None:
        path = "/v1/employees?limit=100" + (f"&cursor={self.cursor}" if self.cursor else "")
        answer = self.call("system: employees page", "registry", path)
        self.cursor = answer.json().get("next_cursor") if answer.status_code == 200 else None


class Admin(TalentaUser):
    """A national admin: reads anyone, asks for successors, follows reviews, starts one now and then."""

    weight = 2
    kind = "admin"
    last_review = 0.0

    def on_start(self) -> None:
        """The first review falls anywhere in the first interval, so that the admins' reviews do not bunch up."""
        super().on_start()
        self.last_review = time.monotonic() - random.uniform(0, PLAN["review_interval_seconds"])

    @task(3)
    def employee(self) -> None:
        self.call("admin: employee", "registry", f"/v1/employees/{random.choice(PLAN['nips'])}")

    @task(2)
    def talent(self) -> None:
        self.call("admin: talent", "scoring", f"/v1/employees/{random.choice(PLAN['nips'])}/talent")

    @task(2)
    def successors(self) -> None:
        self.call("admin: successors", "scoring", f"/v1/positions/{random.choice(PLAN['positions'])}/successors")

    @task(1)
    def reviews(self) -> None:
        self.call("admin: reviews list", "scoring", f"/v1/talent-reviews?agency_id={random.choice(PLAN['agencies'])}")

    @task(1)
    def start_review(self) -> None:
        """At most one review per admin every review_interval_seconds (a review is long work for a worker)."""
        if time.monotonic() - self.last_review < PLAN["review_interval_seconds"]:
            self.successors()
            return
        self.last_review = time.monotonic()
        body = {"agency_id": random.choice(PLAN["agencies"]), "period": PLAN["period"]}
        self.call("admin: start review", "scoring", "/v1/talent-reviews", method="POST", json=body)
