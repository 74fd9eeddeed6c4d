"""The checks of an employee row before it is staged: the common row passes a quick path, any other the path that
collects every problem; both give the same answer (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registry.imports.upsert import EmployeeRow, EmployeeUpsert, WriteContext
from tests.registry.factory import nip

UNIT, OTHER_UNIT, POSITION = "unit-1", "unit-2", "position-1"


def upsert() -> EmployeeUpsert:
    checker = EmployeeUpsert(WriteContext(agency_id="agency-1", actor="test"))
    checker.units = {UNIT, OTHER_UNIT}
    checker.positions = {POSITION: ("pelaksana", UNIT)}
    return checker


GOOD = EmployeeRow(2, nip(), "Siti Aminah", "pns", OTHER_UNIT, POSITION, dt.date(2020, 1, 2), None, "III/a",
                   dt.date(2019, 4, 1), "s1", "siti@example.go.id", "+6281234567890")  # fmt: skip
BAD = {
    "invalid_nip": GOOD._replace(nip="19860926201505100"),
    "unknown_position": GOOD._replace(position_id="position-x"),
    "unknown_unit": GOOD._replace(unit_id="unit-x"),
    "invalid_choice": GOOD._replace(education_level="phd"),
    "invalid_rank": GOOD._replace(rank="III/z"),
    "rank_mismatch": GOOD._replace(rank="IX"),
    "invalid_format": GOOD._replace(email="siti at example"),
}


def test_a_good_row_is_staged_with_what_it_references() -> None:
    checker = upsert()
    record = checker._record(GOOD)
    assert record == checker._checked_record(GOOD)
    assert isinstance(record, tuple)
    assert record[:2] == (2, GOOD.nip)
    assert record[11] == 31  # the rank's order
    assert (checker.referenced_units, checker.referenced_positions) == ({UNIT, OTHER_UNIT}, {POSITION})


@pytest.mark.parametrize("code", sorted(BAD))
def test_a_bad_row_gets_every_problem_whichever_path(code: str) -> None:
    checker = upsert()
    found = checker._record(BAD[code])
    assert found == checker._checked_record(BAD[code])
    assert isinstance(found, list)
    assert [e.code for e in found] == [code]
    assert (checker.referenced_units, checker.referenced_positions) == (set(), set())


@pytest.mark.parametrize(
    ("field", "value"),
    [("employment_type", "honorer"), ("name", "x" * 201), ("phone", "telepon"), ("email", "a@b")],
)
def test_each_checked_field_leaves_the_quick_path(field: str, value: str) -> None:
    checker = upsert()
    row = GOOD._replace(**{field: value})
    found = checker._record(row)
    assert isinstance(found, list)
    assert found == checker._checked_record(row)
    assert field in {e.field for e in found}
