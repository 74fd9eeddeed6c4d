"""Concurrency, proven with real processes: many clients changing one person with If-Match lose no update, and
imports and reviews run side by side (same agency, other agencies) without deadlock or partial results.

The stack runs on `talenta_proof_conc_*` databases of its own.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import LAMPUNG_BARAT, TANGGAMUS, Api, ok, problem
from tests.proof.running import proof_stack, query, signed_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
TAG = "conc"
ADMINS = {LAMPUNG_BARAT: "lampungbarat.admin", TANGGAMUS: "tanggamus.admin"}
CLIENTS, ROUNDS = 24, 3
JOB_SECONDS = 120  # every import and review ends by then, or something is stuck
CONC_ENV = {"REGISTRY_IMPORT_CONCURRENCY": "8"}  # every file of the test at once, not two at a time


@pytest.fixture(scope="module")
def conc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product on the concurrency proof's own databases, with two review workers."""
    yield from proof_stack(TAG, tmp_path_factory, agencies=2, people_per_agency=60, env=CONC_ENV)


@pytest.fixture(scope="module")
async def conc_api(conc: Stack) -> AsyncIterator[Api]:
    """The gateway's public API, both agency admins signed in."""
    async with signed_in(conc, *ADMINS.values()) as client:
        yield client


async def agency_nips(api: Api, agency: str, limit: int = 50) -> list[str]:
    """The first NIPs of an agency, in NIP order."""
    people = ok(await api.get(ADMINS[agency], "/api/v1/employees", params={"agency_id": agency, "limit": limit}))
    return [person["nip"] for person in people["items"]]


def version(etag: str) -> int:
    """The version a strong ETag names (`"7"` -> 7)."""
    return int(etag.strip('"'))


@dataclass
class Attempt:
    """One read-then-PATCH: the version it read, the e-mail it set, and what it was answered."""

    read: int
    email: str
    status: int
    written: int | None  # the version the change made, for a success


async def read_then_patch(api: Api, path: str, client: int, round_: int) -> Attempt:
    """GET the person, then PATCH a distinct e-mail with the ETag just read, as an editing screen does."""
    admin = ADMINS[LAMPUNG_BARAT]
    etag = ok_etag(await api.get(admin, path))
    email = f"c{client}.r{round_}@lampungbaratkab.go.id"
    answer = await api.patch(admin, path, json={"email": email}, headers={"If-Match": etag})
    if answer.status_code == 412:
        problem(answer, 412, "etag_mismatch")
        return Attempt(version(etag), email, 412, None)
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == email
    return Attempt(version(etag), email, 200, version(answer.headers["etag"]))


def ok_etag(answer: httpx.Response) -> str:
    """The ETag of a 200 answer."""
    ok(answer)
    return answer.headers["etag"]


async def editor(api: Api, path: str, client: int) -> list[Attempt]:
    """One client's rounds of read-then-PATCH."""
    return [await read_then_patch(api, path, client, round_) for round_ in range(ROUNDS)]


async def test_many_clients_patching_one_person_with_if_match_lose_no_update(conc: Stack, conc_api: Api) -> None:
    nip = (await agency_nips(conc_api, LAMPUNG_BARAT))[0]
    path = f"/api/v1/employees/{nip}"
    initial = version(ok_etag(await conc_api.get(ADMINS[LAMPUNG_BARAT], path)))
    rounds = await asyncio.gather(*(editor(conc_api, path, client) for client in range(CLIENTS)))
    attempts = [attempt for client in rounds for attempt in client]
    successes = sorted((a for a in attempts if a.status == 200), key=lambda a: a.read)
    # Each success changed exactly the version it read, and no two changed the same one: no update was lost.
    assert [(a.read, a.written) for a in successes] == [(initial + i, initial + i + 1) for i in range(len(successes))]
    consumed = {a.read for a in successes}
    # A 412 is only for a version somebody else had already changed, never a spurious refusal.
    assert all(a.read in consumed for a in attempts if a.status == 412)
    assert Counter(a.status for a in attempts)[412] > 0  # the clients really raced
    final = await conc_api.get(ADMINS[LAMPUNG_BARAT], path)
    assert version(ok_etag(final)) == initial + len(successes)
    assert final.json()["email"] == successes[-1].email  # the last change is the one that stands
    stored = await query(conc, "registry", "SELECT version, email FROM employees WHERE nip = $1", nip)
    assert (stored[0]["version"], stored[0]["email"]) == (initial + len(successes), successes[-1].email)


