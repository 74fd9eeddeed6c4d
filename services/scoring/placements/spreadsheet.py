"""A review's placements as a CSV for people: the talent committee opens it in a spreadsheet.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and a leading tab or carriage return
can hide one), so such a cell could call out to the internet or run commands on the committee's machine (OWASP
"CSV injection"). Names and calibration reasons come from imports, SIASN and people: every text cell that starts
with one of those characters gets a leading apostrophe, which spreadsheets show as text and do not display.
Numbers the service writes itself (boxes, scores) are never negative, so nothing of ours is changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "nip", "name", "unit_id", "position_id", "status", "box", "effective_box", "effective_box_label_id",
    "effective_box_label_en", "performance_level", "potential_level", "potential_score", "jpm", "in_talent_pool",
    "missing", "calibrated_box", "calibration_reason", "calibrated_by",
)  # fmt: skip
Cell = str | int | float | bool | None


def neutralise(value: Cell) -> str:
    """The text of a cell as a spreadsheet must show it: never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


async def csv_chunks(rows: AsyncIterator[Sequence[Cell]]) -> AsyncIterator[bytes]:
    """UTF-8 CSV (with a BOM, so Excel reads it as UTF-8), the header first, then a chunk per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    count = 0
    async for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
