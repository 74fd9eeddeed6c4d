"""Incomplete and stale inputs: never a box, always the list of what is missing."""

from __future__ import annotations

import math

import pytest

from services.scoring.engine import MISSING_CODES, decode_missing, derive, missing_codes, place
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020, SIMATA_2025
from tests.engine.factory import build, row


def placed_one(policy=PERMENPANRB_3_2020, period: int = 2025, **fields):
    result = place(build([row(**fields)]), policy, period)
    return result, missing_codes(int(result.missing[0]))


def test_a_complete_person_is_placed() -> None:
    # Levels 3 against the administrator default 3: JPM 100; 0.5 x 100 + 0.5 x 80 = 90 (high); baik: box 8.
    result, missing = placed_one()
    assert (result.placed.tolist(), missing, result.box.tolist()) == ([True], [], [8])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"predikat_y": None}, ["performance_rating"]),
        ({"competency_assessed_on": None}, ["competency_assessment"]),
        ({"potential_assessed_on": None}, ["potential_assessment"]),
        ({"potential_score": None}, ["potential_assessment"]),  # a date without a score is no assessment
        ({"position_type": None}, ["position"]),
        ({"position_type": "fungsional", "functional_level": None}, ["position"]),
        ({"competency_assessed_on": "2026-01-01"}, ["competency_assessment"]),  # after the period: not used
        ({"potential_assessed_on": "2026-01-01"}, ["potential_assessment"]),
        ({"predikat_y": None, "potential_assessed_on": None}, ["performance_rating", "potential_assessment"]),
    ],
)
def test_missing_inputs(fields, expected) -> None:
    result, missing = placed_one(**fields)
    assert missing == expected
    assert result.placed.tolist() == [False]
    assert result.box.tolist() == [0]
    assert result.in_talent_pool.tolist() == [False]
    assert result.status().tolist() == ["incomplete"]


@pytest.mark.parametrize(
    ("competency_on", "potential_on", "expected"),
    [
        ("2022-12-31", "2022-12-31", []),  # exactly 3 years before 31 Dec 2025: still fresh
        ("2022-12-30", "2022-12-31", ["stale_competency_assessment"]),
        ("2022-12-31", "2022-12-30", ["stale_potential_assessment"]),
        ("2020-01-01", "2019-01-01", ["stale_competency_assessment", "stale_potential_assessment"]),
        ("2025-12-31", "2025-12-31", []),  # on the period's last day
    ],
)
def test_stale_inputs(competency_on, potential_on, expected) -> None:
    result, missing = placed_one(competency_assessed_on=competency_on, potential_assessed_on=potential_on)
    assert missing == expected
    assert result.placed.tolist() == [not expected]
    assert math.isnan(result.potential_score[0]) == bool(expected)


def test_maximum_age_comes_from_the_policy() -> None:
    one_year = derive(PERMENPANRB_3_2020, {"max_input_age_years": 1}, "fresh")
    _, missing = placed_one(one_year, competency_assessed_on="2024-12-30", potential_assessed_on="2024-12-31")
    assert missing == ["stale_competency_assessment"]


def test_partial_results_are_kept_but_never_a_box() -> None:
    # The predikat is missing, the potential is complete: potential is computed, performance and box are not.
    result, missing = placed_one(predikat_y=None, potential_score=95.0, levels=5)
    assert missing == ["performance_rating"]
    assert result.potential_level.tolist() == [2]
    assert result.performance_level.tolist() == [-1]
    assert result.box.tolist() == [0]


def test_potential_is_not_computed_from_part_of_its_inputs() -> None:
    result, _ = placed_one(potential_assessed_on=None)
    assert math.isnan(result.potential_score[0])
    assert result.potential_level.tolist() == [-1]
    assert result.performance_level.tolist() == [1]  # baik -> meets is still known


def test_inputs_with_weight_zero_are_not_required() -> None:
    no_jpm = derive(PERMENPANRB_3_2020, {"potential_weights": {"jpm": 0.0, "potential_assessment": 1.0}}, "no-jpm")
    result, missing = placed_one(no_jpm, competency_assessed_on=None, position_type=None)
    assert missing == []
    assert result.placed.tolist() == [True]


def test_simata_needs_education() -> None:
    _, missing = placed_one(SIMATA_2025, education_level=None)
    assert missing == ["education"]
    _, missing = placed_one(PERMENPANRB_3_2020, education_level=None)  # weight 0 in the default
    assert missing == []


def test_decode_missing_per_row() -> None:
    rows = [row(), row(predikat_y=None), row(predikat_y=None, position_type=None), row(predikat_y=None)]
    result = place(build(rows), PERMENPANRB_3_2020, 2025)
    no_predikat = ("performance_rating",)
    assert decode_missing(result.missing) == [(), no_predikat, (*no_predikat, "position"), no_predikat]
    assert set(MISSING_CODES) >= {"performance_rating", "competency_assessment", "potential_assessment", "position"}