def csv(header: str, rows: list[str]) -> bytes:
    """A CSV file's bytes."""
    return ("\n".join([header, *rows]) + "\n").encode()


async def start_import(api: Api, agency: str, kind: str, content: bytes) -> str:
    """An atomic import through the gateway; its id."""
    answer = await api.post(
        ADMINS[agency],
        "/api/v1/imports",
        data={"kind": kind, "agency_id": agency, "mode": "atomic"},
        files={"file": (f"{kind}.csv", content, "text/csv")},
    )
    return str(ok(answer, 202)["id"])


async def start_review(api: Api, agency: str, policy: str) -> str:
    """A review through the gateway; its id."""
    body = {"agency_id": agency, "period": 2025, "policy_id": policy}
    return str(ok(await api.post(ADMINS[agency], "/api/v1/talent-reviews", json=body), 202)["id"])


def ratings(nips: list[str], work_result: str) -> bytes:
    """2024 ratings for `nips`, in the order given."""
    return csv("nip,year,work_result,work_behavior", [f"{nip},2024,{work_result},meets" for nip in nips])


def phones(nips: list[str], prefix: str) -> bytes:
    """New phone numbers for `nips`, in the order given."""
    return csv("nip,phone", [f"{nip},{prefix}{index:06d}" for index, nip in enumerate(nips)])


def awards(nips: list[str], name: str, bad_row: bool = False) -> bytes:
    """An award for each of `nips`; with `bad_row`, the last row names an unknown level (the file is refused)."""
    rows = [f"{nip},2025-08-17,{name},agency" for nip in nips]
    if bad_row:
        rows[-1] = rows[-1].replace(",agency", ",galactic")
    return csv("nip,awarded_on,name,level", rows)


async def test_imports_and_reviews_in_parallel_neither_deadlock_nor_leave_partial_results(
    conc: Stack, conc_api: Api
) -> None:
    west, tanggamus = await agency_nips(conc_api, LAMPUNG_BARAT), await agency_nips(conc_api, TANGGAMUS)
    # Two files over the same people in opposite orders: row locks taken in file order would deadlock.
    imports = {
        "west ratings up": (LAMPUNG_BARAT, "performance-ratings", ratings(west, "above")),
        "west ratings down": (LAMPUNG_BARAT, "performance-ratings", ratings(west[::-1], "below")),
        "west phones up": (LAMPUNG_BARAT, "employees", phones(west, "0811")),
        "west phones down": (LAMPUNG_BARAT, "employees", phones(west[::-1], "0812")),
        "west awards, one bad row": (LAMPUNG_BARAT, "awards", awards(west, "Conc refused award", bad_row=True)),
        "tanggamus ratings": (TANGGAMUS, "performance-ratings", ratings(tanggamus, "meets")),
        "tanggamus awards": (TANGGAMUS, "awards", awards(tanggamus, "Conc award")),
    }
    reviews = [(agency, policy) for agency in ADMINS for policy in ("permenpanrb-3-2020", "simata-2025")]
    started = await asyncio.gather(
        *(start_import(conc_api, agency, kind, content) for agency, kind, content in imports.values()),
        *(start_review(conc_api, agency, policy) for agency, policy in reviews),
    )
    import_ids = dict(zip(imports, started[: len(imports)], strict=True))
    review_ids = started[len(imports) :]
    jobs = await asyncio.gather(
        *(conc_api.wait_for_job(ADMINS[imports[name][0]], f"/api/v1/imports/{i}", JOB_SECONDS)
          for name, i in import_ids.items()),
        *(conc_api.wait_for_job(ADMINS[agency], f"/api/v1/talent-reviews/{i}", JOB_SECONDS)
          for (agency, _), i in zip(reviews, review_ids, strict=True)),
    )  # fmt: skip
    outcome = {name: (job["status"], job["rows_written"]) for name, job in zip(imports, jobs, strict=False)}
    assert outcome == {
        name: ("failed", 0) if "bad" in name else ("completed", len(content.splitlines()) - 1)
        for name, (_, _, content) in imports.items()
    }
    assert [job["status"] for job in jobs[len(imports) :]] == ["completed"] * len(reviews)
    await assert_whole_imports(conc, west, tanggamus)
    await assert_whole_reviews(conc, review_ids)


