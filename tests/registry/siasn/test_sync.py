"""SIASN sync jobs end to end: the registry app (PostgreSQL) syncing from the in-process stand-in."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.employees.rules import PNS_RANKS
from tests.registry.conftest import NATIONAL, agency_admin
from tests.registry.factory import ok
from tests.registry.siasn.conftest import AGENCY, CONSUMERS, CREDENTIALS_KEY, OTHER, Registry, nips_of
from tests.siasn_standin.faults import DROP

TABLES = ("employees", "rank_history", "position_history", "education_history", "training_history",
          "performance_ratings", "disciplinary_actions", "positions", "units")  # fmt: skip
RANKS = list(PNS_RANKS)


def engine_of(registry: Registry) -> AsyncEngine:
    engine: AsyncEngine = registry.app.state.engine
    return engine


async def fingerprint(registry: Registry) -> dict[str, tuple[int, Any]]:
    """Row count and latest change of every table a sync writes."""
    async with engine_of(registry).connect() as connection:
        return {
            t: tuple((await connection.execute(text(f"SELECT count(*), max(updated_at) FROM {t}"))).one())  # type: ignore[misc]
            for t in TABLES
        }


def outcomes(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["nip"]: item for item in job["items"]}


async def test_sync_creates_then_a_resync_changes_nothing(registry: Registry) -> None:
    nips = nips_of(registry.standin, AGENCY)[:12]
    first = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert first["status"] == "completed", first
    assert first["progress"] == 1.0
    assert first["nips_total"] == 12
    assert {i["outcome"] for i in first["items"]} <= {"created", "unchanged"}
    before = await fingerprint(registry)
    again = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 12, "not_found": 0, "invalid": 0, "failed": 0}
    assert await fingerprint(registry) == before  # nothing written, no version bumped


async def test_synced_person_matches_siasn_and_records_its_source(registry: Registry) -> None:
    nip = nips_of(registry.standin, AGENCY)[0]
    await registry.sync({"nips": [nip], "agency_id": AGENCY})
    main = registry.standin.data.people[nip]["data-utama"]
    person = await ok(await registry.api.get(f"/v1/employees/{nip}"), 200)
    title = (main["gelarDepan"] + " " if main["gelarDepan"] else "") + main["nama"]
    assert person["name"] == title + (", " + main["gelarBelakang"] if main["gelarBelakang"] else "")
    assert person["rank"] == main["golRuangAkhir"]
    assert person["rank_since"] == "-".join(reversed(main["tmtGolAkhir"].split("-")))
    assert person["position_since"] == "-".join(reversed(main["tmtJabatan"].split("-")))
    position = await ok(await registry.api.get(f"/v1/positions/{person['position_id']}"), 200)
    assert position["name"] == main["jabatanNama"]
    unit = await ok(await registry.api.get(f"/v1/units/{person['unit_id']}"), 200)
    assert unit["name"] == main["unorNama"]
    async with engine_of(registry).connect() as connection:
        row = (await connection.execute(
            text("SELECT source, source_fetched_at FROM employees WHERE nip = :nip"), {"nip": nip})).one()  # fmt: skip
        assert row[0] == "siasn"
        assert row[1] is not None
        ranks = (await connection.execute(
            text("SELECT rank, source FROM rank_history WHERE nip = :nip ORDER BY valid_from"), {"nip": nip}
        )).all()  # fmt: skip
    assert [r[0] for r in ranks] == [g["golongan"] for g in registry.standin.data.people[nip]["rw-golongan"]]
    assert {r[1] for r in ranks} == {"siasn"}


async def test_nothing_personal_beyond_scoring_is_kept(registry: Registry) -> None:
    nip = nips_of(registry.standin, AGENCY)[1]
    await registry.sync({"nips": [nip], "agency_id": AGENCY})
    main = registry.standin.data.people[nip]["data-utama"]
    async with engine_of(registry).connect() as connection:
        for value in (main["nik"], main["alamat"], main["noHp"], main["email"]):
            for table in TABLES:
                found = await connection.execute(
                    text(f"SELECT count(*) FROM {table} t WHERE CAST(row_to_json(t) AS TEXT) LIKE :v"),
                    {"v": f"%{value}%"},
                )
                assert found.scalar_one() == 0, (table, value)


async def test_not_found_malformed_and_failing_nips_leave_the_others_stored(registry: Registry) -> None:
    nips = nips_of(registry.standin, OTHER)[:6]
    bad_date, bad_rank, missing, numeric, failing = nips[:5]
    faults = registry.standin.faults
    faults.malformed = {
        bad_date: {"data-utama": {"tglLahir": "1986/09/26"}},
        bad_rank: {"data-utama": {"golRuangAkhirId": "39"}},
        missing: {"rw-skp22": {"hasilKinerja": DROP}},
        numeric: {"data-utama": {"mkTahun": 12}},
    }
    faults.failing_nips = {failing: 500}
    unknown = "199001012015011999"
    job = await registry.sync({"nips": [*nips, unknown], "agency_id": OTHER})
    got = outcomes(job)
    assert (got[bad_date]["outcome"], got[bad_date]["field"]) == ("invalid", "data-utama.tglLahir")
    assert (got[bad_rank]["outcome"], got[bad_rank]["field"]) == ("invalid", "data-utama.golRuangAkhirId")
    assert got[missing]["field"] == "rw-skp22[0].hasilKinerja"
    assert "missing" in got[missing]["reason"]
    assert got[numeric]["field"] == "data-utama.mkTahun"
    assert "string" in got[numeric]["reason"]
    assert got[failing]["outcome"] == "failed"
    assert "HTTP 500" in got[failing]["reason"]
    assert got[unknown]["outcome"] == "not_found"
    assert got[nips[5]]["outcome"] in ("created", "unchanged")
    for nip in (bad_date, bad_rank, missing, numeric, failing):
        assert (await registry.api.get(f"/v1/employees/{nip}")).status_code == 404  # nothing half-stored
    assert (await registry.api.get(f"/v1/employees/{nips[5]}")).status_code == 200


async def test_a_record_the_registry_refuses_rolls_back_that_nip_only(registry: Registry) -> None:
    nips = nips_of(registry.standin, OTHER)[6:9]
    person = registry.standin.data.people[nips[0]]
    golongan = copy.deepcopy(person["rw-golongan"])
    # A sanction ending before it starts passes nothing: the NIP's employee row must not stay behind either.
    registry.standin.faults.replaced = {nips[0]: {"rw-hukdis": [{"tingkatHukumanDisiplin": "Sedang",
        "tmtHukuman": "01-03-2024", "akhirHukuman": "01-02-2024", "alasanHukumanDisiplinNama": "x"}]}}  # fmt: skip
    job = await registry.sync({"nips": nips, "agency_id": OTHER})
    got = outcomes(job)
    assert (got[nips[0]]["outcome"], got[nips[0]]["field"]) == ("invalid", "rw-hukdis[0].akhirHukuman")
    assert (await registry.api.get(f"/v1/employees/{nips[0]}")).status_code == 404
    assert golongan == person["rw-golongan"]
    assert {got[n]["outcome"] for n in nips[1:]} <= {"created", "unchanged"}


async def test_a_promotion_in_siasn_updates_and_keeps_history(registry: Registry) -> None:
    people = registry.standin.data.people
    nip = next(
        n for n in nips_of(registry.standin, AGENCY)[20:] if people[n]["data-utama"]["golRuangAkhir"] in RANKS[:-1]
    )
    await registry.sync({"nips": [nip], "agency_id": AGENCY})
    promoted = copy.deepcopy(people[nip])
    old_rank = promoted["data-utama"]["golRuangAkhir"]
    new_rank = RANKS[RANKS.index(old_rank) + 1]
    code = str(PNS_RANKS[new_rank][0])
    promoted["data-utama"].update(golRuangAkhirId=code, golRuangAkhir=new_rank, tmtGolAkhir="01-04-2026")
    promoted["rw-golongan"].append({"golonganId": code, "golongan": new_rank, "tmtGolongan": "01-04-2026"})
    registry.standin.faults.replaced = {nip: {k: promoted[k] for k in ("data-utama", "rw-golongan")}}
    job = await registry.sync({"nips": [nip], "agency_id": AGENCY})
    assert outcomes(job)[nip]["outcome"] == "updated"
    async with engine_of(registry).connect() as connection:
        ranks = (await connection.execute(text(
            "SELECT rank, valid_from, valid_to, source_fetched_at FROM rank_history WHERE nip = :nip "
            "ORDER BY valid_from"), {"nip": nip}
        )).all()  # fmt: skip
    assert (ranks[-1][0], ranks[-1][1].isoformat(), ranks[-1][2]) == (new_rank, "2026-04-01", None)
    assert ranks[-2][0] == old_rank
    assert ranks[-2][2].isoformat() == "2026-04-01"
    # The row opened and the row closed by the promotion were written from this fetch; the older ones were not.
    fetched = dt.datetime.fromisoformat(outcomes(job)[nip]["fetched_at"])
    assert ranks[-1][3] == ranks[-2][3] == fetched
    assert all(r[3] is not None and r[3] < fetched for r in ranks[:-2])
    again = await registry.sync({"nips": [nip], "agency_id": AGENCY})
    assert outcomes(again)[nip]["outcome"] == "unchanged"


async def test_rate_limited_sync_backs_off_and_completes(registry: Registry) -> None:
    registry.standin.faults.rate_limited, registry.standin.faults.retry_after = 3, "0"
    nips = nips_of(registry.standin, AGENCY)[12:15]
    job = await registry.sync({"nips": nips, "agency_id": AGENCY})
    assert job["status"] == "completed"
    assert job["counts"]["failed"] == 0
    assert sum(1 for c in registry.standin.calls if c["path"] == "/referensi/ref-unor") == 4  # 3 x 429, then 200


async def test_agency_sync_covers_the_registrys_current_employees(registry: Registry) -> None:
    await registry.sync({"nips": nips_of(registry.standin, AGENCY)[:5], "agency_id": AGENCY})
    job = await registry.sync({"agency_id": AGENCY})
    async with engine_of(registry).connect() as connection:
        current = (await connection.execute(text(
            "SELECT count(*) FROM employees e JOIN agencies a ON a.id = e.agency_id WHERE a.code = :c"), {"c": AGENCY}
        )).scalar_one()  # fmt: skip
    assert job["scope"] == "agency"
    assert job["nips_total"] == current >= 5
    # Every current employee is accounted for (one promoted by another test is now ahead of the stand-in: invalid).
    assert sum(job["counts"].values()) == current
    assert job["counts"]["created"] == 0
    assert job["counts"]["unchanged"] >= 5


async def test_refused_credentials_fail_the_job_with_the_reason(registry: Registry) -> None:
    registry.standin.consumers = {}
    job = await registry.sync({"nips": nips_of(registry.standin, AGENCY)[:1], "agency_id": AGENCY})
    assert job["status"] == "failed"
    assert "refused the agency's credentials" in job["detail"]
    registry.standin.consumers = dict(CONSUMERS)


async def test_credentials_are_encrypted_at_rest_and_never_answered(registry: Registry) -> None:
    meta = await ok(await registry.api.get(f"/v1/agencies/{AGENCY}/siasn-credentials"), 200)
    assert meta["fields_set"] == ["consumer_key", "consumer_secret", "sso_password", "sso_username"]
    assert "secret" not in str({k: v for k, v in meta.items() if k != "fields_set"})
    async with engine_of(registry).connect() as connection:
        stored = (await connection.execute(text("SELECT secrets FROM siasn_credentials"))).scalars().all()
    for blob in stored:
        for secret in (*CONSUMERS.values(), "sso-password-lampung-barat-91ac", CREDENTIALS_KEY):
            assert secret.encode() not in bytes(blob)
    bad = {"consumer_key": "k", "consumer_secret": "s", "instansi_id": "X", "sso_username": "u"}
    assert (await registry.api.put(f"/v1/agencies/{AGENCY}/siasn-credentials", json=bad)).status_code == 422


async def test_agency_scope_and_idempotency(registry: Registry) -> None:
    agency = await ok(await registry.api.get(f"/v1/agencies/{AGENCY}"), 200)
    other = await ok(await registry.api.get(f"/v1/agencies/{OTHER}"), 200)
    outsider = registry.api.as_(agency_admin(other["id"]))
    job = await registry.sync({"nips": nips_of(registry.standin, AGENCY)[:1], "agency_id": AGENCY})
    assert (await outsider.get(f"/v1/siasn/syncs/{job['id']}")).status_code == 404
    assert (await outsider.get(f"/v1/agencies/{AGENCY}/siasn-credentials")).status_code == 404
    assert (await outsider.post("/v1/siasn/syncs", json={"agency_id": AGENCY})).status_code == 422
    own = registry.api.as_(agency_admin(agency["id"]))
    headers = {"Idempotency-Key": "sync-once-1"}
    body = {"nips": nips_of(registry.standin, AGENCY)[:1]}
    first = await own.post("/v1/siasn/syncs", json=body, headers=headers)
    replay = await own.post("/v1/siasn/syncs", json=body, headers=headers)
    assert first.status_code == replay.status_code == 202
    assert first.json()["id"] == replay.json()["id"]
    assert first.headers["location"] == f"/v1/siasn/syncs/{first.json()['id']}"
    await registry.runner.wait(first.json()["id"])
    assert (await registry.api.as_(NATIONAL).post("/v1/siasn/syncs", json={"nips": ["123"]})).status_code == 422
