"""Import semantics: atomic and partial, idempotent re-imports, history, duplicates, references, messages, scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.registry.conftest import Api, agency_admin, employee_principal
from tests.registry.factory import make_employee, nip, ok
from tests.registry.imports.conftest import fresh_org, run_import, upload

HEADER = "nip,name,employment_type,position_id,position_since,rank,rank_since,education_level\n"


def person(seq: str, position: str = "Pengadministrasi Umum", rank: str = "II/c", since: str = "2020-01-02") -> str:
    return f"{nip(seq=seq)},Pegawai {seq},pns,{position},{since},{rank},2019-04-01,sma\n"


async def history_counts(api: Api, nips: list[str]) -> list[tuple[int, int, int]]:
    counts = []
    for n in nips:
        h = await ok(await api.get(f"/v1/employees/{n}/history"), 200)
        counts.append((len(h["ranks"]), len(h["positions"]), len(h["education"])))
    return counts


async def test_atomic_refuses_the_whole_file_for_one_bad_row(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    content = HEADER + person("101") + person("102", rank="IX") + person("103")
    job = await run_import(bulk_api, "employees", org["code"], content)
    assert (job["status"], job["rows_total"], job["rows_written"], job["error_count"]) == ("failed", 3, 0, 1)
    assert "atomic" in job["detail"]
    error = job["errors"][0]
    assert (error["row"], error["field"], error["code"]) == (3, "rank", "rank_mismatch")
    assert "tidak sesuai" in error["message_id"]
    assert "does not fit" in error["message_en"]
    for seq in ("101", "102", "103"):
        assert (await bulk_api.get(f"/v1/employees/{nip(seq=seq)}")).status_code == 404


async def test_partial_writes_the_good_rows(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    content = HEADER + person("111") + person("112", rank="IX") + person("113")
    job = await run_import(bulk_api, "employees", org["code"], content, mode="partial")
    assert (job["status"], job["rows_total"], job["rows_written"], job["rows_created"]) == ("completed", 3, 2, 2)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(3, "rank")]
    assert (await bulk_api.get(f"/v1/employees/{nip(seq='112')}")).status_code == 404
    created = await ok(await bulk_api.get(f"/v1/employees/{nip(seq='113')}"), 200)
    assert (created["position_id"], created["unit_id"]) == (org["pelaksana"]["id"], org["dinas"]["id"])
    assert (created["rank"], created["rank_since"], created["position_since"]) == ("II/c", "2019-04-01", "2020-01-02")
    assert created["source"] == "import"
    history = await ok(await bulk_api.get(f"/v1/employees/{nip(seq='113')}/history"), 200)
    rows = [r for kind in ("ranks", "positions", "education") for r in history[kind]]
    assert rows
    assert {(r["source"], r["source_fetched_at"]) for r in rows} == {("import", None)}  # no SIASN fetch


async def test_reimport_changes_nothing(bulk_api: Api, bulk_url: str) -> None:
    org = await fresh_org(bulk_api)
    nips = [nip(seq=s) for s in ("121", "122")]
    content = HEADER + person("121") + person("122", position="Kepala Bidang SD", rank="III/d")
    first = await run_import(bulk_api, "employees", org["code"], content)
    ratings = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(
        f"{n},2025,Diatas Ekspektasi,Sesuai Ekspektasi\n" for n in nips
    )
    await run_import(bulk_api, "performance-ratings", org["code"], ratings)
    before = await snapshot(bulk_api, bulk_url, org, nips)
    second = await run_import(bulk_api, "employees", org["code"], content)
    again = await run_import(bulk_api, "performance-ratings", org["code"], ratings)
    assert (first["rows_created"], second["rows_created"], second["rows_updated"], second["rows_unchanged"]) == (
        2,
        0,
        0,
        2,
    )
    assert (again["rows_created"], again["rows_updated"], again["rows_unchanged"]) == (0, 0, 2)
    assert await snapshot(bulk_api, bulk_url, org, nips) == before


async def snapshot(api: Api, url: str, org: dict[str, Any], nips: list[str]) -> Any:
    """ETags, histories and every table's row count for the agency's people."""
    etags = [(await api.get(f"/v1/employees/{n}")).headers["etag"] for n in nips]
    engine = create_async_engine(url)
    tables = ("employees", "rank_history", "position_history", "education_history", "performance_ratings")
    people = ", ".join(f"'{n}'" for n in nips)
    async with engine.connect() as connection:
        counts = []
        for table in tables:
            query = f"SELECT count(*), max(version), max(updated_at) FROM {table} WHERE nip IN ({people})"
            counts.append(tuple((await connection.execute(text(query))).one()))
    await engine.dispose()
    return etags, counts, await history_counts(api, nips)


async def test_changes_follow_the_history_rules(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    n = nip(seq="131")
    await run_import(
        bulk_api, "employees", org["code"], HEADER + person("131", position="Kepala Bidang SD", rank="III/d")
    )
    # A move to another position of the same level keeps level_since; a promotion opens a new rank row.
    await ok(
        await bulk_api.post(
            "/v1/positions",
            json={
                "agency_id": org["agency"]["id"],
                "unit_id": org["setda"]["id"],
                "name": "Kepala Bagian Umum",
                "position_type": "administrator",
            },
        )
    )
    moved = (
        "NIP,Jabatan,Unit Kerja,TMT Jabatan,Gol/Ruang,TMT Golongan\n"
        + f"{n},Kepala Bagian Umum,SETDA,01-07-2024,IV/a,01-04-2024\n"
    )
    job = await run_import(bulk_api, "employees", org["code"], moved)
    assert (job["status"], job["rows_updated"]) == ("completed", 1), job["errors"]
    employee = await ok(await bulk_api.get(f"/v1/employees/{n}"), 200)
    assert (employee["position_since"], employee["level_since"], employee["unit_id"]) == (
        "2024-07-01",
        "2020-01-02",
        org["setda"]["id"],
    )
    assert (await bulk_api.get(f"/v1/employees/{n}")).headers["etag"] == '"2"'
    history = await ok(await bulk_api.get(f"/v1/employees/{n}/history"), 200)
    assert [(p["level"], p["valid_from"], p["valid_to"]) for p in history["positions"]] == [
        ("administrator", "2020-01-02", "2024-07-01"),
        ("administrator", "2024-07-01", None),
    ]
    assert [(r["rank"], r["valid_to"]) for r in history["ranks"]] == [("III/d", "2024-04-01"), ("IV/a", None)]
    # Back to an earlier date than the current row is refused (history is never rewritten).
    back = "NIP,Gol/Ruang,TMT Golongan\n" + f"{n},IV/b,01-01-2024\n"
    refused = await run_import(bulk_api, "employees", org["code"], back)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("rank_since", "backdated")]
    assert "2024-04-01" in refused["errors"][0]["message_en"]


async def test_duplicates_in_the_file_and_nips_of_another_agency(bulk_api: Api) -> None:
    org, other = await fresh_org(bulk_api), await fresh_org(bulk_api)
    taken = nip(seq="141")
    await make_employee(bulk_api, taken, other["agency"]["id"])
    content = HEADER + person("142") + person("143") + person("142") + person("141")
    job = await run_import(bulk_api, "employees", org["code"], content, mode="partial")
    assert job["rows_written"] == 1
    found = {(e["row"], e["code"]) for e in job["errors"]}
    assert found == {(2, "duplicate_in_file"), (4, "duplicate_in_file"), (5, "nip_in_other_agency")}
    transfer = next(e for e in job["errors"] if e["row"] == 5)
    assert "transfer" in transfer["message_en"]
    assert "mutasi" in transfer["message_id"]
    assert (await ok(await bulk_api.get(f"/v1/employees/{taken}"), 200))["agency_id"] == other["agency"]["id"]


async def test_row_errors_name_the_rule_broken(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    rows = [
        f"{nip(seq='151')},A,pns,Tidak Ada,2020-01-01,II/c,2019-01-01,sma",  # unknown position
        "19861326201505100X,B,pns,,,,,",  # NIP not digits
        f"{nip(seq='153')},C,honorer,,,,,",  # unknown employment type
        f"{nip(seq='154')},D,pns,,31-02-2020,,,",  # impossible date
        f"{nip(seq='155')},E,pns,,,,,doktor",  # education spelled in Indonesian: fine
        f"{nip(seq='156')},,pns,,,,,",  # a new employee needs a name
        f"{nip(seq='157')},G,pns,,,,0003-01-01,",  # a day no career has
    ]
    job = await run_import(bulk_api, "employees", org["code"], HEADER + "\n".join(rows) + "\n", mode="partial")
    found = {e["row"]: (e["field"], e["code"]) for e in job["errors"]}
    assert found == {
        2: ("position_id", "unknown_position"),
        3: ("nip", "invalid_nip"),
        4: ("employment_type", "invalid_choice"),
        5: ("position_since", "invalid_date"),
        7: ("name", "required_for_new"),
        8: ("rank_since", "out_of_range"),
    }
    assert all(e["message_id"] and e["message_en"] and e["message"] for e in job["errors"])
    nip_error = next(e for e in job["errors"] if e["row"] == 3)
    assert "angka" in nip_error["message_id"]
    assert "digits" in nip_error["message_en"]
    assert (await ok(await bulk_api.get(f"/v1/employees/{nip(seq='155')}"), 200))["education_level"] == "s3"


async def test_errors_are_capped_but_counted(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    content = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(
        f"{nip(seq=f'{i:03d}')},2025,hebat,baik\n" for i in range(120)
    )
    job = await run_import(bulk_api, "performance-ratings", org["code"], content)
    assert (job["error_count"], len(job["errors"]), job["errors_truncated"]) == (240, 50, True)
    assert job["errors"][0]["row"] == 2


async def test_records_of_every_kind_refuse_unknown_people_and_self_records(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    own = nip(seq="161")
    await make_employee(bulk_api, own, org["agency"]["id"])
    admin = bulk_api.as_(agency_admin(org["agency"]["id"], nip=own))
    content = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + f"{own},2025,above,above\n{nip(seq='162')},2025,above,above\n"
    job = await run_import(admin, "performance-ratings", org["code"], content, mode="partial")
    assert {(e["row"], e["code"]) for e in job["errors"]} == {(2, "self_assessment"), (3, "unknown_employee")}
    assert job["rows_written"] == 0


async def test_agency_scope(bulk_api: Api) -> None:
    org, other = await fresh_org(bulk_api), await fresh_org(bulk_api)
    own = bulk_api.as_(agency_admin(org["agency"]["id"]))
    response = await upload(own, "employees", other["code"], HEADER + person("171"))
    assert (response.status_code, response.json()["code"]) == (422, "unknown_agency")
    theirs = await upload(
        bulk_api.as_(agency_admin(other["agency"]["id"])), "employees", other["code"], HEADER + person("172")
    )
    assert theirs.status_code == 202
    assert (await own.get(theirs.headers["location"])).status_code == 404
    assert (await bulk_api.get(theirs.headers["location"])).status_code == 200
    employee = bulk_api.as_(employee_principal(org["agency"]["id"], nip(seq="173")))
    assert (await upload(employee, "employees", org["code"], HEADER + person("174"))).status_code == 403
    assert (await bulk_api.get("/v1/imports/01a00000-0000-7000-8000-0000deadbeef")).status_code == 404


def many(count: int) -> list[str]:
    """`count` distinct valid NIPs."""
    return [nip(birth=f"19{70 + i // 336}{1 + i // 28 % 12:02d}{1 + i % 28:02d}", seq="601") for i in range(count)]


async def test_large_atomic_imports_are_all_or_nothing(bulk_api: Api, bulk_url: str) -> None:
    # The test settings make a batch 100 rows: these files span a dozen batches.
    org = await fresh_org(bulk_api)
    people = many(1200)
    employees = "NIP,Nama,Jenis Pegawai\n" + "".join(f"{n},Pegawai,pns\n" for n in people)
    job = await run_import(bulk_api, "employees", org["code"], employees)
    assert (job["status"], job["rows_created"]) == ("completed", 1200)
    ratings = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(f"{n},2025,above,meets\n" for n in people)
    bad_last = ratings.replace(f"{people[-1]},2025,above,meets", f"{people[-1]},2025,above,hebat")
    failed = await run_import(bulk_api, "performance-ratings", org["code"], bad_last)
    assert (failed["status"], failed["error_count"], failed["errors"][0]["row"]) == ("failed", 1, 1201)
    repeated = ratings + f"{people[3]},2025,below,below\n"  # row 1202 repeats row 5, batches earlier
    failed = await run_import(bulk_api, "performance-ratings", org["code"], repeated)
    assert [(e["row"], e["code"]) for e in failed["errors"]] == [(5, "duplicate_in_file"), (1202, "duplicate_in_file")]
    assert "row 5" in failed["errors"][1]["message_en"]
    engine = create_async_engine(bulk_url)
    async with engine.connect() as connection:
        written = await connection.execute(
            text("SELECT count(*) FROM performance_ratings r JOIN employees e USING (nip) WHERE e.agency_id = :a"),
            {"a": org["agency"]["id"]},
        )
        assert written.scalar_one() == 0  # nothing of the failed files
    await engine.dispose()
    job = await run_import(bulk_api, "performance-ratings", org["code"], ratings)
    assert (job["status"], job["rows_created"], job["rows_written"]) == ("completed", 1200, 1200)
