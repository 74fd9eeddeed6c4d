"""Placement under both built-in policies: every 9-box cell, predikat mapping, band edge and a hand-computed case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from services.scoring.engine import derive, place
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020, SIMATA_2025
from services.scoring.engine.codes import PERFORMANCE_LEVELS, POTENTIAL_LEVELS
from tests.engine.factory import build, row

# Potential straight from the potential assessment, so a band edge can be hit exactly.
ASSESSMENT_ONLY = derive(
    PERMENPANRB_3_2020, {"potential_weights": {"jpm": 0.0, "potential_assessment": 1.0}}, "assessment-only"
)
PREDIKAT_FOR_LEVEL = {"above": "sangat_baik", "meets": "baik", "below": "kurang"}
SCORE_FOR_LEVEL = {"low": 70.0, "medium": 85.0, "high": 95.0}
# DOMAIN.md "The 9-box", written out again here so that a wrong table in the policy fails the test.
NINE_BOX = [
    ("above", "low", 4),
    ("above", "medium", 7),
    ("above", "high", 9),
    ("meets", "low", 2),
    ("meets", "medium", 5),
    ("meets", "high", 8),
    ("below", "low", 1),
    ("below", "medium", 3),
    ("below", "high", 6),
]


def levels_of(result) -> list[tuple[str | None, str | None]]:
    return [
        (PERFORMANCE_LEVELS[p] if p >= 0 else None, POTENTIAL_LEVELS[q] if q >= 0 else None)
        for p, q in zip(result.performance_level.tolist(), result.potential_level.tolist(), strict=True)
    ]


@pytest.mark.parametrize(("performance", "potential", "box"), NINE_BOX)
def test_every_nine_box_cell(performance, potential, box) -> None:
    inputs = build([row(predikat_y=PREDIKAT_FOR_LEVEL[performance], potential_score=SCORE_FOR_LEVEL[potential])])
    result = place(inputs, ASSESSMENT_ONLY, 2025)
    assert levels_of(result) == [(performance, potential)]
    assert result.box.tolist() == [box]
    assert result.in_talent_pool.tolist() == [box in (7, 8, 9)]
    assert result.placed.tolist() == [True]


@pytest.mark.parametrize(
    ("predikat", "level"),
    [
        ("sangat_baik", "above"),
        ("baik", "meets"),
        ("butuh_perbaikan", "below"),
        ("kurang", "below"),
        ("sangat_kurang", "below"),
    ],
)
def test_permenpanrb_predikat_to_level(predikat, level) -> None:
    result = place(build([row(predikat_y=predikat)]), PERMENPANRB_3_2020, 2025)
    assert levels_of(result)[0][0] == level


def test_only_predikat_of_year_y_counts() -> None:
    result = place(build([row(predikat_y="baik", predikat_y1="sangat_kurang")]), PERMENPANRB_3_2020, 2025)
    assert levels_of(result)[0][0] == "meets"


@pytest.mark.parametrize(
    ("score", "level"),
    [(0.0, "low"), (77.99, "low"), (78.0, "medium"), (89.99, "medium"), (90.0, "high"), (100.0, "high")],
)
def test_potential_band_edges(score, level) -> None:
    result = place(build([row(potential_score=score)]), ASSESSMENT_ONLY, 2025)
    assert result.potential_score.tolist() == [score]
    assert levels_of(result)[0][1] == level


@pytest.mark.parametrize(("assessment", "level"), [(55.98, "low"), (56.0, "medium"), (79.98, "medium"), (80.0, "high")])
def test_potential_band_edges_with_the_default_weights(assessment, level) -> None:
    # JPM 100 (levels 5 vs default standard 3, capped): 0.5 x 100 + 0.5 x 55.98 = 77.99 ... 0.5 x 80 = 90.
    result = place(build([row(levels=5, potential_score=assessment)]), PERMENPANRB_3_2020, 2025)
    assert result.potential_score[0] == pytest.approx(50 + assessment / 2, abs=1e-9)
    assert levels_of(result)[0][1] == level


@pytest.mark.parametrize(
    ("predikat", "awards", "score", "level"),
    [
        ("baik", 0, 40.0, "below"),  # 0.6 x 100/1.5 + 0.4 x 0 = 40
        ("baik", 1, 50.0, "meets"),  # 40 + 0.4 x 25 = 50: exactly the edge
        ("butuh_perbaikan", 2, 50.0, "meets"),  # 0.6 x 75/1.5 = 30, + 0.4 x 50 = 50
        ("kurang", 3, 50.0, "meets"),  # 0.6 x 50/1.5 = 20, + 0.4 x 75 = 50
        ("sangat_kurang", 4, 50.0, "meets"),  # 0.6 x 25/1.5 = 10, + 0.4 x 100 = 50
        ("sangat_kurang", 9, 50.0, "meets"),  # recognition capped at 100
        ("sangat_baik", 0, 60.0, "meets"),  # 0.6 x 150/1.5 = 60
        ("sangat_baik", 1, 70.0, "meets"),
        ("baik", 4, 80.0, "above"),
        ("sangat_baik", 4, 100.0, "above"),
    ],
)
def test_simata_performance(predikat, awards, score, level) -> None:
    result = place(build([row(predikat_y=predikat, awards_recent=awards)]), SIMATA_2025, 2025)
    assert result.performance_score.tolist() == [score]
    assert levels_of(result)[0][0] == level


@pytest.mark.parametrize(("per_award", "level"), [(37.5, "above"), (37.475, "meets")])
def test_simata_performance_upper_edge(per_award, level) -> None:
    # sangat_baik 60 + 0.4 x per_award: 75 exactly is above, 74.99 is meets.
    policy = derive(SIMATA_2025, {"performance": {"recognition_per_award": per_award}}, "edge")
    result = place(build([row(predikat_y="sangat_baik", awards_recent=1)]), policy, 2025)
    assert levels_of(result)[0][0] == level


def test_permenpanrb_hand_computed() -> None:
    # Administrator, no own standard: default 3 on nine competencies = 27. Levels sum 4+3+3+4+3+2+2+2+1 = 24.
    # JPM = 24 / 27 x 100 = 88.888888889; potential = 0.5 x 88.888888889 + 0.5 x 85 = 86.944444444 (medium).
    levels = dict(zip(
        ["integritas", "kerja_sama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik",
         "pengembangan_diri_dan_orang_lain", "mengelola_perubahan", "pengambilan_keputusan", "perekat_bangsa"],
        [4, 3, 3, 4, 3, 2, 2, 2, 1], strict=True,
    ))  # fmt: skip
    result = place(build([row(levels=levels, potential_score=85.0)]), PERMENPANRB_3_2020, 2025)
    assert result.jpm[0] == pytest.approx(88.888888889, abs=1e-9)
    assert result.jpm_default_standard.tolist() == [True]
    assert result.potential_score[0] == pytest.approx(86.944444444, abs=1e-9)
    assert levels_of(result) == [("meets", "medium")]
    assert result.box.tolist() == [5]
    assert not result.in_talent_pool[0]


def test_simata_hand_computed() -> None:
    # JPM 24/27 x 100 = 88.888888889 as above; s1 -> qualification 75; one ringan -> integrity 100 - 30 = 70.
    # potential = 0.40 x 88.888888889 + 0.25 x 85 + 0.20 x 75 + 0.15 x 70 = 35.555555556 + 21.25 + 15 + 10.5
    #           = 82.305555556 (medium). performance = 0.6 x 150/1.5 + 0.4 x min(100, 25 x 2) = 60 + 20 = 80 (above).
    levels = {"integritas": 4, "kerja_sama": 3, "komunikasi": 3, "orientasi_pada_hasil": 4, "pelayanan_publik": 3}
    levels |= {"pengembangan_diri_dan_orang_lain": 2, "mengelola_perubahan": 2, "pengambilan_keputusan": 2}
    levels |= {"perekat_bangsa": 1}
    person = row(levels=levels, potential_score=85.0, ringan_recent=1, awards_recent=2, predikat_y="sangat_baik")
    result = place(build([person]), SIMATA_2025, 2025)
    assert result.potential_score[0] == pytest.approx(82.305555556, abs=1e-9)
    assert result.performance_score.tolist() == [80.0]
    assert levels_of(result) == [("above", "medium")]
    assert result.box.tolist() == [7]
    assert result.in_talent_pool.tolist() == [True]


@pytest.mark.parametrize(
    ("ringan", "sedang", "berat", "integrity"),
    [(0, 0, 0, 100), (1, 0, 0, 70), (0, 1, 0, 40), (1, 1, 0, 10), (2, 1, 0, 0), (0, 0, 1, 0)],
)
def test_simata_integrity(ringan, sedang, berat, integrity) -> None:
    # Isolate integrity: weight 1 on it, so the potential score is the integrity value.
    policy = derive(
        SIMATA_2025,
        {"potential_weights": {"jpm": 0, "potential_assessment": 0, "qualification": 0, "integrity": 1}},
        "integrity-only",
    )
    person = row(ringan_recent=ringan, sedang_recent=sedang, berat_recent=berat)
    assert place(build([person]), policy, 2025).potential_score.tolist() == [integrity]


@pytest.mark.parametrize(
    ("education", "score"), [("sd", 20), ("sma", 40), ("d3", 60), ("d4", 75), ("s2", 90), ("s3", 100)]
)
def test_simata_qualification(education, score) -> None:
    policy = derive(
        SIMATA_2025,
        {"potential_weights": {"jpm": 0, "potential_assessment": 0, "qualification": 1, "integrity": 0}},
        "qualification-only",
    )
    assert place(build([row(education_level=education)]), policy, 2025).potential_score.tolist() == [score]


@pytest.mark.parametrize(
    ("levels", "standard", "jpm"),
    [
        ({"integritas": 3, "kerja_sama": 4}, {"integritas": 4, "kerja_sama": 4}, 87.5),  # 7 / 8
        ({"integritas": 4}, {"integritas": 4, "kerja_sama": 4}, 50.0),  # a named level not assessed counts 0
        (5, {"integritas": 4, "kerja_sama": 4}, 100.0),  # 10 / 8 capped at 100
        (2, {"integritas": 4}, 50.0),  # only the named competencies count
        (2, None, 2 / 3 * 100),  # default: administrator 3 on all nine, 18 / 27
    ],
)
def test_jpm_against_the_position_standard(levels, standard, jpm) -> None:
    result = place(build([row(levels=levels, standard=standard)]), PERMENPANRB_3_2020, 2025)
    assert result.jpm[0] == pytest.approx(jpm, abs=1e-9)
    assert result.jpm_default_standard.tolist() == [standard is None]


@pytest.mark.parametrize(("level", "default"), [("jpt_pratama", 4), ("pengawas", 2), ("pelaksana", 1)])
def test_default_standard_by_level(level, default) -> None:
    result = place(build([row(levels=2, position_type=level)]), PERMENPANRB_3_2020, 2025)
    assert result.jpm[0] == pytest.approx(min(100.0, 2 / default * 100), abs=1e-9)


@pytest.mark.parametrize(("functional", "default"), [("ahli_utama", 4), ("ahli_madya", 3), ("penyelia", 1)])
def test_functional_positions_use_their_functional_level(functional, default) -> None:
    person = row(levels=2, position_type="fungsional", functional_level=functional)
    result = place(build([person]), PERMENPANRB_3_2020, 2025)
    assert result.jpm[0] == pytest.approx(min(100.0, 2 / default * 100), abs=1e-9)


def test_rows_are_independent_and_aligned() -> None:
    rows = [row(predikat_y=p, potential_score=s) for p, s in [("sangat_baik", 95.0), ("kurang", 70.0), (None, 95.0)]]
    result = place(build(rows), ASSESSMENT_ONLY, 2025)
    assert result.box.tolist() == [9, 1, 0]
    assert result.status().tolist() == ["placed", "placed", "incomplete"]
    assert math.isnan(result.performance_score[0])  # predikat policies have no performance score
    assert result.box.dtype == np.int8


def test_no_people_no_placements() -> None:
    inputs = build([row()]).take(slice(0, 0))
    result = place(inputs, SIMATA_2025, 2025)
    assert len(result.box) == 0
    assert result.missing.dtype == np.uint16


def test_blocks_give_the_same_result_as_one_pass(monkeypatch) -> None:
    from services.scoring.engine import placement
    from tests.engine.synthetic import synthetic_inputs

    inputs = synthetic_inputs(5000, seed=2)
    whole = place(inputs, SIMATA_2025, 2025)
    monkeypatch.setattr(placement, "BLOCK_ROWS", 700)  # 8 blocks, the last one short
    blocked = place(inputs, SIMATA_2025, 2025)
    for name in ("box", "missing", "potential_score", "performance_score", "jpm", "jpm_default_standard"):
        np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name), err_msg=name)
