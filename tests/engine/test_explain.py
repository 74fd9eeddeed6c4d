"""The explanation agrees with the placement: its weighted terms sum to the potential score, and so on."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from services.scoring.engine import explain, place
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020, SIMATA_2025
from services.scoring.engine.codes import PERFORMANCE_LEVELS, POTENTIAL_LEVELS
from tests.engine.factory import build, row
from tests.engine.synthetic import synthetic_inputs

POLICIES = [PERMENPANRB_3_2020, SIMATA_2025]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_explanations_agree_with_the_batch(policy) -> None:
    inputs = synthetic_inputs(300, seed=11, missing=0.1)
    result = place(inputs, policy, 2025)
    for index in range(len(inputs)):
        explanation = explain(inputs, index, policy, 2025)
        json.dumps(explanation)  # JSON-ready: no NumPy scalars, no NaN
        assert explanation["status"] == ("placed" if result.placed[index] else "incomplete")
        potential = explanation["potential"]
        if potential["score"] is None:
            assert math.isnan(result.potential_score[index])
        else:
            assert potential["score"] == result.potential_score[index]
            total = sum(term["weighted"] for term in potential["terms"])
            assert total == pytest.approx(potential["score"], abs=1e-8)
            reached = [edge["reached"] for edge in potential["band_edges"]]
            assert POTENTIAL_LEVELS.index(potential["level"]) == sum(reached)
        box = explanation["box"]
        assert (box["box"] if box else 0) == result.box[index]
        if box:
            assert PERFORMANCE_LEVELS[result.performance_level[index]] == box["performance_level"]
            assert box["in_talent_pool"] == result.in_talent_pool[index]


def test_explanation_of_a_simata_placement() -> None:
    person = row(levels=3, potential_score=85.0, ringan_recent=1, awards_recent=1, predikat_y="baik")
    explanation = explain(build([person]), 0, SIMATA_2025, 2025)
    assert explanation["policy"] == {"id": "simata-2025", "version": 1}
    assert (explanation["period_end"], explanation["oldest_input_allowed"]) == ("2025-12-31", "2022-12-31")
    inputs = explanation["inputs"]
    assert inputs["competency_assessment"]["assessed_on"] == "2025-06-01"
    assert inputs["competency_assessment"]["standard_source"] == "policy_default"
    assert inputs["competency_assessment"]["jpm"] == 100.0
    assert inputs["predikat_y"] == {"year": 2025, "value": "baik"}
    performance = explanation["performance"]
    # 0.6 x 100/1.5 + 0.4 x 25 = 40 + 10 = 50: exactly the meets edge.
    assert [(t["name"], t["weight"]) for t in performance["terms"]] == [("predikat", 0.6), ("recognition", 0.4)]
    assert performance["score"] == 50.0
    assert [edge["reached"] for edge in performance["band_edges"]] == [True, False]
    assert performance["level"] == "meets"
    # 0.40 x 100 + 0.25 x 85 + 0.20 x 75 + 0.15 x 70 = 40 + 21.25 + 15 + 10.5 = 86.75
    terms = {t["name"]: t["weighted"] for t in explanation["potential"]["terms"]}
    expected = {"jpm": 40.0, "potential_assessment": 21.25, "qualification": 15.0, "integrity": 10.5}
    assert terms == pytest.approx(expected)
    assert explanation["potential"]["score"] == 86.75
    assert explanation["box"]["box"] == 5
    assert explanation["box"]["label_id"].startswith("Kotak 5")
    assert [w["code"] for w in explanation["warnings"]] == ["jpm_default_standard"]


def test_explanation_of_an_incomplete_person() -> None:
    person = row(predikat_y=None, competency_assessed_on="2021-05-01", standard={"integritas": 3})
    explanation = explain(build([person]), 0, PERMENPANRB_3_2020, 2025)
    assert explanation["status"] == "incomplete"
    assert explanation["missing"] == ["performance_rating", "stale_competency_assessment"]
    assert explanation["box"] is None
    assert explanation["potential"]["score"] is None
    assert explanation["warnings"] == []
    assert explanation["inputs"]["competency_assessment"]["standard"] == {"integritas": 3}


def test_explanation_uses_only_the_row_asked_for() -> None:
    inputs = build([row(potential_score=60.0), row(potential_score=95.0)])
    first, second = (explain(inputs, i, PERMENPANRB_3_2020, 2025) for i in range(2))
    assert first["inputs"]["potential_assessment"]["score"] == 60.0
    assert second["inputs"]["potential_assessment"]["score"] == 95.0
    assert np.isclose(second["potential"]["score"], 97.5)
