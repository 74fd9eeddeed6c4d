"""Reading a stored import file (CSV or NDJSON, UTF-8) in batches of rows aligned to a kind's columns.

A row is `(row_number, cells)`: `cells[i]` is the text of the kind's i-th column (None when absent or empty),
or `(row_number, RowError)` when the row cannot be read. CSV rows are numbered as a spreadsheet shows them
(the header is row 1); NDJSON rows by line (the first line is row 1)."""

from __future__ import annotations

import csv
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from services.registry.imports.columns import COLUMNS, NESTED, lookup, map_headers, normalise
from services.registry.imports.messages import RowError, row_error

Cells = list[str | None]
Row = tuple[int, Cells | RowError]
CSV_DELIMITERS = (",", ";", "\t", "|")
csv.field_size_limit(1 << 20)


@dataclass(frozen=True)
class Batch:
    """Rows read, and how far into the file (bytes) the reader got."""

    rows: list[Row]
    bytes_read: int


def sniff_delimiter(header_line: str) -> str:
    """The CSV delimiter of a header line: the candidate that occurs most often (Excel in id-ID writes `;`)."""
    counts = {d: header_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_headers(path: pathlib.Path, delimiter: str) -> list[str]:
    """The header row of a CSV file (empty list when the file has none)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter), [])


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        text = str(value).strip()
        if "\x00" in text:  # "\u0000" in NDJSON: PostgreSQL cannot store it
            raise TypeError("NUL character")
        return text or None
    raise TypeError("not a scalar")


def flatten_json(record: dict[str, Any]) -> dict[str, Any]:
    """An NDJSON object with the API's nested objects (`levels`, `aspects`, `competency_standard`) flattened."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        nested = NESTED.get(normalise(key))
        if nested is not None and isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[nested.get(normalise(inner), f"{key}.{inner}")] = inner_value
        else:
            flat[key] = value
    return flat


class RowReader:
    """Iterates a stored file's rows in batches; reading is synchronous (run it in a worker thread)."""

    def __init__(self, path: pathlib.Path, kind: str, file_format: str, delimiter: str | None) -> None:
        self.kind = kind
        self.names = [c.name for c in COLUMNS[kind]]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.handle = path.open(encoding="utf-8-sig", newline="")
        self.raw: BinaryIO = self.handle.buffer  # type: ignore[assignment]
        self.rows = self._csv(delimiter or ",") if file_format == "csv" else self._ndjson()

    def close(self) -> None:
        """Release the file."""
        self.handle.close()

    def batches(self, size: int) -> Iterator[Batch]:
        """Batches of up to `size` rows."""
        batch: list[Row] = []
        for row in self.rows:
            batch.append(row)
            if len(batch) >= size:
                yield Batch(batch, self.raw.tell())
                batch = []
        yield Batch(batch, self.raw.tell())

    def _csv(self, delimiter: str) -> Iterator[Row]:
        reader = csv.reader(self.handle, delimiter=delimiter)
        header = next(reader, [])
        names = map_headers(self.kind, header)
        where = {self.position[name]: i for i, name in enumerate(names) if name is not None}
        sources = [where.get(target, -1) for target in range(len(self.names))]  # file column of each column
        width = len(header)
        for number, record in enumerate(reader, start=2):
            if len(record) < width:
                record += [""] * (width - len(record))
            cells: Cells = [(record[i].strip() or None) if i >= 0 else None for i in sources]
            if len(record) > width and any(v.strip() for v in record[width:]):
                yield number, row_error(number, "", "extra_cells", cells=len(record), columns=width)
            elif any(cells):
                yield number, cells

    def _ndjson(self) -> Iterator[Row]:
        table = lookup(self.kind)
        width = len(self.names)
        for number, line in enumerate(self.handle, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                yield number, row_error(number, "", "bad_json")
                continue
            if not isinstance(record, dict):
                yield number, row_error(number, "", "bad_json")
                continue
            yield number, self._json_cells(number, flatten_json(record), table, width)

    def _json_cells(self, number: int, record: dict[str, Any], table: dict[str, str], width: int) -> Cells | RowError:
        cells: Cells = [None] * width
        for key, value in record.items():
            name = table.get(normalise(key))
            if name is None:
                return row_error(number, str(key)[:60], "unknown_field", value=str(key)[:60])
            try:
                cells[self.position[name]] = _scalar(value)
            except TypeError:
                return row_error(number, name, "invalid_format", value=str(value)[:60])
        return cells


def first_json_keys(path: pathlib.Path) -> list[str] | None:
    """The keys of the first NDJSON object (flattened), or None when the first line is not one."""
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip():
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    return None
                return list(flatten_json(record)) if isinstance(record, dict) else None
    return []


def has_data_row(path: pathlib.Path, file_format: str, delimiter: str | None) -> bool:
    """Whether the file holds at least one non-blank row after its header (CSV) or at all (NDJSON)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if file_format == "ndjson":
            return any(line.strip() for line in handle)
        reader = csv.reader(handle, delimiter=delimiter or ",")
        next(reader, None)
        return any(any(cell.strip() for cell in record) for record in reader)
