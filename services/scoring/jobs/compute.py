"""The compute step of a review, without per-person Python: export CSV -> Arrow -> engine -> placement rows.

The registry's CSV is parsed by pyarrow's C++ reader, the engine works on NumPy arrays, and the rows to
write are assembled as Arrow columns (codes become strings through dictionary arrays), ready for COPY.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from services.scoring import engine
from services.scoring.engine.arrow import csv_column_types, inputs_from_arrow
from services.scoring.engine.codes import PERFORMANCE_LEVELS, POTENTIAL_LEVELS

TEXT_COLUMNS = ("name", "agency_id", "unit_id", "position_id", "rank")
# Export columns kept as they came, so that an explanation is recomputed from exactly what the engine read.
SNAPSHOT_CODES = (
    "employment_type",
    "position_type",
    "functional_level",
    "education_level",
    "predikat_y",
    "predikat_y1",
)
SNAPSHOT_DATES = (
    "birth_date",
    "retirement_date",
    "position_since",
    "level_since",
    "rank_since",
    "competency_assessed_on",
    "potential_assessed_on",
    "last_heavy_sanction_ended_on",
)
SNAPSHOT_COUNTS = ("sanctions_in_force", "ringan_recent", "sedang_recent", "berat_recent", "awards_recent")


class BadExport(ValueError):
    """The export cannot be read as scoring inputs (a bad row, an unknown code, a missing column)."""


@dataclass(frozen=True)
class PreparedReview:
    """What a review will write: the placement rows and the counts of its summary."""

    table: pa.Table
    box_counts: dict[int, int]
    incomplete: int
    parse_seconds: float
    place_seconds: float

    @property
    def rows(self) -> int:
        """People placed or found incomplete."""
        return int(self.table.num_rows)


def read_export(data: bytes) -> pa.Table:
    """The export CSV as an Arrow table (typed as the engine expects); BadExport if it is not one."""
    types = csv_column_types() | dict.fromkeys(TEXT_COLUMNS, pa.string())
    options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    try:
        return pacsv.read_csv(pa.BufferReader(data), convert_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise BadExport(f"unreadable export: {exc}") from None


def _text(values: NDArray[np.integer[Any]], names: tuple[str, ...], missing: int = -1) -> pa.Array:
    """Integer codes -> strings (null where `missing`), in C via a dictionary array."""
    indices = pa.array(values.astype(np.int16), mask=values == missing)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string())).cast(pa.string())


def _floats(values: NDArray[np.float64]) -> pa.Array:
    return pa.array(values, mask=np.isnan(values))


def _digits(matrix: NDArray[np.uint8]) -> pa.Array:
    """An n x 9 matrix of levels 0..5 as one 9-digit string per row."""
    width = matrix.shape[1]
    packed = (np.ascontiguousarray(matrix, dtype=np.uint8) + ord("0")).view(f"S{width}").ravel()
    return pa.array(packed).cast(pa.string())


def _missing(masks: NDArray[np.uint16]) -> pa.Array:
    distinct, inverse = np.unique(masks, return_inverse=True)
    names = [",".join(engine.missing_codes(int(mask))) for mask in distinct]
    return _text(inverse.reshape(-1), tuple(names))


def _column(export: pa.Table, name: str) -> pa.ChunkedArray:
    return export[name].combine_chunks() if name in export.column_names else pa.nulls(export.num_rows, pa.string())


def placement_table(
    review_id: str, export: pa.Table, inputs: engine.ScoringInputs, placement: engine.PlacementColumns
) -> pa.Table:
    """The rows of the `placements` table for one review, column by column."""
    n = len(inputs)
    box = placement.box.astype(np.int16)
    boxes = pa.array(box, mask=box == 0)
    columns: dict[str, Any] = {
        "review_id": pa.repeat(review_id, n).cast(pa.string()),
        "nip": pa.array(inputs.nip.astype(str)),
        "name": _column(export, "name").fill_null(""),
        "unit_id": _column(export, "unit_id"),
        "position_id": _column(export, "position_id"),
        "placed": pa.array(placement.placed),
        "box": boxes,
        "calibrated_box": pa.nulls(n, pa.int16()),
        "effective_box": boxes,
        "calibration_id": pa.nulls(n, pa.string()),
        "performance_level": _text(placement.performance_level, PERFORMANCE_LEVELS),
        "performance_score": _floats(placement.performance_score),
        "potential_level": _text(placement.potential_level, POTENTIAL_LEVELS),
        "potential_score": _floats(placement.potential_score),
        "jpm": _floats(placement.jpm),
        "jpm_default_standard": pa.array(placement.jpm_default_standard),
        "missing": _missing(placement.missing),
        "version": pa.repeat(1, n).cast(pa.int32()),
    }
    columns |= {name: _column(export, name) for name in (*SNAPSHOT_CODES, *SNAPSHOT_DATES)}
    columns["rank_order"] = pa.array(inputs.rank_order, mask=inputs.rank_order < 0)
    columns["competency_levels"] = _digits(inputs.competency_levels)
    columns["competency_standard"] = _digits(inputs.competency_standard)
    columns["potential_assessment_score"] = _column(export, "potential_score")
    columns |= {name: pa.array(getattr(inputs, name)) for name in SNAPSHOT_COUNTS}
    return pa.table(columns)


def _repeats_a_nip(nips: NDArray[Any]) -> bool:
    """True when a NIP appears twice; the export comes ordered by NIP, which proves it in one pass."""
    if len(nips) < 2 or bool(np.all(nips[1:] > nips[:-1])):
        return False
    return len(np.unique(nips)) != len(nips)


def prepare_review(data: bytes, review_id: str, policy: engine.Policy, period: int) -> PreparedReview:
    """Parse the export, place everyone under `policy`, and assemble the rows to write (CPU-bound: run in a thread)."""
    started = time.perf_counter()
    export = read_export(data)
    try:
        inputs = inputs_from_arrow(export)
    except engine.InputError as exc:
        raise BadExport(f"bad export data: {exc}") from None
    if _repeats_a_nip(inputs.nip):
        raise BadExport("bad export data: a NIP appears twice")
    parsed = time.perf_counter()
    placement = engine.place(inputs, policy, period)
    table = placement_table(review_id, export, inputs, placement)
    counts = np.bincount(placement.box.astype(np.int64), minlength=10)
    return PreparedReview(
        table=table,
        box_counts={box: int(counts[box]) for box in range(1, 10)},
        incomplete=int(np.count_nonzero(~placement.placed)),
        parse_seconds=parsed - started,
        place_seconds=time.perf_counter() - parsed,
    )
