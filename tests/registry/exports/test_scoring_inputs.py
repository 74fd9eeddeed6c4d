"""GET /v1/scoring-inputs: the contract's columns, checked against the single-record API, and its edges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.registry.exports.service import years_before
from tests.registry.conftest import Api, agency_admin, employee_principal
from tests.registry.exports.conftest import (
    AGENCY,
    DELETED,
    EDGES,
    ELSEWHERE,
    INCOMPLETE,
    MOVER,
    RETIRED,
    World,
    export,
)
from tests.registry.factory import ok

COMPETENCIES = (
    "integritas", "kerja_sama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik",
    "pengembangan_diri_dan_orang_lain", "mengelola_perubahan", "pengambilan_keputusan", "perekat_bangsa",
)  # fmt: skip


def text(value: Any) -> str:
    return "" if value is None else str(value)


async def latest(api: Api, path: str, as_of: str) -> dict[str, Any] | None:
    items = (await ok(await api.get(path, params={"limit": 500}), 200))["items"]
    dated = [i for i in items if i["assessed_on"] <= as_of]
    return dated[-1] if dated else None


async def expected(api: Api, nip: str, period: int) -> dict[str, str]:
    """The row the export must give for a person whose current records all started by 31 December of `period`,
    worked out from the single-record API with the rules of DESIGN.md written out independently."""
    as_of = dt.date(period, 12, 31)
    day = as_of.isoformat()
    person = await ok(await api.get(f"/v1/employees/{nip}"), 200)
    position = await ok(await api.get(f"/v1/positions/{person['position_id']}"), 200) if person["position_id"] else {}
    row = {k: text(person[k]) for k in ("nip", "name", "agency_id", "unit_id", "employment_type", "gender",
                                        "birth_date", "retirement_date", "position_id", "position_since",
                                        "level_since", "rank", "rank_since", "education_level")}  # fmt: skip
    row |= {
        "position_type": text(position.get("position_type")),
        "functional_level": text(position.get("functional_level")),
    }
    row["rank_order"] = text({"IV/c": 43, "IV/a": 41, "III/c": 33, "II/c": 22, "II/d": 24, "IX": 9, "III/a": 31,
                              "III/b": 32, "IV/b": 42}.get(person["rank"]))  # fmt: skip
    for key, year in (("predikat_y", period), ("predikat_y1", period - 1)):
        rating = await api.get(f"/v1/employees/{nip}/performance-ratings/{year}")
        row[key] = rating.json()["predikat"] if rating.status_code == 200 else ""
    competency = await latest(api, f"/v1/employees/{nip}/competency-assessments", day)
    row["competency_assessed_on"] = text(competency and competency["assessed_on"])
    standard = position.get("competency_standard") or {}
    for code in COMPETENCIES:
        row["lvl_" + code] = text((competency or {}).get("levels", {}).get(code))
        row["std_" + code] = text(standard.get(code))
    potential = await latest(api, f"/v1/employees/{nip}/potential-assessments", day)
    row["potential_assessed_on"] = text(potential and potential["assessed_on"])
    row["potential_score"] = text(
        potential and (int(potential["score"]) if potential["score"] == int(potential["score"]) else potential["score"])
    )
    return row | await recent_records(api, nip, as_of)


async def recent_records(api: Api, nip: str, as_of: dt.date) -> dict[str, str]:
    since = years_before(as_of, 5)
    sanctions = (await ok(await api.get(f"/v1/employees/{nip}/disciplinary-actions", params={"limit": 500}), 200))[
        "items"
    ]
    started = [
        (s["level"], dt.date.fromisoformat(s["starts_on"]), dt.date.fromisoformat(s["ends_on"])) for s in sanctions
    ]
    started = [s for s in started if s[1] <= as_of]
    heavy = [end for level, _, end in started if level in ("sedang", "berat") and end <= as_of]
    awards = (await ok(await api.get(f"/v1/employees/{nip}/awards", params={"limit": 500}), 200))["items"]
    return {
        "sanctions_in_force": str(sum(1 for _, start, end in started if start <= as_of <= end)),
        **{
            f"{lvl}_recent": str(sum(1 for level, _, end in started if level == lvl and end >= since))
            for lvl in ("ringan", "sedang", "berat")
        },  # fmt: skip
        "last_heavy_sanction_ended_on": max(heavy).isoformat() if heavy else "",
        "awards_recent": str(sum(1 for a in awards if since.isoformat() <= a["awarded_on"] <= as_of.isoformat())),
    }


async def test_rows_match_the_single_record_api(world: World) -> None:
    rows = {r["nip"]: r for r in await export(world.api, agency_id=AGENCY, period=2025)}
    assert list(rows) == sorted(rows)
    samples = ["197503102000031001", "198005122005012002", "198711032010121003", "199203152019032004",
               "199507212022061005", "197008171995031006", MOVER, EDGES, INCOMPLETE]  # fmt: skip
    assert set(rows) == set(samples)  # RETIRED retired in 2024, DELETED is deleted, ELSEWHERE is another agency's
    for nip in samples:
        assert rows[nip] == await expected(world.api, nip, 2025), nip


async def test_look_back_edges_and_the_as_of_day(world: World) -> None:
    row = next(r for r in await export(world.api, agency_id=AGENCY, period=2025) if r["nip"] == EDGES)
    assert (row["sanctions_in_force"], row["ringan_recent"], row["sedang_recent"], row["berat_recent"]) == (
        "1",
        "1",
        "2",
        "0",
    )
    assert row["last_heavy_sanction_ended_on"] == "2021-12-31"
    assert row["awards_recent"] == "2"  # 2020-12-31 and 2025-12-31; not 2020-12-30 nor 2026-01-15
    assert (row["predikat_y"], row["predikat_y1"]) == ("sangat_baik", "baik")  # the replacing 2025 rating
    assert (row["competency_assessed_on"], row["lvl_integritas"]) == ("2025-02-10", "3")  # not the 2026 one
    shorter = next(r for r in await export(world.api, agency_id=AGENCY, period=2025, sanction_lookback_years=1,
                                            award_lookback_years=0) if r["nip"] == EDGES)  # fmt: skip
    assert (shorter["ringan_recent"], shorter["sedang_recent"], shorter["awards_recent"]) == ("0", "1", "1")
    later = next(
        r for r in await export(world.api, agency_id=AGENCY, period=2026, as_of="2026-06-30") if r["nip"] == EDGES
    )
    assert (later["sanctions_in_force"], later["berat_recent"], later["last_heavy_sanction_ended_on"]) == (
        "1",
        "1",
        "2026-05-31",
    )
    assert (later["competency_assessed_on"], later["lvl_integritas"]) == ("2026-03-01", "5")


async def test_positions_and_ranks_as_of_a_past_day(world: World) -> None:
    by_period = {}
    for period in (2017, 2020, 2025):
        by_period[period] = next(
            r for r in await export(world.api, agency_id=AGENCY, period=period) if r["nip"] == MOVER
        )
    clerk, first, second = (world.positions[n] for n in ("Pengadministrasi Perkantoran", "Kepala Bidang Mutasi",
                                                          "Kepala Bidang Pengadaan"))  # fmt: skip
    assert [
        (r["position_id"], r["position_type"], r["position_since"], r["level_since"], r["rank"])
        for r in by_period.values()
    ] == [
        (clerk, "pelaksana", "2016-01-04", "2016-01-04", "II/a"),
        (first, "administrator", "2019-01-02", "2019-01-02", "III/a"),
        (second, "administrator", "2023-07-01", "2019-01-02", "III/a"),  # same level: level_since kept
    ]
    assert by_period[2017]["rank_since"] == "2016-01-04"
    before = await export(world.api, agency_id=AGENCY, period=2015)
    mover = next(r for r in before if r["nip"] == MOVER)
    assert mover["position_id"] == mover["position_since"] == mover["level_since"] == mover["rank"] == ""
    retired = [r for r in await export(world.api, agency_id=AGENCY, period=2023) if r["nip"] == RETIRED]
    assert len(retired) == 1  # retires 2024-06-01: still active at the end of 2023


async def test_incomplete_people_have_empty_fields(world: World) -> None:
    row = next(r for r in await export(world.api, agency_id=AGENCY, period=2025) if r["nip"] == INCOMPLETE)
    empty = [k for k, v in row.items() if v == ""]
    assert set(empty) == {"unit_id", "position_id", "position_type", "functional_level", "position_since",
                          "level_since", "rank", "rank_order", "rank_since", "education_level", "predikat_y",
                          "predikat_y1", "competency_assessed_on", "potential_assessed_on", "potential_score",
                          "last_heavy_sanction_ended_on", *(f"lvl_{c}" for c in COMPETENCIES),
                          *(f"std_{c}" for c in COMPETENCIES)}  # fmt: skip
    assert row["sanctions_in_force"] == row["awards_recent"] == "0"  # no record of one is a count of 0


async def test_levels_filter(world: World) -> None:
    rows = await export(world.api, agency_id=AGENCY, period=2025, levels="administrator,ahli_muda")
    assert {(r["position_type"], r["functional_level"]) for r in rows} == {
        ("administrator", ""),
        ("fungsional", "ahli_muda"),
    }
    assert {r["nip"] for r in rows} == {"198005122005012002", "198711032010121003", MOVER}
    bad = await world.api.get("/v1/scoring-inputs", params={"agency_id": AGENCY, "period": 2025, "levels": "eselon_2"})
    assert (bad.status_code, bad.json()["errors"][0]["loc"]) == (422, ["query", "levels"])


async def test_levels_export_is_the_full_export_at_those_levels(world: World) -> None:
    # On PostgreSQL a levels export looks each person up (LATERAL); the full export windows every history: same rows.
    def level(row: dict[str, str]) -> str:
        return row["functional_level"] if row["position_type"] == "fungsional" else row["position_type"]

    levels = {"administrator", "pelaksana", "ahli_muda", "pengawas", "jpt_pratama"}
    for params in ({"period": 2015}, {"period": 2017}, {"period": 2020, "sanction_lookback_years": 2},
                   {"period": 2025}, {"period": 2026, "as_of": "2026-06-30", "award_lookback_years": 1}):  # fmt: skip
        for agency in ({"agency_id": AGENCY}, {}):
            full = [r for r in await export(world.api, **agency, **params) if level(r) in levels]
            some = await export(world.api, **agency, **params, levels=",".join(sorted(levels)))
            assert some == full, params


async def test_scope(world: World) -> None:
    national = {r["nip"] for r in await export(world.api, period=2025)}
    assert ELSEWHERE in national
    assert {DELETED, RETIRED} & national == set()
    own = world.api.as_(agency_admin(world.agency["id"]))
    assert {r["nip"] for r in await export(own, period=2025)} == national - {ELSEWHERE}
    assert len(await export(own, agency_id=AGENCY, period=2025)) == len(national) - 1
    other = await own.get("/v1/scoring-inputs", params={"agency_id": world.other["id"], "period": 2025})
    assert other.status_code == 404
    person = world.api.as_(employee_principal(world.agency["id"], EDGES))
    assert (await person.get("/v1/scoring-inputs", params={"period": 2025})).status_code == 403
    assert (await world.api.get("/v1/scoring-inputs", params={"period": 1900})).status_code == 422


async def test_days_far_from_any_career_are_refused(world: World) -> None:
    # `0003-01-01` minus the look-back years is not a day Python can hold (it was a 500); `2025` is not a day.
    for as_of in ("0003-01-01", "0001-01-01", "9999-12-31", "2025", "0"):
        answer = await world.api.get("/v1/scoring-inputs", params={"period": 2025, "as_of": as_of})
        assert (answer.status_code, answer.json()["errors"][0]["loc"]) == (422, ["query", "as_of"]), as_of