async def assert_whole_imports(stack: Stack, west: list[str], tanggamus: list[str]) -> None:
    """Each file wrote all its rows or none: one current rating a person, every phone from one of the files."""
    current = await query(
        stack, "registry",
        "SELECT nip, count(*) AS n, min(work_result) AS result FROM performance_ratings "
        "WHERE year = 2024 AND superseded_at IS NULL AND nip = ANY($1) GROUP BY nip",
        west + tanggamus,
    )  # fmt: skip
    assert {row["nip"]: row["n"] for row in current} == dict.fromkeys(west + tanggamus, 1)
    west_results = Counter(row["result"] for row in current if row["nip"] in west)
    assert set(west_results) <= {"above", "below"}
    assert west_results.total() == len(west)
    # Atomic files applied one after the other: everyone carries the phone of the same (last) file.
    numbers = await query(stack, "registry", "SELECT left(phone, 4) AS prefix FROM employees WHERE nip = ANY($1)", west)
    assert {row["prefix"] for row in numbers} in ({"0811"}, {"0812"})
    award_rows = await query(
        stack, "registry", "SELECT name, count(*) AS n FROM awards WHERE name LIKE 'Conc %' GROUP BY name"
    )
    assert {row["name"]: row["n"] for row in award_rows} == {"Conc award": len(tanggamus)}


async def assert_whole_reviews(stack: Stack, review_ids: list[Any]) -> None:
    """Each review has one placement for each person it counted."""
    sql = (
        "SELECT r.id, r.rows_total, count(p.nip) AS n, count(DISTINCT p.nip) AS people FROM talent_reviews r "
        "LEFT JOIN placements p ON p.review_id = r.id WHERE r.id = ANY($1) GROUP BY r.id, r.rows_total"
    )
    rows = await query(stack, "scoring", sql, review_ids)
    assert len(rows) == len(review_ids)
    assert all(row["rows_total"] > 0 and row["n"] == row["people"] == row["rows_total"] for row in rows), rows


async def test_one_idempotency_key_sent_by_many_clients_at_once_is_applied_once(conc: Stack, conc_api: Api) -> None:
    admin, nip = ADMINS[TANGGAMUS], (await agency_nips(conc_api, TANGGAMUS))[-1]
    key: dict[str, str] = {}
    ids: dict[str, str] = {}
    posts = {
        "award": lambda: conc_api.post(
            admin, f"/api/v1/employees/{nip}/awards", headers=key,
            json={"awarded_on": "2025-08-17", "name": "Conc keyed award", "level": "agency"},
        ),
        "import": lambda: conc_api.post(
            admin, "/api/v1/imports", headers=key, data={"kind": "awards", "agency_id": TANGGAMUS},
            files={"file": ("a.csv", awards([nip], "Conc keyed import"), "text/csv")},
        ),
        "review": lambda: conc_api.post(
            admin, "/api/v1/talent-reviews", headers=key, json={"agency_id": TANGGAMUS, "period": 2024},
        ),
    }  # fmt: skip
    for name, post in posts.items():
        key["Idempotency-Key"] = f"conc-{name}"  # one key a request: a key names one request of a principal
        answers = await asyncio.gather(*(post() for _ in range(CLIENTS)))
        assert {answer.status_code for answer in answers} == {202 if name != "award" else 201}, (name, answers)
        assert len({answer.json()["id"] for answer in answers}) == 1, name  # everyone is told of the same one
        assert sum(answer.headers.get("idempotent-replayed") == "true" for answer in answers) == CLIENTS - 1
        ids[name] = answers[0].json()["id"]
    await conc_api.wait_for_job(admin, f"/api/v1/imports/{ids['import']}")
    awards_stored = await query(conc, "registry", "SELECT name FROM awards WHERE name LIKE 'Conc keyed %'")
    imports_stored = await query(conc, "registry", "SELECT id FROM imports WHERE file_name = 'a.csv'")
    reviews_stored = await query(conc, "scoring", "SELECT id FROM talent_reviews WHERE period = 2024")
    assert Counter(row["name"] for row in awards_stored) == {"Conc keyed award": 1, "Conc keyed import": 1}
    assert ([row["id"] for row in imports_stored], [row["id"] for row in reviews_stored]) == (
        [ids["import"]],
        [ids["review"]],
    )
