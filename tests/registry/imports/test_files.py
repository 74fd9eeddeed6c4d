"""Files that cannot be imported get a clear 4xx before any job starts; odd rows become row errors."""

from __future__ import annotations

import asyncio
import io
import pathlib
import time

import pytest
from fastapi import FastAPI

from services.common.errors import ValidationFailed
from services.registry.imports.upload import store_upload
from tests.registry.conftest import Api
from tests.registry.factory import nip, ok
from tests.registry.imports.conftest import MAX_IMPORT_BYTES, finished, fresh_org, run_import, upload

HEADER = "nip,name,employment_type\n"


def import_dir(app: FastAPI) -> pathlib.Path:
    return pathlib.Path(app.state.settings.import_dir)


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"\xef\xbb\xbf  \n\n", 422, "empty_file"),
        (HEADER.encode(), 422, "empty_file"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), 415, "not_csv"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), 415, "not_csv"),
        (b"nip,name\x00\x01\x02", 415, "not_csv"),
        ("nip,name,employment_type\n198609262015051001,Dédé,pns\n".encode("latin-1"), 415, "unsupported_encoding"),
        ("nip,name,employment_type\n".encode("utf-16"), 415, "unsupported_encoding"),
        (b'[{"nip": "198609262015051001"}]', 415, "not_csv"),
        (b'{"nip": "198609262015051001", \n', 422, "bad_ndjson"),
        (b"nip,nama,jabatan_lama,umur\n1,2,3,4\n", 422, "bad_columns"),
        (b"name,employment_type\nA,pns\n", 422, "bad_columns"),
        (b"nip,NIP Baru,name\n1,2,3\n", 422, "bad_columns"),
        (HEADER.encode() + b"198609262015051001,A,pns\n" * 5000 + b"198609262015051002,\x00,pns\n", 415, "not_csv"),
    ],
    ids=[
        "empty",
        "bom-only",
        "header-only",
        "xlsx",
        "png",
        "binary",
        "latin-1",
        "utf-16",
        "json-array",
        "ndjson-first-line",
        "unknown-columns",
        "missing-nip",
        "nip-twice",
        "nul-past-the-sniffed-head",
    ],  # fmt: skip
)
async def test_unusable_files_are_refused_at_once(
    bulk_api: Api, bulk_app: FastAPI, content: bytes, status: int, code: str
) -> None:
    org = await fresh_org(bulk_api)
    before = set(import_dir(bulk_app).iterdir())
    response = await upload(bulk_api, "employees", org["code"], content)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert set(import_dir(bulk_app).iterdir()) == before  # nothing left on disk


def test_a_cell_over_the_csv_readers_limit_is_a_422(tmp_path: pathlib.Path) -> None:
    """Python's csv module refuses cells over 1 MiB: that was a 500 at upload (the test app's limit is lower)."""
    content = HEADER.encode() + b"198609262015051001," + b"A" * (2 << 20) + b",pns\n"
    with pytest.raises(ValidationFailed) as refused:
        store_upload(io.BytesIO(content), tmp_path, "01-big", "employees", 16 << 20)
    assert refused.value.instance_code == "bad_csv"
    assert list(tmp_path.iterdir()) == []


