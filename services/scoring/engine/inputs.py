"""The engine's input: one NumPy array per column of the registry's scoring-inputs export.

Encodings (length-n arrays, or n x 9 for competencies, in `codes.COMPETENCIES` order):
- dates: `datetime64[D]`, NaT = missing;
- codes: `int8`, the index in the `codes.py` tuple, -1 = missing (`level` is derived from
  `position_type` + `functional_level`: functional_level when fungsional, else position_type);
- `rank_order`: `int16` (PNS 11..45, PPPK 1..17), -1 = missing;
- competency levels and standards: `uint8` 1..5, 0 = not assessed / not named by the standard;
- `potential_score`: `float64` 0..100, NaN = missing;
- sanction and award counts: `int32`, an empty field counts 0 (no record of one);
- `nip`: any 1-d array whose items compare in NIP order (fixed-width str, or int64).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .codes import (
    COMPETENCIES,
    EDUCATION,
    EMPLOYMENT_TYPES,
    FUNCTIONAL_LEVELS,
    LEVELS,
    POSITION_TYPES,
    PREDIKAT,
)

LEVEL_COLUMNS: Final = tuple(f"lvl_{code}" for code in COMPETENCIES)
STANDARD_COLUMNS: Final = tuple(f"std_{code}" for code in COMPETENCIES)
CODE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "employment_type": EMPLOYMENT_TYPES,
    "position_type": POSITION_TYPES,
    "functional_level": FUNCTIONAL_LEVELS,
    "education_level": EDUCATION,
    "predikat_y": PREDIKAT,
    "predikat_y1": PREDIKAT,
}
DATE_COLUMNS: Final = (
    "birth_date",
    "retirement_date",
    "position_since",
    "level_since",
    "rank_since",
    "competency_assessed_on",
    "potential_assessed_on",
    "last_heavy_sanction_ended_on",
)
COUNT_COLUMNS: Final = ("sanctions_in_force", "ringan_recent", "sedang_recent", "berat_recent", "awards_recent")
NUMBER_COLUMNS: Final = ("rank_order", "potential_score", *COUNT_COLUMNS, *LEVEL_COLUMNS, *STANDARD_COLUMNS)
# The export's columns the engine reads; the others (name, agency_id, unit_id, ...) stay with the caller.
ENGINE_COLUMNS: Final = ("nip", *CODE_COLUMNS, *DATE_COLUMNS, *NUMBER_COLUMNS)


class InputError(ValueError):
    """A column that is absent, of the wrong length, or holds a value outside its domain."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column


@dataclass(frozen=True, eq=False)
class ScoringInputs:
    """Columns for n people (see the module docstring for encodings)."""

    nip: NDArray[Any]
    employment_type: NDArray[np.int8]
    level: NDArray[np.int8]
    education: NDArray[np.int8]
    predikat_y: NDArray[np.int8]
    predikat_y1: NDArray[np.int8]
    birth_date: NDArray[np.datetime64]
    retirement_date: NDArray[np.datetime64]
    position_since: NDArray[np.datetime64]
    level_since: NDArray[np.datetime64]
    rank_order: NDArray[np.int16]
    rank_since: NDArray[np.datetime64]
    competency_assessed_on: NDArray[np.datetime64]
    competency_levels: NDArray[np.uint8]
    competency_standard: NDArray[np.uint8]
    potential_assessed_on: NDArray[np.datetime64]
    potential_score: NDArray[np.float64]
    sanctions_in_force: NDArray[np.int32]
    ringan_recent: NDArray[np.int32]
    sedang_recent: NDArray[np.int32]
    berat_recent: NDArray[np.int32]
    last_heavy_sanction_ended_on: NDArray[np.datetime64]
    awards_recent: NDArray[np.int32]

    def __post_init__(self) -> None:
        size = len(self.nip)
        for field in fields(self):
            column = getattr(self, field.name)
            if column.shape[0] != size:
                raise InputError(field.name, f"has {column.shape[0]} rows, nip has {size}")
        for name in ("competency_levels", "competency_standard"):
            matrix = getattr(self, name)
            if matrix.shape != (size, len(COMPETENCIES)):
                raise InputError(name, f"must be n x {len(COMPETENCIES)}")
            # Column-major makes the per-person sums over 9 competencies ~15x faster.
            object.__setattr__(self, name, np.asfortranarray(matrix, dtype=np.uint8))

    def __len__(self) -> int:
        return len(self.nip)

    def take(self, rows: NDArray[np.integer[Any]] | slice) -> ScoringInputs:
        """The same columns for a subset of rows (indices or a slice)."""
        return ScoringInputs(**{field.name: getattr(self, field.name)[rows] for field in fields(self)})


