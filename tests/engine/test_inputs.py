"""Building engine columns from the export: strings, codes, gaps, bad values, and the pyarrow CSV path."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from services.scoring.engine import InputError, inputs_from_columns, place
from services.scoring.engine.arrow import csv_column_types, inputs_from_arrow
from services.scoring.engine.builtin_policies import SIMATA_2025
from services.scoring.engine.codes import COMPETENCIES, LEVELS
from services.scoring.engine.inputs import ENGINE_COLUMNS
from tests.engine.factory import BASE, build, row

EXPORT_HEADER = [
    "nip", "name", "agency_id", "unit_id", "employment_type", "gender", "birth_date", "retirement_date",
    "position_id", "position_type", "functional_level", "position_since", "level_since", "rank", "rank_order",
    "rank_since", "education_level", "predikat_y", "predikat_y1", "competency_assessed_on",
    *(f"lvl_{code}" for code in COMPETENCIES), *(f"std_{code}" for code in COMPETENCIES),
    "potential_assessed_on", "potential_score", "sanctions_in_force", "ringan_recent", "sedang_recent",
    "berat_recent", "last_heavy_sanction_ended_on", "awards_recent",
]  # fmt: skip


def columns_of(rows: list[dict]) -> dict[str, np.ndarray]:
    return {name: np.array([r.get(name) for r in rows], dtype=object) for name in EXPORT_HEADER}


def test_the_export_header_holds_every_engine_column() -> None:
    assert set(ENGINE_COLUMNS) <= set(EXPORT_HEADER)


def test_codes_dates_and_gaps_are_encoded() -> None:
    rows = [
        row(),
        row(
            position_type="fungsional",
            functional_level="ahli_madya",
            predikat_y="",
            rank_order=None,
            level_since="",
            potential_score="",
            levels={"integritas": 4},
            standard={"kerja_sama": 2},
        ),
    ]
    inputs = inputs_from_columns(columns_of(rows))
    assert inputs.level.tolist() == [LEVELS.index("administrator"), LEVELS.index("ahli_madya")]
    assert inputs.predikat_y.tolist() == [1, -1]  # baik, missing
    assert inputs.rank_order.tolist() == [34, -1]
    assert inputs.level_since.dtype == np.dtype("datetime64[D]")
    assert np.isnat(inputs.level_since[1])
    assert inputs.potential_score[0] == 80.0
    assert np.isnan(inputs.potential_score[1])
    assert inputs.competency_levels[1].tolist() == [4, 0, 0, 0, 0, 0, 0, 0, 0]
    assert inputs.competency_standard[1].tolist() == [0, 2, 0, 0, 0, 0, 0, 0, 0]
    assert inputs.competency_levels.flags.f_contiguous


def test_integer_codes_are_accepted_as_they_are() -> None:
    columns = columns_of([row(), row()])
    columns["predikat_y"] = np.array([0, -1], dtype=np.int8)
    assert inputs_from_columns(columns).predikat_y.tolist() == [0, -1]
    columns["predikat_y"] = np.array([0, 5], dtype=np.int8)
    with pytest.raises(InputError, match="predikat_y"):
        inputs_from_columns(columns)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("predikat_y", "bagus", "unknown code 'bagus'"),
        ("education_level", "s4", "unknown code"),
        ("position_type", "kepala", "unknown code"),
        ("lvl_integritas", 6, "1..5"),
        ("std_kerja_sama", 0, "1..5"),
        ("rank_order", 46, "1..45"),
        ("ringan_recent", -1, "0..10000"),
        ("awards_recent", 1.5, "whole number"),
        ("potential_score", 100.5, "0..100"),
        ("birth_date", "31-12-1980", "not a date"),
        ("potential_score", "high", "not a number"),
    ],
)
def test_bad_values_name_their_column(column, value, message) -> None:
    with pytest.raises(InputError, match=message) as error:
        inputs_from_columns(columns_of([row(), row(**{column: value})]))
    assert error.value.column == column


def test_an_absent_column_is_refused() -> None:
    columns = columns_of([row()])
    del columns["awards_recent"]
    with pytest.raises(InputError, match="awards_recent: column absent"):
        inputs_from_columns(columns)


def test_take_selects_rows() -> None:
    inputs = build([row(nip="1"), row(nip="2"), row(nip="3")])
    assert inputs.take(np.array([2, 0])).nip.tolist() == ["3", "1"]
    assert len(inputs.take(slice(1, None))) == 2


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    out.write(",".join(EXPORT_HEADER) + "\n")
    for r in rows:
        out.write(",".join("" if r.get(name) is None else str(r[name]) for name in EXPORT_HEADER) + "\n")
    return out.getvalue().encode()


def _read(data: bytes) -> pa.Table:
    options = pa_csv.ConvertOptions(column_types=csv_column_types(), strings_can_be_null=True)
    return pa_csv.read_csv(io.BytesIO(data), convert_options=options)


def test_arrow_path_equals_the_dict_path() -> None:
    rows = [
        row(),
        row(nip="199001012015012002", predikat_y=None, potential_score=77.99, education_level="d3"),
        row(position_type="fungsional", functional_level="penyelia", standard={"integritas": 3}, awards_recent=2),
        row(competency_assessed_on=None, last_heavy_sanction_ended_on="2024-02-29", sedang_recent=1, rank_order=None),
    ]
    from_arrow = inputs_from_arrow(_read(_csv(rows)))
    from_dict = build(rows)
    for name in ("employment_type", "level", "education", "predikat_y", "rank_order", "competency_levels",
                 "competency_standard", "potential_score", "awards_recent", "sedang_recent"):  # fmt: skip
        np.testing.assert_array_equal(getattr(from_arrow, name), getattr(from_dict, name), err_msg=name)
    for name in ("birth_date", "level_since", "competency_assessed_on", "last_heavy_sanction_ended_on"):
        np.testing.assert_array_equal(getattr(from_arrow, name), getattr(from_dict, name), err_msg=name)
    assert from_arrow.nip.tolist() == [r["nip"] for r in rows]
    a, b = place(from_arrow, SIMATA_2025, 2025), place(from_dict, SIMATA_2025, 2025)
    np.testing.assert_array_equal(a.box, b.box)
    np.testing.assert_array_equal(a.missing, b.missing)


def test_arrow_path_refuses_unknown_codes() -> None:
    with pytest.raises(InputError, match="employment_type: unknown code 'honorer'"):
        inputs_from_arrow(_read(_csv([row(), row(employment_type="honorer")])))


def test_base_row_is_a_full_export_row() -> None:
    assert set(BASE) <= set(EXPORT_HEADER)
