"""Every row a SIASN sync writes records its source and when it was fetched; a re-sync touches only what changed."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.registry.factory import ok
from tests.registry.siasn.conftest import AGENCY, Registry, nips_of

# The history and record tables a sync writes for a person (SIASN holds no assessments or awards).
TABLES = ("rank_history", "position_history", "education_history", "training_history", "performance_ratings",
          "disciplinary_actions")  # fmt: skip
SANCTION = {"tingkatHukumanDisiplin": "Ringan", "jenisHukumanNama": "Teguran tertulis", "tmtHukuman": "01-03-2024",
            "akhirHukuman": "01-09-2024", "alasanHukumanDisiplinNama": "Terlambat masuk kerja"}  # fmt: skip
Rows = dict[tuple[str, str], tuple[str, str, dt.datetime | None, int]]  # (table, id) -> (nip, source, fetched, v)


def engine_of(registry: Registry) -> AsyncEngine:
    engine: AsyncEngine = registry.app.state.engine
    return engine


async def provenance(registry: Registry, nips: list[str]) -> Rows:
    """Source, fetched time and version of every history row and record of these people."""
    found: Rows = {}
    async with engine_of(registry).connect() as connection:
        for table in TABLES:
            query = text(f"SELECT id, nip, source, source_fetched_at, version FROM {table} WHERE nip IN :nips")
            rows = await connection.execute(query.bindparams(bindparam("nips", expanding=True)), {"nips": nips})
            found |= {(table, r[0]): (r[1], r[2], r[3], r[4]) for r in rows}
    return found


async def employee_fetched(registry: Registry, nips: list[str]) -> dict[str, dt.datetime | None]:
    query = text("SELECT nip, source_fetched_at FROM employees WHERE nip IN :nips")
    async with engine_of(registry).connect() as connection:
        rows = await connection.execute(query.bindparams(bindparam("nips", expanding=True)), {"nips": nips})
        return {r[0]: r[1] for r in rows}


def fetch_time(job: dict[str, Any]) -> dt.datetime:
    """When the job's (single) batch was fetched: its first NIP's fetch, as every row it wrote records."""
    return min(dt.datetime.fromisoformat(item["fetched_at"]) for item in job["items"])


def when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


async def test_synced_rows_record_when_they_were_fetched_and_a_resync_touches_only_what_changed(
    registry: Registry,
) -> None:
    nips = nips_of(registry.standin, AGENCY)[15:19]  # one batch (the test batch size is 25)
    sanctioned, retrained = nips[0], nips[1]
    faults = registry.standin.faults
    faults.replaced = {sanctioned: {"rw-hukdis": [SANCTION]}}  # the demo people of this agency have none

    first = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert first["counts"]["created"] == len(nips), first["counts"]
    fetched = fetch_time(first)
    assert dt.datetime.fromisoformat(first["started_at"]) <= fetched
    rows = await provenance(registry, nips)
    assert {table for table, _ in rows} == set(TABLES)  # every kind of row is covered
    assert {nip for nip, *_ in rows.values()} == set(nips)
    assert {(source, at) for _, source, at, _ in rows.values()} == {("siasn", fetched)}
    assert set((await employee_fetched(registry, nips)).values()) == {fetched}

    # The answers expose it where they expose the source; a manual record has none.
    history = await ok(await registry.api.get(f"/v1/employees/{sanctioned}/history"), 200)
    ratings = await ok(await registry.api.get(f"/v1/employees/{sanctioned}/performance-ratings"), 200)
    sanctions = await ok(await registry.api.get(f"/v1/employees/{sanctioned}/disciplinary-actions"), 200)
    answered = [*(r for kind in ("ranks", "positions", "education", "trainings") for r in history[kind]),
                *ratings["items"], *sanctions["items"]]  # fmt: skip
    assert answered
    assert {(r["source"], when(r["source_fetched_at"])) for r in answered} == {("siasn", fetched)}
    award = {"awarded_on": "2025-08-17", "name": "Satyalancana Karya Satya X Tahun", "level": "national"}
    manual = await ok(await registry.api.post(f"/v1/employees/{sanctioned}/awards", json=award), 201)
    assert (manual["source"], manual["source_fetched_at"]) == ("manual", None)

    again = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert again["counts"]["unchanged"] == len(nips), again["counts"]
    assert fetch_time(again) > fetched
    assert await provenance(registry, nips) == rows  # a later fetch of the same data writes nothing
    assert set((await employee_fetched(registry, nips)).values()) == {fetched}

    trainings = copy.deepcopy(registry.standin.data.people[retrained]["rw-diklat"])
    trainings[0]["jumlahJam"] = str(int(trainings[0]["jumlahJam"] or 0) + 8)
    faults.replaced[retrained] = {"rw-diklat": trainings}
    changed = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert {i["nip"]: i["outcome"] for i in changed["items"]} == {
        nip: "updated" if nip == retrained else "unchanged" for nip in nips
    }
    after = await provenance(registry, nips)
    differ = {key for key in rows if after[key] != rows[key]}
    assert set(after) == set(rows)  # no row added: the training was updated in place
    assert len(differ) == 1
    key = differ.pop()
    assert key[0] == "training_history"
    assert after[key] == (retrained, "siasn", fetch_time(changed), rows[key][3] + 1)
    assert set((await employee_fetched(registry, nips)).values()) == {fetched}  # the main record did not change


async def test_a_persons_change_to_a_synced_employee_opens_manual_rows(registry: Registry) -> None:
    nip = nips_of(registry.standin, AGENCY)[20]
    await registry.sync({"nips": [nip], "agency_id": AGENCY})
    person = await registry.api.get(f"/v1/employees/{nip}")
    assert person.status_code == 200, person.text
    patch = {"education_level": "s3" if person.json()["education_level"] != "s3" else "s2"}
    changed = await registry.api.patch(f"/v1/employees/{nip}", json=patch, headers={"If-Match": person.headers["etag"]})
    assert changed.status_code == 200, changed.text
    history = await ok(await registry.api.get(f"/v1/employees/{nip}/history"), 200)
    current = [row for row in history["education"] if row["valid_to"] is None]
    assert [(row["level"], row["source"], row["source_fetched_at"]) for row in current] == [
        (patch["education_level"], "manual", None)
    ]  # written by a person through the API, not fetched from SIASN
    assert {row["source"] for row in history["education"] if row["valid_to"] is not None} == {"siasn"}