async def test_refusals_name_the_problem(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    latin = await upload(
        bulk_api, "employees", org["code"], "nip,name,employment_type\n1,\nX,Dédé,pns\n".encode("cp1252")
    )
    assert "line 3" in latin.json()["detail"]
    assert "UTF-8" in latin.json()["detail"]
    columns = await upload(bulk_api, "employees", org["code"], b"NIP,Nama,Umur,Hobi\n1,2,3,4\n")
    assert "'Umur'" in columns.json()["detail"]
    assert ["body", "file", "columns", "Umur"] in [e["loc"] for e in columns.json()["errors"]]
    excel = await upload(bulk_api, "employees", org["code"], b"PK\x03\x04" + bytes(64))
    assert "Excel" in excel.json()["detail"]
    unnamed = await upload(bulk_api, "employees", org["code"], HEADER, filename="")  # a form field, not a file
    assert (unnamed.status_code, unnamed.json()["errors"][0]["loc"]) == (422, ["body", "file"])
    nul = await upload(bulk_api, "employees", org["code"] + "\x00", HEADER + f"{nip()},A,pns\n")  # was a 500
    assert (nul.status_code, nul.json()["errors"][0]["loc"]) == (422, ["body", "agency_id"])


async def test_oversize_is_413(bulk_api: Api, bulk_app: FastAPI) -> None:
    org = await fresh_org(bulk_api)
    row = f"{nip()},{'x' * 150},pns\n"
    just_over = HEADER + row * (MAX_IMPORT_BYTES // len(row) + 1)
    response = await upload(bulk_api, "employees", org["code"], just_over)
    assert (response.status_code, response.json()["code"]) == (413, "import_too_large")
    far_over = await upload(bulk_api, "employees", org["code"], just_over * 2)  # refused by its Content-Length
    assert (far_over.status_code, far_over.json()["code"]) == (413, "import_too_large")
    assert not list(import_dir(bulk_app).glob("*.part"))


HOSTILE = ["../../../../tmp/evil.csv", "..\\..\\evil.csv", "a\x00b\r\n.csv", "/etc/passwd", "...."]


@pytest.mark.parametrize(("seq", "name"), [(f"20{i}", name) for i, name in enumerate(HOSTILE)])
async def test_hostile_file_names_never_reach_the_filesystem(
    bulk_api: Api, bulk_app: FastAPI, seq: str, name: str
) -> None:
    org = await fresh_org(bulk_api)
    response = await upload(bulk_api, "employees", org["code"], HEADER + f"{nip(seq=seq)},A,pns\n", filename=name)
    job = await finished(bulk_api, response)
    assert job["status"] == "completed"
    assert "/" not in job["file_name"]
    assert "\\" not in job["file_name"]
    assert ".." not in job["file_name"]
    assert all(ch.isprintable() for ch in job["file_name"])
    assert not await asyncio.to_thread(pathlib.Path("/tmp/evil.csv").exists)
    assert await upload_deleted(bulk_app, job["id"])  # the upload is deleted once the job ends


async def upload_deleted(app: FastAPI, job_id: str, seconds: float = 5.0) -> bool:
    """Whether the job's stored upload is gone within `seconds`: it is deleted just after its status commits."""
    deadline = time.monotonic() + seconds
    while list(import_dir(app).glob(f"{job_id}*")):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_a_file_name_longer_than_a_part_header_may_be_is_a_422_naming_the_body(
    bulk_api: Api, bulk_app: FastAPI
) -> None:
    """Starlette's 400 "Invalid multipart data." was an undocumented answer (found by the hostile suite)."""
    org = await fresh_org(bulk_api)
    response = await upload(
        bulk_api, "employees", org["code"], HEADER + f"{nip(seq='230')},A,pns\n", filename="x" * 5000
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["errors"][0]["loc"]) == ("validation_failed", ["body"])
    assert "file name included, fit in 4 KiB" in problem["errors"][0]["message"]
    assert not list(import_dir(bulk_app).glob("*.part"))


async def test_broken_ndjson_lines_and_odd_csv_rows_are_row_errors(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    lines = [
        f'{{"nip": "{nip(seq="211")}", "name": "A", "employment_type": "pns"}}',
        '{"nip": "1986092620150510", "name": ',
        "[1, 2]",
        f'{{"nip": "{nip(seq="214")}", "name": "B", "employment_type": "pns", "hobby": "golf"}}',
        f'{{"nip": "{nip(seq="215")}", "name": {{"first": "C"}}, "employment_type": "pns"}}',
        "",
        f'{{"nip": "{nip(seq="217")}", "nama": "D", "jenis_pegawai": "PNS"}}',
        f'{{"nip": "{nip(seq="218")}", "name": "E\\u0000", "employment_type": "pns"}}',  # PostgreSQL refuses NUL
        f'{{"nip": "{nip(seq="219")}", "name": "F", "employment_type": "pns", "x\\u0000": 1}}',
    ]
    job = await run_import(
        bulk_api, "employees", org["code"], "\n".join(lines) + "\n", filename="x.ndjson", mode="partial"
    )
    assert {(e["row"], e["code"]) for e in job["errors"]} == {
        (2, "bad_json"), (3, "bad_json"), (4, "unknown_field"), (5, "invalid_format"), (8, "invalid_format"),
        (9, "unknown_field")}  # fmt: skip
    assert (job["rows_written"], job["rows_total"]) == (2, 8)
    csv = HEADER + f"{nip(seq='221')},A,pns\n{nip(seq='222')},B,pns,extra\n,,\n{nip(seq='223')},C,pns,\n"
    job = await run_import(bulk_api, "employees", org["code"], csv, mode="partial")
    assert [(e["row"], e["code"]) for e in job["errors"]] == [(3, "extra_cells")]
    assert job["rows_written"] == 2


async def test_semicolons_bom_and_indonesian_values(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    content = (
        "\ufeffNIP;NAMA;Jenis Pegawai;Jabatan;TMT Jabatan;gol / ruang;TMT Golongan;Pendidikan Terakhir;Jenis Kelamin\n"
        f"{nip(seq='231')};Rina;P3K;Pengadministrasi Umum;02-01-2024;ix;01/01/2024;D-III;P\n"
    )
    job = await run_import(bulk_api, "employees", org["code"], content.encode("utf-8"))
    assert [(e["field"], e["code"]) for e in job["errors"]] == [("gender", "gender_mismatch")]
    job = await run_import(bulk_api, "employees", org["code"], content.replace(";P\n", ";L\n"))
    assert job["status"] == "completed", job["errors"]
    person = await ok(await bulk_api.get(f"/v1/employees/{nip(seq='231')}"), 200)
    assert (person["employment_type"], person["rank"], person["education_level"]) == ("pppk", "IX", "d3")
    assert (person["position_since"], person["rank_since"]) == ("2024-01-02", "2024-01-01")


async def test_idempotency_key_replays_the_first_answer(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    content, key = HEADER + f"{nip(seq='241')},A,pns\n", {"Idempotency-Key": "upload-241"}
    first = await upload(bulk_api, "employees", org["code"], content, headers=key)
    again = await upload(bulk_api, "employees", org["code"], content, headers=key)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = await upload(bulk_api, "employees", org["code"], content + f"{nip(seq='242')},B,pns\n", headers=key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    await finished(bulk_api, first)
