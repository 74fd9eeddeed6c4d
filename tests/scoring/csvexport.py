"""Engine inputs written back as the registry's scoring-inputs CSV (DESIGN.md column order), for data-path tests."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from services.scoring.engine.codes import COMPETENCIES, EDUCATION, EMPLOYMENT_TYPES, FUNCTIONAL_LEVELS, LEVELS, PREDIKAT
from services.scoring.engine.inputs import ScoringInputs


def _codes(values: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int16), mask=values < 0), pa.array(names)).cast(
        pa.string()
    )


def _dates(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), mask=np.isnat(values)).cast(pa.date32())


def export_csv(inputs: ScoringInputs, agency_id: str = "agency-1") -> bytes:
    """The CSV the registry would answer for these people (names made up, one unit and position per level)."""
    n = len(inputs)
    level_names = np.array([*LEVELS, ""], dtype=object)[np.where(inputs.level >= 0, inputs.level, len(LEVELS))]
    functional = np.isin(level_names, FUNCTIONAL_LEVELS)
    position_type = np.where(functional, "fungsional", level_names)
    columns: dict[str, pa.Array] = {
        "nip": pa.array(inputs.nip.astype(str)),
        "name": pa.array([f"Pegawai {i}" for i in range(n)]),
        "agency_id": pa.array([agency_id] * n),
        "unit_id": pa.array([f"unit-{i % 7}" for i in range(n)]),
        "employment_type": _codes(inputs.employment_type, EMPLOYMENT_TYPES),
        "gender": pa.array(["male"] * n),
        "birth_date": _dates(inputs.birth_date),
        "retirement_date": _dates(inputs.retirement_date),
        "position_id": pa.array([f"position-{name}" if name else None for name in level_names]),
        "position_type": pa.array([name or None for name in position_type]),
        "functional_level": pa.array([name if f else None for name, f in zip(level_names, functional, strict=True)]),
        "position_since": _dates(inputs.position_since),
        "level_since": _dates(inputs.level_since),
        "rank": pa.array(["III/c"] * n),
        "rank_order": pa.array(inputs.rank_order, mask=inputs.rank_order < 0),
        "rank_since": _dates(inputs.rank_since),
        "education_level": _codes(inputs.education, EDUCATION),
        "predikat_y": _codes(inputs.predikat_y, PREDIKAT),
        "predikat_y1": _codes(inputs.predikat_y1, PREDIKAT),
        "competency_assessed_on": _dates(inputs.competency_assessed_on),
    }
    for prefix, matrix in (("lvl", inputs.competency_levels), ("std", inputs.competency_standard)):
        for index, code in enumerate(COMPETENCIES):
            column = matrix[:, index]
            columns[f"{prefix}_{code}"] = pa.array(column.astype(np.int16), mask=column == 0)
    columns["potential_assessed_on"] = _dates(inputs.potential_assessed_on)
    columns["potential_score"] = pa.array(inputs.potential_score, mask=np.isnan(inputs.potential_score))
    for name in ("sanctions_in_force", "ringan_recent", "sedang_recent", "berat_recent"):
        columns[name] = pa.array(getattr(inputs, name))
    columns["last_heavy_sanction_ended_on"] = _dates(inputs.last_heavy_sanction_ended_on)
    columns["awards_recent"] = pa.array(inputs.awards_recent)
    buffer = io.BytesIO()
    pacsv.write_csv(pa.table(columns), buffer, pacsv.WriteOptions(quoting_style="none"))
    return buffer.getvalue()
