"""Built-in policies hold DOMAIN.md's numbers; derived policies apply overrides and reject invalid ones."""

from __future__ import annotations

import pydantic
import pytest

from services.scoring.engine import builtin_policy, derive, export_parameters, place, policy_from_json, policy_to_json
from services.scoring.engine.builtin_policies import (
    BUILTIN_POLICIES,
    DEFAULT_POLICY_ID,
    PERMENPANRB_3_2020,
    SIMATA_2025,
)
from services.scoring.engine.policy import PredikatPerformance, WeightedPerformance
from tests.engine.factory import build, row


def test_default_policy_is_permenpanrb() -> None:
    assert DEFAULT_POLICY_ID == "permenpanrb-3-2020"
    assert builtin_policy() is PERMENPANRB_3_2020
    assert set(BUILTIN_POLICIES) == {"permenpanrb-3-2020", "simata-2025"}
    assert all(policy.version == 1 and policy.based_on is None for policy in BUILTIN_POLICIES.values())


def test_permenpanrb_numbers() -> None:
    p = PERMENPANRB_3_2020
    assert isinstance(p.performance, PredikatPerformance)
    assert dict(p.performance.levels) == {
        "sangat_baik": "above",
        "baik": "meets",
        "butuh_perbaikan": "below",
        "kurang": "below",
        "sangat_kurang": "below",
    }
    assert p.potential_weights.model_dump() == {
        "jpm": 0.5,
        "potential_assessment": 0.5,
        "qualification": 0.0,
        "integrity": 0.0,
    }
    assert (p.potential_bands.medium_from, p.potential_bands.high_from) == (78, 90)
    assert (p.jpm_bands.cukup_optimal_from, p.jpm_bands.optimal_from) == (78, 90)
    assert p.max_input_age_years == 3
    assert dict(p.predikat_scores) == {
        "sangat_baik": 150,
        "baik": 100,
        "butuh_perbaikan": 75,
        "kurang": 50,
        "sangat_kurang": 25,
    }
    assert p.predikat_score_divisor == 1.5
    assert dict(p.default_competency_standard) == {
        "jpt_utama": 5,
        "jpt_madya": 5,
        "jpt_pratama": 4,
        "administrator": 3,
        "pengawas": 2,
        "pelaksana": 1,
        "ahli_utama": 4,
        "ahli_madya": 3,
        "ahli_muda": 2,
        "ahli_pertama": 1,
        "pemula": 1,
        "terampil": 1,
        "mahir": 1,
        "penyelia": 1,
    }
    assert p.talent_pool_boxes == (7, 8, 9)
    table = p.box_table
    assert (table.above.low, table.above.medium, table.above.high) == (4, 7, 9)
    assert (table.meets.low, table.meets.medium, table.meets.high) == (2, 5, 8)
    assert (table.below.low, table.below.medium, table.below.high) == (1, 3, 6)
    assert sorted(p.boxes) == list(range(1, 10))
    assert all(info.label_id and info.label_en and info.recommendations_id for info in p.boxes.values())
    assert p.boxes[9].recommendations_en[0] == "Promote and retain"


def test_permenpanrb_succession_numbers() -> None:
    s = PERMENPANRB_3_2020.succession
    feeders = {level: (rule.feeder_levels, rule.min_years_in_level) for level, rule in s.targets.items()}
    assert feeders == {
        "jpt_madya": (("jpt_pratama", "ahli_utama"), 2),
        "jpt_pratama": (("administrator", "ahli_madya"), 2),
        "administrator": (("pengawas", "ahli_muda"), 3),
        "pengawas": (("pelaksana", "ahli_pertama", "pemula", "terampil", "mahir", "penyelia"), 4),
    }
    assert {level: rule.default_min_rank for level, rule in s.targets.items()} == {
        "jpt_madya": "IV/d",
        "jpt_pratama": "IV/b",
        "administrator": "III/d",
        "pengawas": "III/b",
    }
    assert {level: rule.min_education for level, rule in s.targets.items()} == {
        "jpt_madya": "d4",
        "jpt_pratama": "d4",
        "administrator": "d4",
        "pengawas": "d3",
    }
    assert dict(s.max_age_at_appointment) == {"jpt_pratama": 56, "jpt_madya": 58, "jpt_utama": 58}
    assert (s.retirement_margin_years, s.discipline_lookback_years, s.min_predikat) == (1, 3, "baik")
    assert s.excluded_employment_types == ("pppk",)
    assert s.ranking_weights.model_dump() == {"target_jpm": 0.4, "box": 0.25, "potential": 0.2, "performance": 0.15}
    assert dict(s.box_points) == {9: 100, 8: 75, 7: 50}
    r = s.readiness
    assert (r.ready_now_min_jpm, r.ready_1_2_years_min_jpm, r.time_in_level_window_years) == (80, 68, 2)
    assert s.shortlist_size == 3


def test_simata_numbers() -> None:
    p = SIMATA_2025
    assert p.potential_weights.model_dump() == {
        "jpm": 0.40,
        "potential_assessment": 0.25,
        "qualification": 0.20,
        "integrity": 0.15,
    }
    assert dict(p.qualification_scores) == {
        "sd": 20,
        "smp": 30,
        "sma": 40,
        "d1": 50,
        "d2": 55,
        "d3": 60,
        "d4": 75,
        "s1": 75,
        "s2": 90,
        "s3": 100,
    }
    assert dict(p.integrity.deduction) == {"ringan": 30, "sedang": 60, "berat": 100}
    assert (p.integrity.base, p.integrity.floor, p.integrity.lookback_years) == (100, 0, 5)
    perf = p.performance
    assert isinstance(perf, WeightedPerformance)
    assert (perf.predikat_weight, perf.recognition_weight) == (0.60, 0.40)
    assert (perf.recognition_per_award, perf.recognition_cap, perf.award_lookback_years) == (25, 100, 5)
    assert (perf.bands.meets_from, perf.bands.above_from) == (50, 75)
    assert (p.potential_bands.medium_from, p.potential_bands.high_from) == (78, 90)