def _nulls(values: NDArray[Any]) -> NDArray[np.bool_]:
    nulls: NDArray[np.bool_]
    if values.dtype.kind == "O":
        nulls = np.fromiter((item is None or item == "" for item in values), dtype=np.bool_, count=len(values))
    elif values.dtype.kind in "US":
        nulls = values == values.dtype.type("")
    else:
        nulls = np.zeros(len(values), dtype=np.bool_)
    return nulls


def encode_codes(values: ArrayLike, codes: tuple[str, ...], column: str) -> NDArray[np.int8]:
    """Code strings (None or "" = missing) or already-encoded ints -> int8 codes, -1 = missing."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        if array.size and (array.min() < -1 or array.max() >= len(codes)):
            raise InputError(column, f"code outside -1..{len(codes) - 1}")
        return array.astype(np.int8)
    nulls = _nulls(array)
    text = np.where(nulls, "", array).astype(str)
    distinct, inverse = np.unique(text, return_inverse=True)
    unknown = [str(value) for value in distinct if value and value not in codes]
    if unknown:
        raise InputError(column, f"unknown code {unknown[0]!r}")
    lookup = np.array([codes.index(value) if value else -1 for value in distinct], dtype=np.int8)
    return lookup[inverse.reshape(-1)] if len(distinct) else np.zeros(0, dtype=np.int8)


def _dates(values: ArrayLike, column: str) -> NDArray[np.datetime64]:
    array = np.asarray(values)
    if array.dtype.kind != "M":
        array = np.where(_nulls(array), "NaT", array)
    try:
        return array.astype("datetime64[D]")
    except ValueError as error:
        raise InputError(column, f"not a date ({error})") from None


def _numbers(values: ArrayLike, column: str) -> NDArray[np.float64]:
    array = np.asarray(values)
    if array.dtype.kind in "OUS":
        array = np.where(_nulls(array), np.nan, array)
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(column, f"not a number ({error})") from None


def _integers(values: ArrayLike, column: str, low: int, high: int, absent: int) -> NDArray[np.int64]:
    numbers = _numbers(values, column)
    present = ~np.isnan(numbers)
    if np.any(present & ((numbers < low) | (numbers > high) | (numbers != np.round(numbers)))):
        raise InputError(column, f"must be a whole number {low}..{high}")
    return np.where(present, numbers, absent).astype(np.int64)


def _matrix(columns: Mapping[str, ArrayLike], names: tuple[str, ...]) -> NDArray[np.uint8]:
    return np.stack([_integers(columns[name], name, 1, 5, 0).astype(np.uint8) for name in names], axis=1)


def _level(position_type: NDArray[np.int8], functional_level: NDArray[np.int8]) -> NDArray[np.int8]:
    by_type = np.array([LEVELS.index(t) if t in LEVELS else -1 for t in POSITION_TYPES], dtype=np.int8)
    by_function = np.array([LEVELS.index(f) for f in FUNCTIONAL_LEVELS], dtype=np.int8)
    is_functional = position_type == POSITION_TYPES.index("fungsional")
    functional = np.where(functional_level >= 0, by_function[np.maximum(functional_level, 0)], -1)
    structural = np.where(position_type >= 0, by_type[np.maximum(position_type, 0)], -1)
    return np.where(is_functional, functional, structural).astype(np.int8)


def inputs_from_columns(columns: Mapping[str, ArrayLike]) -> ScoringInputs:
    """Build `ScoringInputs` from the export's columns by name (extra columns ignored; InputError if bad)."""
    absent = [name for name in ENGINE_COLUMNS if name not in columns]
    if absent:
        raise InputError(absent[0], "column absent")
    code = {name: encode_codes(columns[name], codes, name) for name, codes in CODE_COLUMNS.items()}
    dated: dict[str, Any] = {name: _dates(columns[name], name) for name in DATE_COLUMNS}
    counts: dict[str, Any] = {
        name: _integers(columns[name], name, 0, 10_000, 0).astype(np.int32) for name in COUNT_COLUMNS
    }
    potential_score = _numbers(columns["potential_score"], "potential_score")
    if np.any((potential_score < 0) | (potential_score > 100)):
        raise InputError("potential_score", "must be 0..100")
    nip = np.asarray(columns["nip"])
    return ScoringInputs(
        nip=nip.astype(str) if nip.dtype.kind == "O" else nip,
        employment_type=code["employment_type"],
        level=_level(code["position_type"], code["functional_level"]),
        education=code["education_level"],
        predikat_y=code["predikat_y"],
        predikat_y1=code["predikat_y1"],
        rank_order=_integers(columns["rank_order"], "rank_order", 1, 45, -1).astype(np.int16),
        competency_levels=_matrix(columns, LEVEL_COLUMNS),
        competency_standard=_matrix(columns, STANDARD_COLUMNS),
        potential_score=potential_score,
        **dated,
        **counts,
    )
