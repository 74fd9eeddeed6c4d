"""Rows of text cells -> the typed rows the upserts take, one kind at a time (hand-written, no model per row).

Cells come in the order of `columns.COLUMNS[kind]`; a converter answers a typed row or the row's errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from services.registry.assessments.rules import POTENTIAL_ASPECTS
from services.registry.employees.rules import InvalidNip, parse_nip
from services.registry.imports import cells as c
from services.registry.imports.catalog import Catalog
from services.registry.imports.messages import RowError, row_error
from services.registry.imports.readers import Cells, Row
from services.registry.imports.upsert import (
    AwardRow,
    CompetencyRow,
    EmployeeRow,
    PositionRow,
    PotentialRow,
    RatingRow,
    SanctionRow,
    UnitRow,
)
from services.registry.positions.rules import COMPETENCIES, FUNCTIONAL_LEVELS, POSITION_TYPES
from services.registry.ratings.rules import PREDIKAT_LABELS_ID, predikat

Converter = Callable[[int, Cells, Catalog], Any]
parse_position_type = c.choice(
    {"jabatan pimpinan tinggi utama": "jpt_utama", "jabatan pimpinan tinggi madya": "jpt_madya",
     "jabatan pimpinan tinggi pratama": "jpt_pratama", "jabatan administrator": "administrator",
     "jabatan pengawas": "pengawas", "jabatan pelaksana": "pelaksana", "jabatan fungsional": "fungsional",
     "jf": "fungsional", "struktural administrator": "administrator"},
    POSITION_TYPES,
)  # fmt: skip
parse_functional_level = c.choice({}, FUNCTIONAL_LEVELS)
YEAR_RANGE = (1990, 2100)  # of a rating, as the path of PUT .../performance-ratings/{year}
_YEARS = {str(year): year for year in range(YEAR_RANGE[0], YEAR_RANGE[1] + 1)}  # a year as a file writes it


class CellReader:
    """Parses the cells of one row, collecting every problem rather than stopping at the first."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.errors: list[RowError] = []

    def get(self, field: str, parse: Callable[[str], Any], value: str | None) -> Any:
        """The parsed cell, or None when empty or unreadable (then an error is kept)."""
        if value is None:
            return None
        try:
            return parse(value)
        except c.CellError as exc:
            self.errors.append(row_error(self.number, field, exc.code, **exc.params))
            return None

    def need(self, field: str, parse: Callable[[str], Any], value: str | None) -> Any:
        """As `get`, and an error when the cell is empty."""
        if value is None:
            self.errors.append(row_error(self.number, field, "required"))
            return None
        return self.get(field, parse, value)

    def fail(self, field: str, code: str, **params: Any) -> None:
        """Record a problem found by the caller."""
        self.errors.append(row_error(self.number, field, code, **params))


def _text(value: str) -> str:
    return value


def employee(number: int, cells: Cells, catalog: Catalog) -> EmployeeRow | list[RowError]:
    """A row of an employees file."""
    (nip, name, kind, agency, unit, position, position_since, level_since, rank, rank_since, education, email,
     phone, birth, gender) = cells  # fmt: skip
    if nip is not None and birth is None and gender is None and (agency is None or catalog.names_agency(agency)):
        # The common row, read without collecting: any problem sends it down the collecting path.
        try:
            unit_id = None if unit is None else catalog.unit(unit)
            return EmployeeRow(
                number, nip, name, None if kind is None else c.parse_employment_type(kind), unit_id,
                None if position is None else catalog.position(position, unit_id),
                None if position_since is None else c.parse_date(position_since),
                None if level_since is None else c.parse_date(level_since),
                None if rank is None else c.parse_rank(rank),
                None if rank_since is None else c.parse_date(rank_since),
                None if education is None else c.parse_education(education), email, phone,
            )  # fmt: skip
        except c.CellError:
            pass
    return employee_collecting(number, cells, catalog)


def employee_collecting(number: int, cells: Cells, catalog: Catalog) -> EmployeeRow | list[RowError]:
    """`employee`, collecting every problem of the row (the same row or errors, slower)."""
    (nip, name, kind, agency, unit, position, position_since, level_since, rank, rank_since, education, email,
     phone, birth, gender) = cells  # fmt: skip
    r = CellReader(number)
    r.need("nip", _text, nip)
    if agency is not None and not catalog.names_agency(agency):
        r.fail("agency_id", "other_agency_row", value=agency[:100])
    unit_id = r.get("unit_id", catalog.unit, unit)
    position_id = r.get("position_id", lambda v: catalog.position(v, unit_id), position)
    row = EmployeeRow(
        number, nip or "", name, r.get("employment_type", c.parse_employment_type, kind), unit_id, position_id,
        r.get("position_since", c.parse_date, position_since), r.get("level_since", c.parse_date, level_since),
        r.get("rank", c.parse_rank, rank), r.get("rank_since", c.parse_date, rank_since),
        r.get("education_level", c.parse_education, education), email, phone,
    )  # fmt: skip
    _against_nip(r, nip, r.get("birth_date", c.parse_date, birth), r.get("gender", c.parse_gender, gender))
    return r.errors or row


def _against_nip(r: CellReader, nip: str | None, birth: dt.date | None, gender: str | None) -> None:
    if nip is None or (birth is None and gender is None):
        return
    try:
        facts = parse_nip(nip)
    except InvalidNip:
        return  # the NIP itself is reported by the upsert's check
    if birth is not None and birth != facts.birth_date:
        r.fail("birth_date", "birth_date_mismatch", expected=facts.birth_date.isoformat())
    if gender is not None and gender != facts.gender:
        r.fail("gender", "gender_mismatch", expected=facts.gender)


