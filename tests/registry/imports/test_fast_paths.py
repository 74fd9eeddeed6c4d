"""The import's fast paths (a common row read without collecting errors) answer exactly what the collecting paths
answer: the same typed row, or the same errors, for good and bad cells alike."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.imports.catalog import Catalog
from services.registry.imports.convert import employee, employee_collecting, rating, rating_collecting
from services.registry.imports.upsert import RatingRow, WriteContext
from services.registry.imports.upsert.record_kinds import rating_record, rating_record_collecting

AGENCY = "0199a000-0000-7000-8000-000000000001"
UNIT = "0199a000-0000-7000-8000-000000000002"
POSITION = "0199a000-0000-7000-8000-000000000003"
CATALOG = Catalog.build(AGENCY, "pemkab-x", [(UNIT, "U1", "Bagian Umum")], [(POSITION, UNIT, "Analis Kebijakan")])
NIPS = ["198001012005011001", "19800101200501100", "198013012005011001", "19800101200501100x", "", None]
YEARS = ["2024", "1990", "2100", "1989", "2101", "2024.0", "24", "tahun", "", None]
LABELS = ["Diatas Ekspektasi", "sesuai", "below", "Baik", "", None]
DATES = ["2020-01-01", "01/02/2020", "2020-13-01", "1800-01-01", "kemarin", None]


def cell(values: list[str | None]) -> st.SearchStrategy[str | None]:
    """A cell as the reader hands it over (stripped; empty is None); mostly its first value, a good one."""
    return st.one_of(*[st.just(values[0])] * 4, st.sampled_from(values)).map(lambda v: v or None)


@settings(max_examples=400, deadline=None)
@given(cell(NIPS), cell(YEARS), cell(LABELS), cell(LABELS), cell([None, "Baik", "Sangat Baik", "Kurang"]))
def test_rating_fast_path_answers_as_the_collecting_path(
    nip: str | None, year: str | None, result: str | None, behavior: str | None, stated: str | None
) -> None:
    cells = [nip, year, result, behavior, stated]
    assert rating(7, cells, CATALOG) == rating_collecting(7, cells, CATALOG)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(NIPS[:4]),
    st.integers(1985, 2105),
    st.sampled_from(["above", "meets", "below", "good"]),
    st.sampled_from(["above", "meets", "below", "good"]),
    st.sampled_from([None, "198001012005011001", "199001012010012002"]),
)
def test_rating_record_fast_path_answers_as_the_collecting_path(
    nip: str, year: int, result: str, behavior: str, caller: str | None
) -> None:
    context = WriteContext(agency_id=AGENCY, actor="test", caller_nip=caller, today=dt.date(2026, 11, 30))
    row = RatingRow(3, nip, year, result, behavior)
    assert rating_record(row, context) == rating_record_collecting(row, context)


@settings(max_examples=1000, deadline=None)
@given(
    cell(NIPS),
    cell(["Budi", None]),
    cell(["pns", "PPPK", "honorer", None]),
    cell([AGENCY, "pemkab-x", "PEMKAB-X", "pemkab-y", None]),
    cell([UNIT, "U1", "bagian  umum", "Bagian Lain", None]),
    cell([POSITION, "analis kebijakan", "Analis Lain", None]),
    cell(DATES),
    cell(DATES),
    cell(["III/a", "iii c", "IX", "V/z", None]),
    cell(DATES),
    cell(["S1", "sarjana", "S9", None]),
    cell(["081234567890", None]),
    cell([None, "1980-01-01", "1981-01-01"]),
    cell([None, "L", "P", "X"]),
)
def test_employee_fast_path_answers_as_the_collecting_path(
    nip: str | None,
    name: str | None,
    kind: str | None,
    agency: str | None,
    unit: str | None,
    position: str | None,
    position_since: str | None,
    level_since: str | None,
    rank: str | None,
    rank_since: str | None,
    education: str | None,
    phone: str | None,
    birth: str | None,
    gender: str | None,
) -> None:
    cells = [nip, name, kind, agency, unit, position, position_since, level_since, rank, rank_since, education,
             "budi@example.go.id", phone, birth, gender]  # fmt: skip
    assert employee(11, cells, CATALOG) == employee_collecting(11, cells, CATALOG)