@pytest.mark.parametrize("policy", list(BUILTIN_POLICIES.values()), ids=list(BUILTIN_POLICIES))
def test_json_round_trip(policy) -> None:
    document = policy_to_json(policy)
    assert policy_from_json(document) == policy
    assert policy_to_json(policy_from_json(document)) == document


def test_policies_are_immutable() -> None:
    with pytest.raises(pydantic.ValidationError):
        PERMENPANRB_3_2020.max_input_age_years = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        PERMENPANRB_3_2020.predikat_scores["baik"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        PERMENPANRB_3_2020.succession.box_points[6] = 10  # type: ignore[index]


def test_export_parameters_follow_the_policy() -> None:
    assert export_parameters(SIMATA_2025) == {"sanction_lookback_years": 5, "award_lookback_years": 5}
    agency = derive(SIMATA_2025, {"integrity": {"lookback_years": 4}, "performance": {"award_lookback_years": 2}}, "x")
    assert export_parameters(agency) == {"sanction_lookback_years": 4, "award_lookback_years": 2}


def test_derive_applies_overrides_and_records_its_base() -> None:
    agency = derive(
        PERMENPANRB_3_2020,
        {
            "potential_weights": {"jpm": 0.6, "potential_assessment": 0.4},
            "max_input_age_years": 2,
            "boxes": {"9": {"label_en": "Star"}},
            "succession": {"shortlist_size": 5, "box_points": {6: 25}},
        },
        "pemkab-lampung-barat-2026",
        version=2,
    )
    assert (agency.id, agency.version, agency.based_on) == ("pemkab-lampung-barat-2026", 2, "permenpanrb-3-2020@1")
    assert agency.potential_weights.jpm == 0.6
    assert agency.potential_weights.qualification == 0.0  # untouched fields keep the base's value
    assert agency.max_input_age_years == 2
    assert agency.boxes[9].label_en == "Star"
    assert agency.boxes[9].label_id == PERMENPANRB_3_2020.boxes[9].label_id
    assert agency.succession.shortlist_size == 5
    assert dict(agency.succession.box_points) == {9: 100, 8: 75, 7: 50, 6: 25}
    assert PERMENPANRB_3_2020.potential_weights.jpm == 0.5  # the base is untouched


def test_derived_policy_changes_the_placement() -> None:
    # JPM 100 (all 5 vs default 3), potential 60: default 0.5*100 + 0.5*60 = 80 (medium, box 5);
    # derived 0.9*100 + 0.1*60 = 96 (high, box 8).
    inputs = build([row(levels=5, potential_score=60.0)])
    assert place(inputs, PERMENPANRB_3_2020, 2025).box.tolist() == [5]
    agency = derive(PERMENPANRB_3_2020, {"potential_weights": {"jpm": 0.9, "potential_assessment": 0.1}}, "a")
    assert place(inputs, agency, 2025).box.tolist() == [8]


def test_derive_can_switch_the_performance_rule() -> None:
    weighted = SIMATA_2025.performance.model_dump()
    agency = derive(PERMENPANRB_3_2020, {"performance": weighted}, "a")
    assert isinstance(agency.performance, WeightedPerformance)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"potential_weights": {"jpm": 0.6}}, "sum to 1"),
        ({"potential_weights": {"jpm": -0.5, "potential_assessment": 1.5}}, "greater than or equal"),
        ({"potential_bands": {"medium_from": 90, "high_from": 78}}, "medium_from < high_from"),
        ({"jpm_bands": {"cukup_optimal_from": 95}}, "cukup_optimal_from < optimal_from"),
        ({"box_table": {"above": {"high": 8}}}, "exactly once"),
        ({"box_table": {"above": {"high": 10}}}, "less than or equal"),
        ({"performance": {"levels": {"baik": "great"}}}, "Input should be"),
        ({"performance": {"kind": "weighted"}}, "Field required"),
        ({"predikat_scores": {"baik": 160}}, "fall strictly"),
        ({"default_competency_standard": {"pengawas": 6}}, "less than or equal"),
        ({"talent_pool_boxes": [9, 9]}, "repeats"),
        ({"talent_pool_boxes": []}, "at least 1"),
        ({"succession": {"readiness": {"ready_now_min_jpm": 60}}}, "ready_1_2_years_min_jpm < ready_now_min_jpm"),
        ({"succession": {"targets": {"pengawas": {"default_min_rank": "V/a"}}}}, "unknown rank"),
        ({"succession": {"ranking_weights": {"box": 0.5}}}, "sum to 1"),
        ({"succession": {"shortlist_size": 0}}, "greater than or equal"),
        ({"unknown_field": 1}, "Extra inputs are not permitted"),
        ({"qualification_scores": {"s4": 100}}, "Input should be"),
    ],
)
def test_derive_rejects_invalid_overrides(overrides, message) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        derive(PERMENPANRB_3_2020, overrides, "invalid")


@pytest.mark.parametrize("key", ["id", "version", "based_on"])
def test_derive_refuses_identity_overrides(key) -> None:
    with pytest.raises(ValueError, match="set by derive"):
        derive(PERMENPANRB_3_2020, {key: "x"}, "a")
