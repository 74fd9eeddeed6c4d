"""The whole story through the gateway over TCP: an agency admin builds a unit, a key position and its people,
records ratings and assessments, runs a talent review, calibrates, finalizes, asks for successors, reads the
audit trail; the person concerned reads who looked at their data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.e2e.harness import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT, Api, ok, problem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
ADMIN = "lampungbarat.admin"
SARI = "198804172012122003"  # created by POST: a pengawas in line for the key position
DEWI, AGUS = "199003102015022001", "199107222016031002"  # imported: Dewi holds the key position
KEY_STANDARD = {"integritas": 4, "kerja_sama": 3, "komunikasi": 3, "orientasi_pada_hasil": 4}
RULE_CODES = {"feeder_level", "time_in_level", "min_rank", "education", "age_limit", "retirement", "performance",
              "discipline", "talent_pool", "employment_type"}  # fmt: skip


@dataclass
class Story:
    """What the story has made so far."""

    agency_id: str = ""
    unit_id: str = ""
    key_position: str = ""
    feeder_position: str = ""
    review_id: str = ""
    request_ids: dict[str, str] = field(default_factory=dict)  # action -> X-Request-ID of the answer


async def test_the_whole_story(api: Api) -> None:
    story = Story()
    await sign_in(api, story)
    await build_organisation(api, story)
    await add_people(api, story)
    await record_ratings_and_assessments(api, story)
    await run_the_review(api, story)
    await calibrate_and_finalize(api, story)
    await ask_for_successors(api, story)
    await read_the_audit_trail(api, story)
    await the_person_concerned(api, story)


async def sign_in(api: Api, story: Story) -> None:
    me = ok(await api.get(ADMIN, "/api/v1/me"))
    assert (me["username"], me["roles"]) == (ADMIN, ["agency_admin"])
    agency = ok(await api.get(ADMIN, f"/api/v1/agencies/{LAMPUNG_BARAT}"))
    assert me["agency_id"] == agency["id"]
    story.agency_id = agency["id"]


async def build_organisation(api: Api, story: Story) -> None:
    created = await api.post(
        ADMIN, f"/api/v1/agencies/{LAMPUNG_BARAT}/units", json={"name": "Bidang Statistik", "code": "E2E-STAT"}
    )
    unit = ok(created, 201)
    assert unit["agency_id"] == story.agency_id
    story.unit_id = unit["id"]
    rename = {"name": "Bidang Statistik dan Persandian"}
    problem(await api.patch(ADMIN, f"/api/v1/units/{unit['id']}", json=rename), 428)
    renamed = await api.patch(
        ADMIN, f"/api/v1/units/{unit['id']}", json=rename, headers={"If-Match": created.headers["etag"]}
    )
    assert ok(renamed)["name"] == rename["name"]
    key = ok(
        await api.post(
            ADMIN,
            "/api/v1/positions",
            json={"agency_id": LAMPUNG_BARAT, "unit_id": unit["id"], "name": "Kepala Bidang Statistik",
                  "position_type": "administrator", "is_key": True, "competency_standard": KEY_STANDARD,
                  "min_rank": "III/c"},
        ),
        201,
    )  # fmt: skip
    assert (key["is_key"], key["competency_standard"], key["agency_id"]) == (True, KEY_STANDARD, story.agency_id)
    feeder = ok(
        await api.post(
            ADMIN,
            "/api/v1/positions",
            json={"agency_id": story.agency_id, "unit_id": unit["id"], "name": "Kepala Seksi Statistik Sektoral",
                  "position_type": "pengawas", "competency_standard": dict.fromkeys(KEY_STANDARD, 3)},
        ),
        201,
    )  # fmt: skip
    story.key_position, story.feeder_position = key["id"], feeder["id"]


async def add_people(api: Api, story: Story) -> None:
    sari = {"nip": SARI, "name": "Sari Handayani, S.Si., M.Stat.", "employment_type": "pns",
            "agency_id": LAMPUNG_BARAT, "unit_id": story.unit_id, "position_id": story.feeder_position,
            "position_since": "2019-03-01", "rank": "III/d", "rank_since": "2021-04-01", "education_level": "s2",
            "email": "sari.handayani@lampungbaratkab.go.id"}  # fmt: skip
    created = await api.post(ADMIN, "/api/v1/employees", json=sari)
    person = ok(created, 201)
    story.request_ids["employees.create"] = created.headers["x-request-id"]
    assert (person["birth_date"], person["gender"], person["agency_id"]) == ("1988-04-17", "female", story.agency_id)
    problem(await api.post(ADMIN, "/api/v1/employees", json=sari), 409)
    csv = (
        "NIP,Nama,Jenis Pegawai,Unit Kerja,Jabatan,TMT Jabatan,Gol/Ruang,TMT Golongan,Pendidikan Terakhir\n"
        f"{DEWI},Dewi Lestari S.Kom.,pns,E2E-STAT,Kepala Bidang Statistik,2022-01-03,III/d,2020-04-01,s2\n"
        f"{AGUS},Agus Saputra S.E.,pns,E2E-STAT,,,III/b,2020-04-01,s1\n"
    )
    started = await api.post(
        ADMIN,
        "/api/v1/imports",
        data={"kind": "employees", "agency_id": LAMPUNG_BARAT},
        files={"file": ("pegawai.csv", csv.encode(), "text/csv")},
    )
    job = ok(started, 202)
    assert job["status"] in ("queued", "running")
    assert started.headers["location"] == f"/api/v1/imports/{job['id']}"
    done = await api.wait_for_job(ADMIN, started.headers["location"])
    assert (done["status"], done["rows_total"], done["rows_written"], done["errors"]) == ("completed", 2, 2, [])
    dewi = ok(await api.get(ADMIN, f"/api/v1/employees/{DEWI}"))
    assert (dewi["position_id"], dewi["unit_id"], dewi["rank"]) == (story.key_position, story.unit_id, "III/d")


async def record_ratings_and_assessments(api: Api, story: Story) -> None:
    path = f"/api/v1/employees/{SARI}/performance-ratings"
    first = await api.put(ADMIN, f"{path}/2025", json={"work_result": "meets", "work_behavior": "above"})
    assert ok(first, 201)["predikat"] == "baik"
    better = {"work_result": "above", "work_behavior": "above"}
    problem(await api.put(ADMIN, f"{path}/2025", json=better), 428, "if_match_required")
    replaced = await api.put(ADMIN, f"{path}/2025", json=better, headers={"If-Match": first.headers["etag"]})
    assert ok(replaced)["predikat"] == "sangat_baik"
    story.request_ids["performance_ratings.write"] = replaced.headers["x-request-id"]
    problem(await api.put(ADMIN, f"{path}/2025", json=better, headers={"If-Match": first.headers["etag"]}), 412)
    ok(await api.put(ADMIN, f"{path}/2024", json=better), 201)
    assert sorted(r["year"] for r in ok(await api.get(ADMIN, path))["items"]) == [2024, 2025]

    assessment = {"assessed_on": "2025-06-01", "levels": dict.fromkeys(KEY_STANDARD, 4) | {"pelayanan_publik": 4}}
    key = {"Idempotency-Key": "e2e-sari-competency-2025"}
    competency = f"/api/v1/employees/{SARI}/competency-assessments"
    recorded = ok(await api.post(ADMIN, competency, json=assessment, headers=key), 201)
    assert (recorded["jpm"], recorded["jpm_band"], recorded["standard_source"]) == (100.0, "optimal", "position")
    replay = await api.post(ADMIN, competency, json=assessment, headers=key)
    assert ok(replay, 201) == recorded
    assert replay.headers["idempotent-replayed"] == "true"
    problem(await api.post(ADMIN, competency, json={**assessment, "assessed_on": "2025-06-02"}, headers=key), 422)
    assert [a["id"] for a in ok(await api.get(ADMIN, competency))["items"]] == [recorded["id"]]
    potential = f"/api/v1/employees/{SARI}/potential-assessments"
    assert ok(await api.post(ADMIN, potential, json={"assessed_on": "2025-06-01", "score": 86}), 201)["score"] == 86


async def run_the_review(api: Api, story: Story) -> None:
    started = await api.post(ADMIN, "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT, "period": 2025})
    job = ok(started, 202)
    assert (job["status"], job["policy_id"]) == ("queued", "permenpanrb-3-2020")
    review = await api.wait_for_job(ADMIN, started.headers["location"])
    assert review["status"] == "completed", review
    story.review_id = review["id"]
    summary = review["summary"]
    assert summary["total"] == summary["placed"] + summary["incomplete"] > 150  # the demo people and ours

    grid = ok(await api.get(ADMIN, f"/api/v1/talent-reviews/{review['id']}/nine-box"))
    assert [b["box"] for b in grid["boxes"]] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert sum(b["count"] for b in grid["boxes"]) == grid["placed"] == summary["placed"]
    assert all(b["label_id"] and b["label_en"] and b["recommendations"] for b in grid["boxes"])
    svg = await api.get(ADMIN, f"/api/v1/talent-reviews/{review['id']}/nine-box.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    assert svg.text.rstrip().endswith("</svg>")

    placements = f"/api/v1/talent-reviews/{review['id']}/placements"
    nines = ok(await api.get(ADMIN, placements, params={"box": 9, "limit": 500}))["items"]
    assert SARI in {p["nip"] for p in nines}
    assert all(p["effective_box"] == 9 and p["in_talent_pool"] for p in nines)
    sari = ok(await api.get(ADMIN, f"{placements}/{SARI}"))
    assert (sari["status"], sari["box"], sari["performance_level"], sari["potential_level"]) == (
        "placed", 9, "above", "high"
    )  # fmt: skip
    explanation = sari["explanation"]
    assert explanation["inputs"]["predikat_y"] == {"year": 2025, "value": "sangat_baik"}
    assert [t["name"] for t in explanation["potential"]["terms"]] == ["jpm", "potential_assessment"]
    assert explanation["potential"]["score"] == sari["potential_score"] == 93.0  # 0.5 x 100 + 0.5 x 86
    agus = ok(await api.get(ADMIN, f"{placements}/{AGUS}"))
    assert agus["status"] == "incomplete"
    assert set(agus["missing"]) >= {"performance_rating", "position"}


async def calibrate_and_finalize(api: Api, story: Story) -> None:
    placements = f"/api/v1/talent-reviews/{story.review_id}/placements"
    before = ok(await api.get(ADMIN, f"/api/v1/talent-reviews/{story.review_id}/nine-box"))
    person = ok(await api.get(ADMIN, placements, params={"box": 5, "limit": 1}))["items"][0]
    reason = {"box": 8, "reason": "Memimpin transformasi layanan statistik sektoral 2025"}
    calibrated = ok(await api.post(ADMIN, f"{placements}/{person['nip']}/calibrations", json=reason), 201)
    assert (calibrated["box"], calibrated["calibrated_box"], calibrated["effective_box"]) == (5, 8, 8)
    assert calibrated["calibration"]["reason"] == reason["reason"]
    story.request_ids["calibrated_nip"] = person["nip"]
    after = ok(await api.get(ADMIN, f"/api/v1/talent-reviews/{story.review_id}/nine-box"))
    counts = lambda grid: {b["box"]: b["count"] for b in grid["boxes"]}  # noqa: E731
    assert counts(after) == counts(before) | {5: counts(before)[5] - 1, 8: counts(before)[8] + 1}
    assert after["calibrated"] == before["calibrated"] + 1

    decree = {"decree_number": "800/017/SK/BKPSDM/2026", "approved_by": "Tim Penilai Kinerja PNS"}
    final = ok(await api.post(ADMIN, f"/api/v1/talent-reviews/{story.review_id}/finalize", json=decree))
    assert (final["finalized"], final["decree_number"]) == (True, decree["decree_number"])
    refused = await api.post(ADMIN, f"{placements}/{person['nip']}/calibrations", json={**reason, "box": 9})
    problem(refused, 409, "review_finalized")


async def ask_for_successors(api: Api, story: Story) -> None:
    path = f"/api/v1/positions/{story.key_position}/successors"
    answer = ok(await api.get(ADMIN, path, params={"include_excluded": "true"}))
    assert (answer["position_id"], answer["review_id"]) == (story.key_position, story.review_id)
    candidates = answer["candidates"]
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    assert 1 <= len(candidates) <= 3  # the policy's shortlist size
    assert (candidates[0]["nip"], candidates[0]["readiness"], candidates[0]["box"]) == (SARI, "ready_now", 9)
    assert all(c["reasons"] and c["readiness"] in ("ready_now", "ready_1_2_years", "ready_3_plus_years")
               for c in candidates)  # fmt: skip
    assert answer["excluded"], "a demo agency has people at the feeder level who fail a rule"
    assert all(e["rules"] and set(e["rules"]) <= RULE_CODES for e in answer["excluded"])
    assert not {c["nip"] for c in candidates} & {e["nip"] for e in answer["excluded"]}
    overview = ok(await api.get(ADMIN, f"/api/v1/agencies/{LAMPUNG_BARAT}/succession-overview"))
    ours = next(p for p in overview["positions"] if p["position_id"] == story.key_position)
    assert (ours["incumbent_nip"], ours["successors"]["ready_now"]) == (DEWI, 1)
    assert ours["incumbent_retirement_date"] == ok(await api.get(ADMIN, f"/api/v1/employees/{DEWI}"))["retirement_date"]


async def read_the_audit_trail(api: Api, story: Story) -> None:
    events = ok(await api.get(ADMIN, "/api/v1/audit-events", params={"nip": SARI, "limit": 500}))["items"]
    actions = {e["action"] for e in events}
    assert {"employees.create", "performance_ratings.write", "competency_assessments.create",
            "potential_assessments.create", "placements.read", "successors.read"} <= actions  # fmt: skip
    assert all(e["nip"] == SARI and e["actor_name"] == ADMIN for e in events)
    by_request = {e["request_id"]: e for e in events}
    for action in ("employees.create", "performance_ratings.write"):
        event = by_request[story.request_ids[action]]
        assert (event["action"], event["outcome"], event["client_id"]) == (action, "success", "first-party")
    reused = [e for e in events if e["action"] == "competency_assessments.create" and e["status"] == 422]
    assert [e["outcome"] for e in reused] == ["failure"]  # a refused write is audited too


async def the_person_concerned(api: Api, story: Story) -> None:
    employee = "pegawai.lampungbarat"
    placements = f"/api/v1/talent-reviews/{story.review_id}/placements"
    read = await api.get(ADMIN, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}")  # the admin looks them up
    ok(read)
    me = ok(await api.get(employee, "/api/v1/me"))
    assert (me["nip"], me["roles"]) == (DEMO_EMPLOYEE_NIP, ["employee"])
    log = ok(await api.get(employee, "/api/v1/me/access-log"))["items"]
    seen = next(e for e in log if e["request_id"] == read.headers["x-request-id"])
    assert (seen["actor_name"], seen["action"], seen["client_id"]) == (ADMIN, "employees.read", "first-party")
    assert ok(await api.get(employee, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}"))["nip"] == DEMO_EMPLOYEE_NIP
    own = ok(await api.get(employee, f"{placements}/{DEMO_EMPLOYEE_NIP}"))
    assert own["nip"] == DEMO_EMPLOYEE_NIP
    talent = ok(await api.get(employee, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}/talent"))
    assert talent["latest"]["review_id"] == story.review_id
    for other in (f"/api/v1/employees/{SARI}", f"{placements}/{SARI}", f"/api/v1/employees/{SARI}/talent"):
        problem(await api.get(employee, other), 404)
    problem(await api.get(employee, "/api/v1/employees"), 403)
    problem(await api.get(employee, "/api/v1/audit-events"), 403)