def rating(number: int, cells: Cells, catalog: Catalog) -> RatingRow | list[RowError]:
    """A row of a performance-ratings file; a `predikat` column, when given, must agree with the two ratings."""
    nip, year, result, behavior, stated = cells
    known_year = _YEARS.get(year)  # type: ignore[arg-type]
    if nip is not None and known_year is not None and result is not None and behavior is not None and stated is None:
        # The common row, read without collecting: any problem sends it down the collecting path.
        try:
            return RatingRow(number, nip, known_year, c.parse_expectation(result), c.parse_expectation(behavior))
        except c.CellError:
            pass
    return rating_collecting(number, cells, catalog)


def rating_collecting(number: int, cells: Cells, catalog: Catalog) -> RatingRow | list[RowError]:
    """`rating`, collecting every problem of the row (the same row or errors, slower)."""
    nip, year, result, behavior, stated = cells
    r = CellReader(number)
    row = RatingRow(
        number,
        r.need("nip", _text, nip),
        r.need("year", lambda v: c.parse_int(v, *YEAR_RANGE), year),
        r.need("work_result", c.parse_expectation, result),
        r.need("work_behavior", c.parse_expectation, behavior),
    )
    if stated is not None and not r.errors:
        expected = predikat(row.work_result, row.work_behavior)
        if c.squash(stated) not in {c.squash(expected), c.squash(PREDIKAT_LABELS_ID[expected])}:
            r.fail("predikat", "predikat_mismatch", value=stated[:40], expected=PREDIKAT_LABELS_ID[expected])
    return r.errors or row


def competency(number: int, cells: Cells, catalog: Catalog) -> CompetencyRow | list[RowError]:
    """A row of a competency-assessments file: one column per competency, levels 1 to 5."""
    r = CellReader(number)
    nip, day = r.need("nip", _text, cells[0]), r.need("assessed_on", c.parse_date, cells[1])
    levels = {
        code: r.get(code, lambda v: c.parse_int(v, 1, 5), value)
        for code, value in zip(COMPETENCIES, cells[2:], strict=True)
        if value is not None
    }
    if not levels and not r.errors:
        r.fail("levels", "no_levels")
    return r.errors or CompetencyRow(number, nip, day, levels)


def potential(number: int, cells: Cells, catalog: Catalog) -> PotentialRow | list[RowError]:
    """A row of a potential-assessments file: a score, or the 8 aspect scores, or both."""
    r = CellReader(number)
    nip, day = r.need("nip", _text, cells[0]), r.need("assessed_on", c.parse_date, cells[1])
    score = r.get("score", c.parse_score, cells[2])
    aspects = {a: r.get(a, c.parse_score, v) for a, v in zip(POTENTIAL_ASPECTS, cells[3:], strict=True) if v}
    return r.errors or PotentialRow(number, nip, day, score, aspects or None)


def sanction(number: int, cells: Cells, catalog: Catalog) -> SanctionRow | list[RowError]:
    """A row of a disciplinary-actions file."""
    nip, level, starts, ends, reason = cells
    r = CellReader(number)
    row = SanctionRow(
        number,
        r.need("nip", _text, nip),
        r.need("level", c.parse_sanction_level, level),
        r.need("starts_on", c.parse_date, starts),
        r.need("ends_on", c.parse_end_date, ends),
        reason,
    )
    return r.errors or row


def award(number: int, cells: Cells, catalog: Catalog) -> AwardRow | list[RowError]:
    """A row of an awards file."""
    nip, day, name, level = cells
    r = CellReader(number)
    row = AwardRow(
        number,
        r.need("nip", _text, nip),
        r.need("awarded_on", c.parse_date, day),
        r.need("name", _text, name),
        r.need("level", c.parse_award_level, level),
    )
    return r.errors or row


def unit(number: int, cells: Cells, catalog: Catalog) -> UnitRow | list[RowError]:
    """A row of a units file; `parent` names a unit of the agency or of the file by code (or an id)."""
    code, name, parent = cells
    r = CellReader(number)
    row = UnitRow(number, r.need("code", _text, code), r.need("name", _text, name), parent)
    return r.errors or row


def position(number: int, cells: Cells, catalog: Catalog) -> PositionRow | list[RowError]:
    """A row of a positions file; `std_*` columns, when any is filled, replace the competency standard."""
    unit_ref, name, kind, level, is_key, national, min_rank, *standard = cells
    r = CellReader(number)
    levels = {
        code: r.get("std_" + code, lambda v: c.parse_int(v, 1, 5), value)
        for code, value in zip(COMPETENCIES, standard, strict=True)
        if value is not None
    }
    row = PositionRow(
        number, r.need("unit_id", catalog.unit, unit_ref), r.need("name", _text, name),
        r.get("position_type", parse_position_type, kind), r.get("functional_level", parse_functional_level, level),
        r.get("is_key", c.parse_bool, is_key), r.get("national", c.parse_bool, national),
        r.get("min_rank", c.parse_pns_rank, min_rank), levels or None,
    )  # fmt: skip
    return r.errors or row


CONVERTERS: dict[str, Converter] = {
    "employees": employee,
    "units": unit,
    "positions": position,
    "performance-ratings": rating,
    "competency-assessments": competency,
    "potential-assessments": potential,
    "disciplinary-actions": sanction,
    "awards": award,
}


def convert(kind: str, rows: Sequence[Row], catalog: Catalog) -> tuple[list[Any], list[RowError]]:
    """Typed rows and the errors of the rows that could not be read."""
    converter = CONVERTERS[kind]
    typed: list[Any] = []
    errors: list[RowError] = []
    for number, cells in rows:
        if isinstance(cells, RowError):
            errors.append(cells)
            continue
        found = converter(number, cells, catalog)
        if isinstance(found, list):
            errors.extend(found)
        else:
            typed.append(found)
    return typed, errors
