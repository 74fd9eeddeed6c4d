"""Receiving an upload: streamed to disk under a name we choose, hashed, and checked for what is known at once.

Synchronous (call it in a worker thread): the copy never holds more than one chunk in memory."""

from __future__ import annotations

import codecs
import csv
import hashlib
import pathlib
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from services.common.errors import FieldError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, field_error
from services.registry.imports.columns import COLUMNS, HeaderProblem, map_headers
from services.registry.imports.readers import csv_headers, first_json_keys, has_data_row, sniff_delimiter

CHUNK = 1 << 20
SNIFF_BYTES = 1 << 16
# Magic numbers of what clerks upload by mistake, and what to tell them.
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip file; save the sheet as CSV UTF-8 first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save the sheet as CSV UTF-8 first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Every listed kind needs at least one of these columns besides the required ones.
REQUIRE_ONE: dict[str, tuple[str, ...]] = {
    "competency-assessments": tuple(c.name for c in COLUMNS["competency-assessments"][2:]),
    "potential-assessments": tuple(c.name for c in COLUMNS["potential-assessments"][2:]),
}


@dataclass(frozen=True)
class StoredFile:
    """An accepted upload on disk."""

    path: pathlib.Path
    sha256: str
    size: int
    file_format: str  # "csv" or "ndjson"
    delimiter: str | None


def display_name(name: str | None) -> str:
    """The client's file name made harmless for display: no path, no control characters, at most 200 chars."""
    base = re.split(r"[/\\]", name or "")[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r"[^\w .()\-]", "_", cleaned).strip(" .")
    return cleaned[:200] or "upload"


def store_upload(source: BinaryIO, directory: pathlib.Path, import_id: str, kind: str, max_bytes: int) -> StoredFile:
    """Copy the upload to `directory/<import_id>.<csv|ndjson>` and check it; raise a 4xx AppError when unusable."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"{import_id}.part"
    try:
        sha256, size = _copy(source, partial, max_bytes)
        file_format, delimiter = _check_content(partial, kind)
        final = directory / f"{import_id}.{file_format}"
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(final, sha256, size, file_format, delimiter)


def _copy(source: BinaryIO, target: pathlib.Path, max_bytes: int) -> tuple[str, int]:
    digest, size, lines = hashlib.sha256(), 0, 1
    decoder = codecs.getincrementaldecoder("utf-8")()
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            if size == 0:
                _refuse_binary(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(
                    f"The file is larger than the import limit of {max_bytes} bytes; split it.", code="import_too_large"
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _not_utf8(chunk, exc, size - len(chunk), lines) from None
            if b"\x00" in chunk:  # text never holds NUL, and PostgreSQL could not store it
                line = lines + chunk[: chunk.index(b"\x00")].count(b"\n")
                raise UnsupportedMediaType(
                    f"The file holds a NUL byte on line {line}: it is binary, not CSV or NDJSON text.", code="not_csv"
                )
            lines += chunk.count(b"\n")
            digest.update(chunk)
            out.write(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _not_utf8(b"", exc, size, lines) from None
    return digest.hexdigest(), size


def _refuse_binary(head: bytes) -> None:
    if head.startswith(UTF16_BOMS):
        raise UnsupportedMediaType(
            "The file is UTF-16 text; save it as CSV UTF-8 (or UTF-8 NDJSON) and upload it again.",
            code="unsupported_encoding",
        )
    for magic, what in BINARY_SIGNATURES:
        if head.startswith(magic):
            raise UnsupportedMediaType(f"The file is {what}; only CSV and NDJSON are imported.", code="not_csv")
    if b"\x00" in head[:SNIFF_BYTES]:
        raise UnsupportedMediaType("The file is binary, not CSV or NDJSON text.", code="not_csv")


def _not_utf8(chunk: bytes, exc: UnicodeDecodeError, offset: int, lines: int) -> UnsupportedMediaType:
    start = max(0, min(exc.start, len(chunk)))
    line = lines + chunk[:start].count(b"\n")
    bad = chunk[start : start + 1].hex() or "end of file"
    return UnsupportedMediaType(
        f"The file is not UTF-8: byte 0x{bad} on line {line} (byte {offset + start}). It may be Windows-1252 or "
        "Latin-1; save it as 'CSV UTF-8' and upload it again.",
        code="unsupported_encoding",
    )


def _check_content(path: pathlib.Path, kind: str) -> tuple[str, str | None]:
    with path.open(encoding="utf-8-sig") as handle:
        head = handle.read(SNIFF_BYTES).lstrip()
    if not head:
        raise ValidationFailed("The file is empty.", code="empty_file", errors=[field_error(["body", "file"], "empty")])
    if head.startswith("["):
        raise UnsupportedMediaType(
            "The file is a JSON array; write one JSON object per line (NDJSON), or CSV.", code="not_csv"
        )
    if head.startswith("{"):
        keys = first_json_keys(path)
        if keys is None:
            raise ValidationFailed(
                "The first line is not a JSON object: NDJSON has one object per line.",
                code="bad_ndjson",
                errors=[field_error(["body", "file"], "line 1 is not a JSON object")],
            )
        _check_columns(kind, keys)
        return "ndjson", None
    delimiter = sniff_delimiter(head.splitlines()[0])
    try:
        _check_columns(kind, csv_headers(path, delimiter))
        rows = has_data_row(path, "csv", delimiter)
    except csv.Error as exc:  # e.g. a cell over the reader's 1 MiB limit
        raise ValidationFailed(
            f"The file is not CSV a spreadsheet reads: {exc}.", code="bad_csv",
            errors=[field_error(["body", "file"], str(exc))],
        ) from None  # fmt: skip
    if not rows:
        raise ValidationFailed(
            "The file has a header but no rows.", code="empty_file", errors=[field_error(["body", "file"], "no rows")]
        )
    return "csv", delimiter


def _check_columns(kind: str, headers: list[str]) -> None:
    try:
        names = set(map_headers(kind, headers))
    except HeaderProblem as problem:
        raise _columns_error(kind, problem) from None
    wanted = REQUIRE_ONE.get(kind)
    if wanted and not names & set(wanted):
        raise ValidationFailed(
            f"The file needs at least one of the columns {', '.join(wanted)}.",
            code="bad_columns",
            errors=[field_error(["body", "file", "columns"], "needs one of " + ", ".join(wanted))],
        )


def _columns_error(kind: str, problem: HeaderProblem) -> ValidationFailed:
    errors: list[FieldError] = []
    parts = []
    if problem.missing:
        parts.append("missing " + ", ".join(problem.missing))
        errors += [
            field_error(["body", "file", "columns", name], "required column missing") for name in problem.missing
        ]
    if problem.unknown:
        parts.append("unknown " + ", ".join(repr(h) for h in problem.unknown[:20]))
        errors += [field_error(["body", "file", "columns", h[:60]], "unknown column") for h in problem.unknown[:50]]
    if problem.duplicated:
        parts.append("given twice " + ", ".join(repr(h) for h in problem.duplicated))
        errors += [field_error(["body", "file", "columns", h[:60]], "column given twice") for h in problem.duplicated]
    detail = f"The columns do not fit a {kind} import ({'; '.join(parts)}). See docs/IMPORTS.md for the format."
    return ValidationFailed(detail, code="bad_columns", errors=errors)
