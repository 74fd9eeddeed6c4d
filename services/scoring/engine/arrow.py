"""pyarrow -> engine columns, without per-row Python: the one module of the engine that needs pyarrow.

The scoring service parses the registry's CSV with `pyarrow.csv.read_csv(source,
convert_options=pyarrow.csv.ConvertOptions(column_types=csv_column_types()))` and hands the table to
`inputs_from_arrow`. Code columns are matched against the code tables in C (`pyarrow.compute.index_in`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .inputs import (
    CODE_COLUMNS,
    COUNT_COLUMNS,
    DATE_COLUMNS,
    ENGINE_COLUMNS,
    LEVEL_COLUMNS,
    STANDARD_COLUMNS,
    InputError,
    ScoringInputs,
    inputs_from_columns,
)


def csv_column_types() -> dict[str, Any]:
    """pyarrow types for the export's columns the engine reads (the rest are left to inference)."""
    types: dict[str, Any] = {name: pa.string() for name in ("nip", *CODE_COLUMNS)}
    types |= dict.fromkeys(DATE_COLUMNS, pa.date32())
    types |= dict.fromkeys((*COUNT_COLUMNS, *LEVEL_COLUMNS, *STANDARD_COLUMNS, "rank_order"), pa.int16())
    types["potential_score"] = pa.float64()
    return types


def _codes(column: pa.ChunkedArray, codes: tuple[str, ...], name: str) -> np.ndarray[Any, Any]:
    text = pc.cast(column, pa.string())
    present = pc.and_(pc.is_valid(text), pc.not_equal(text, ""))
    index = pc.index_in(text, value_set=pa.array(codes))
    unknown = pc.and_(present, pc.is_null(index))
    if pc.any(unknown).as_py():
        first = pc.filter(text, unknown)[0].as_py()
        raise InputError(name, f"unknown code {first!r}")
    encoded: np.ndarray[Any, Any] = pc.fill_null(index, -1).to_numpy().astype(np.int8)
    return encoded


def _numbers(column: pa.ChunkedArray) -> np.ndarray[Any, Any]:
    numbers: np.ndarray[Any, Any] = pc.fill_null(pc.cast(column, pa.float64()), np.nan).to_numpy()
    return numbers


def _dates(column: pa.ChunkedArray, name: str) -> np.ndarray[Any, Any]:
    try:
        days = pc.cast(column, pa.date32()) if column.type != pa.date32() else column
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise InputError(name, f"not a date ({error})") from None
    converted: np.ndarray[Any, Any] = days.to_numpy().astype("datetime64[D]")
    return converted


def inputs_from_arrow(table: pa.Table) -> ScoringInputs:
    """Build `ScoringInputs` from a pyarrow table of the export (extra columns ignored)."""
    absent = [name for name in ENGINE_COLUMNS if name not in table.column_names]
    if absent:
        raise InputError(absent[0], "column absent")
    columns: dict[str, Any] = {"nip": pc.cast(table["nip"], pa.string()).to_numpy().astype(str)}
    columns |= {name: _codes(table[name], codes, name) for name, codes in CODE_COLUMNS.items()}
    columns |= {name: _dates(table[name], name) for name in DATE_COLUMNS}
    numbers = ("rank_order", "potential_score", *COUNT_COLUMNS, *LEVEL_COLUMNS, *STANDARD_COLUMNS)
    columns |= {name: _numbers(table[name]) for name in numbers}
    return inputs_from_columns(columns)
