"""Succession rules, one person who just passes and one who just fails each; as of 15 March 2026."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from services.scoring.engine import (
    SuccessionTarget,
    TalentColumns,
    UnsupportedTarget,
    derive,
    feeder_levels,
    successors,
)
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020
from tests.engine.factory import build, row, talent

AS_OF = dt.date(2026, 3, 15)
ADMINISTRATOR = SuccessionTarget("administrator")
# A pengawas six years in level, III/d, S1, aged 46, fresh assessment: meets every administrator rule.
PENGAWAS = {"position_type": "pengawas", "level_since": "2020-01-01", "rank_order": 34}
# An administrator for JPT Pratama: IV/b, retiring well after the margin.
ADMINISTRATOR_ROW = {"position_type": "administrator", "rank_order": 42, "retirement_date": "2031-01-01"}
ALLOW_PPPK = derive(PERMENPANRB_3_2020, {"succession": {"excluded_employment_types": []}}, "allow-pppk")


def shortlist(rows, target=ADMINISTRATOR, boxes=None, policy=PERMENPANRB_3_2020, limit=None, **talent_fields):
    boxes = boxes if boxes is not None else [8] * len(rows)
    return successors(build(rows), talent(boxes, **talent_fields), target, policy, AS_OF, 2025, limit=limit)


def rules_of(result) -> list[list[str]]:
    """The failed rules of every row, [] for a candidate."""
    excluded = {entry["index"]: entry["rules"] for entry in result.excluded()}
    return [excluded.get(index, []) for index in range(len(result.inputs))]


AHLI_MUDA = {"position_type": "fungsional", "functional_level": "ahli_muda"}
PENGAWAS_TARGET = SuccessionTarget("pengawas")
PELAKSANA = {"position_type": "pelaksana"}
HEAVY_ENDED = "last_heavy_sanction_ended_on"
CASES = [
    # (rule, target, passing fields, failing fields)
    ("feeder_level", ADMINISTRATOR, {}, {"position_type": "pelaksana"}),
    ("feeder_level", ADMINISTRATOR, AHLI_MUDA, {"position_type": "administrator"}),
    ("time_in_level", ADMINISTRATOR, {"level_since": "2025-03-15"}, {"level_since": "2025-03-16"}),
    ("time_in_level", ADMINISTRATOR, {"level_since": "2023-03-15"}, {"level_since": None}),
    ("min_rank", ADMINISTRATOR, {"rank_order": 34}, {"rank_order": 33}),
    ("min_rank", SuccessionTarget("administrator", min_rank="IV/a"), {"rank_order": 41}, {"rank_order": 34}),
    ("education", ADMINISTRATOR, {"education_level": "d4"}, {"education_level": "d3"}),
    ("education", ADMINISTRATOR, {"education_level": "s1"}, {"education_level": None}),
    ("education", PENGAWAS_TARGET, PELAKSANA | {"education_level": "d3"}, PELAKSANA | {"education_level": "d2"}),
    ("retirement", ADMINISTRATOR, {"retirement_date": "2027-03-16"}, {"retirement_date": "2027-03-15"}),
    ("retirement", ADMINISTRATOR, {"retirement_date": "2040-01-01"}, {"retirement_date": None}),
    ("discipline", ADMINISTRATOR, {"ringan_recent": 1}, {"sanctions_in_force": 1}),
    ("discipline", ADMINISTRATOR, {HEAVY_ENDED: "2023-03-14"}, {HEAVY_ENDED: "2023-03-15"}),
    ("employment_type", ADMINISTRATOR, {"employment_type": "cpns"}, {"employment_type": "pppk"}),
    ("employment_type", ADMINISTRATOR, {"employment_type": "pns"}, {"employment_type": None}),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "target", "passing", "failing"), CASES)
def test_each_rule_includes_and_excludes_the_right_person(rule, target, passing, failing) -> None:
    result = shortlist([row(**(PENGAWAS | passing)), row(**(PENGAWAS | failing))], target=target, limit=10)
    rules = rules_of(result)
    assert rules[0] == []
    assert rule in rules[1]
    assert [c["index"] for c in result.candidates] == [0]


@pytest.mark.parametrize(
    ("target", "born", "passes"),
    [
        ("jpt_pratama", "1969-03-16", True),  # 56 on 15 March 2026: at most 56
        ("jpt_pratama", "1969-03-15", False),  # 57 that day
        ("jpt_madya", "1967-03-16", True),  # 58
        ("jpt_madya", "1967-03-15", False),  # 59
    ],
)
def test_age_at_appointment(target, born, passes) -> None:
    feeder = "administrator" if target == "jpt_pratama" else "jpt_pratama"
    rank = 42 if target == "jpt_pratama" else 44
    fields = ADMINISTRATOR_ROW | {"position_type": feeder, "rank_order": rank, "birth_date": born}
    result = shortlist([row(**fields)], target=SuccessionTarget(target))
    assert rules_of(result) == [[] if passes else ["age_limit"]]


def test_no_age_limit_below_jpt() -> None:
    result = shortlist([row(**(PENGAWAS | {"birth_date": "1967-01-01", "retirement_date": "2030-01-01"}))])
    assert rules_of(result) == [[]]


@pytest.mark.parametrize(
    ("predikat_y", "predikat_y1", "passes"),
    [
        ("baik", "baik", True),
        ("sangat_baik", "baik", True),
        ("butuh_perbaikan", "baik", False),
        ("baik", "butuh_perbaikan", False),
        ("baik", None, False),
    ],
)
def test_performance_in_y_and_y_minus_1(predikat_y, predikat_y1, passes) -> None:
    result = shortlist([row(**PENGAWAS)], predikat_y=[predikat_y], predikat_y1=[predikat_y1])
    assert rules_of(result) == [[] if passes else ["performance"]]


@pytest.mark.parametrize(("box", "passes"), [(9, True), (7, True), (6, False), (5, False), (0, False)])
def test_talent_pool(box, passes) -> None:
    assert rules_of(shortlist([row(**PENGAWAS)], boxes=[box])) == [[] if passes else ["talent_pool"]]


def test_min_rank_compares_on_the_same_scale() -> None:
    # PPPK golongan (1..17) and PNS codes (11..45) overlap: a PPPK IX never meets III/d, nor a PNS a PPPK minimum.
    pppk = PENGAWAS | {"employment_type": "pppk", "rank_order": 9}
    result = shortlist([row(**pppk), row(**(pppk | {"rank_order": 8})), row(**PENGAWAS)], policy=ALLOW_PPPK)
    assert rules_of(result) == [["min_rank"], ["min_rank"], []]
    pppk_minimum = SuccessionTarget("administrator", min_rank="IX")
    rows = [row(**pppk), row(**(pppk | {"rank_order": 8})), row(**PENGAWAS)]
    result = shortlist(rows, target=pppk_minimum, policy=ALLOW_PPPK)
    assert rules_of(result) == [[], ["min_rank"], ["min_rank"]]


def test_time_in_level_short_within_two_years_is_ready_later() -> None:
    rows = [row(**(PENGAWAS | {"level_since": since})) for since in ("2023-03-15", "2023-03-16", "2025-03-15")]
    result = shortlist(rows, limit=10)
    by_index = {c["index"]: c for c in result.candidates}
    assert by_index[0]["readiness"] == "ready_now"  # completes on as_of itself
    assert by_index[0]["time_in_level_met"] is True
    assert by_index[1]["readiness"] == "ready_1_2_years"
    assert by_index[1]["time_in_level_completes_on"] == "2026-03-16"
    assert by_index[2]["time_in_level_completes_on"] == "2028-03-15"  # as_of + 2 years: still kept
    assert "completes on 2028-03-15" in by_index[2]["reasons"][-1]


TARGET_25 = SuccessionTarget("administrator", competency_standard=dict.fromkeys(
    ["integritas", "kerja_sama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik"], 5))  # fmt: skip


@pytest.mark.parametrize(
    ("achieved", "jpm", "readiness"),
    [([4, 4, 4, 4, 4], 80.0, "ready_now"), ([4, 4, 4, 4, 3], 76.0, "ready_1_2_years"),
     ([4, 4, 3, 3, 3], 68.0, "ready_1_2_years"), ([4, 3, 3, 3, 3], 64.0, "ready_3_plus_years")],
)  # fmt: skip
def test_readiness_bands_on_the_target_jpm(achieved, jpm, readiness) -> None:
    levels = dict(zip(TARGET_25.competency_standard, achieved, strict=True))
    [candidate] = shortlist([row(levels=levels, **PENGAWAS)], target=TARGET_25).candidates
    assert (candidate["target_jpm"], candidate["readiness"]) == (jpm, readiness)


def test_ranking_score_hand_computed() -> None:
    # Target JPM 20/25 = 80; box 9 = 100 points; potential 90; predikat (150 + 100) / 2 / 1.5 = 83.333...
    # score = 0.40 x 80 + 0.25 x 100 + 0.20 x 90 + 0.15 x 83.333 = 32 + 25 + 18 + 12.5 = 87.5
    result = shortlist(
        [row(levels=4, **PENGAWAS)], target=TARGET_25, boxes=[9], potential=[90.0],
        predikat_y=["sangat_baik"], predikat_y1=["baik"],
    )  # fmt: skip
    [candidate] = result.candidates
    assert candidate["score"] == 87.5
    assert [t["points"] for t in candidate["terms"]] == pytest.approx([32.0, 25.0, 18.0, 12.5])
    assert candidate["rank"] == 1
    assert candidate["box"] == 9
    assert len(candidate["reasons"]) == 5


def test_target_jpm_uses_the_targets_standard_not_the_current_position() -> None:
    # The candidate's own position names only integritas at 1; the target (no standard) uses the default 3 x 9.
    person = row(levels=2, standard={"integritas": 1}, **PENGAWAS)
    [candidate] = shortlist([person]).candidates
    assert candidate["target_jpm"] == pytest.approx(18 / 27 * 100, abs=1e-9)
    assert shortlist([person]).criteria.standard_source == "policy_default"


def test_ties_break_on_rank_then_time_in_rank_then_nip() -> None:
    base = PENGAWAS | {"rank_since": "2020-04-01"}
    rows = [
        row(**(base | {"nip": "198001012005011003"})),
        row(**(base | {"nip": "198001012005011004", "rank_order": 41})),  # higher rank
        row(**(base | {"nip": "198001012005011005", "rank_since": "2019-04-01"})),  # longer in rank
        row(**(base | {"nip": "198001012005011002"})),  # smaller NIP
    ]
    result = shortlist(rows, limit=10)
    assert len({c["score"] for c in result.candidates}) == 1
    assert [c["index"] for c in result.candidates] == [1, 2, 3, 0]


def test_score_comes_before_rank() -> None:
    rows = [row(**(PENGAWAS | {"rank_order": 44})), row(**PENGAWAS)]
    result = shortlist(rows, boxes=[7, 9], limit=10)
    assert [c["index"] for c in result.candidates] == [1, 0]


def test_limit_defaults_to_the_policys_shortlist_size() -> None:
    rows = [row(**(PENGAWAS | {"nip": f"19800101200501100{i}"})) for i in range(5)]
    assert len(shortlist(rows).candidates) == 3
    assert len(shortlist(rows, limit=1).candidates) == 1
    assert len(shortlist(rows, limit=10).candidates) == 5
    five = derive(PERMENPANRB_3_2020, {"succession": {"shortlist_size": 5}}, "five")
    assert len(shortlist(rows, policy=five).candidates) == 5


def test_excluded_lists_every_failed_rule_with_a_reason() -> None:
    failing = PENGAWAS | {"rank_order": 33, "education_level": "sma", "sanctions_in_force": 1}
    result = shortlist([row(**failing)], boxes=[5], limit=0)
    [entry] = result.excluded()
    assert entry["rules"] == ["min_rank", "education", "discipline", "talent_pool"]
    assert [reason.split(":")[0] for reason in entry["reasons"]] == entry["rules"]
    assert entry["nip"] == "198001012005011001"
    assert result.candidates == []


def test_missing_assessment_keeps_the_candidate_at_three_plus_years() -> None:
    [candidate] = shortlist([row(competency_assessed_on=None, **PENGAWAS)]).candidates
    assert candidate["target_jpm"] is None
    assert candidate["readiness"] == "ready_3_plus_years"
    assert candidate["terms"][0]["points"] == 0.0


def test_unsupported_and_invalid_targets() -> None:
    with pytest.raises(UnsupportedTarget):
        shortlist([row(**PENGAWAS)], target=SuccessionTarget("jpt_utama"))
    with pytest.raises(ValueError, match="known competency"):
        shortlist([row(**PENGAWAS)], target=SuccessionTarget("administrator", competency_standard={"x": 3}))
    with pytest.raises(ValueError, match="unknown position level"):
        shortlist([row(**PENGAWAS)], target=SuccessionTarget("kepala"))


def test_selection_band_of_the_target_jpm() -> None:
    bands = []
    for achieved in ([4, 4, 4, 4, 4], [4, 4, 3, 3, 3], [4, 3, 3, 3, 3]):  # 80, 68, 64
        levels = dict(zip(TARGET_25.competency_standard, achieved, strict=True))
        [candidate] = shortlist([row(levels=levels, **PENGAWAS)], target=TARGET_25).candidates
        bands.append(candidate["target_jpm_band"])
    assert bands == ["memenuhi_syarat", "masih_memenuhi_syarat", "kurang_memenuhi_syarat"]


def test_feeder_levels_for_the_export() -> None:
    assert feeder_levels("administrator", PERMENPANRB_3_2020) == ("pengawas", "ahli_muda")
    with pytest.raises(UnsupportedTarget):
        feeder_levels("jpt_utama", PERMENPANRB_3_2020)


def test_talent_must_be_row_aligned() -> None:
    with pytest.raises(ValueError, match="row-aligned"):
        successors(build([row(**PENGAWAS)]), talent([8, 8]), ADMINISTRATOR, PERMENPANRB_3_2020, AS_OF, 2025)
    with pytest.raises(ValueError, match="differ in length"):
        TalentColumns(*(np.zeros(n) for n in (1, 1, 1, 1, 2)))


def test_excluded_reasons_name_the_values() -> None:
    rows = [row(**(PENGAWAS | {"rank_order": 33})), row(**(PENGAWAS | {"employment_type": "pppk", "rank_order": 9}))]
    reasons = [entry["reasons"][0] for entry in shortlist(rows).excluded()]
    assert reasons == [
        "min_rank: rank III/c (pns) is below the minimum III/d",
        "min_rank: rank IX (pppk) is below the minimum III/d",
    ]
