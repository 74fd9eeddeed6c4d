"""The built-in policies `permenpanrb-3-2020` (the default) and `simata-2025`, as DOMAIN.md states them."""

from __future__ import annotations

from typing import Any, Final

from .codes import PERFORMANCE_LEVEL_LABELS, PERFORMANCE_LEVELS, POTENTIAL_LEVEL_LABELS, POTENTIAL_LEVELS
from .derive import derive
from .policy import Policy

DEFAULT_POLICY_ID: Final = "permenpanrb-3-2020"
SIMATA_POLICY_ID: Final = "simata-2025"

_BOX_TABLE: Final[dict[str, dict[str, int]]] = {
    "above": {"low": 4, "medium": 7, "high": 9},
    "meets": {"low": 2, "medium": 5, "high": 8},
    "below": {"low": 1, "medium": 3, "high": 6},
}

# Abridged from the Lampiran of PermenPANRB 3/2020 (DOMAIN.md "The 9-box").
_RECOMMENDATIONS: Final[dict[int, tuple[tuple[str, str], ...]]] = {
    9: (
        ("Dipromosikan dan dipertahankan", "Promote and retain"),
        ("Masuk kelompok rencana suksesi instansi/nasional", "Include in the agency/national succession group"),
        ("Diberikan penghargaan", "Reward"),
    ),
    8: (
        ("Dipertahankan", "Retain"),
        ("Masuk kelompok rencana suksesi instansi", "Include in the agency succession group"),
        ("Rotasi atau perluasan jabatan", "Rotation or job enlargement"),
        ("Bimbingan kinerja", "Performance coaching"),
    ),
    7: (
        ("Dipertahankan", "Retain"),
        ("Masuk kelompok rencana suksesi instansi", "Include in the agency succession group"),
        ("Rotasi atau pengayaan jabatan", "Rotation or job enrichment"),
        ("Pengembangan kompetensi", "Competency development"),
        ("Tugas belajar", "Study assignment"),
    ),
    6: (
        ("Penempatan yang sesuai", "Suitable placement"),
        ("Bimbingan kinerja", "Performance coaching"),
        ("Konseling kinerja", "Performance counselling"),
    ),
    5: (
        ("Penempatan yang sesuai", "Suitable placement"),
        ("Bimbingan kinerja", "Performance coaching"),
        ("Pengembangan kompetensi", "Competency development"),
    ),
    4: (
        ("Rotasi", "Rotation"),
        ("Pengembangan kompetensi", "Competency development"),
    ),
    3: (
        ("Bimbingan kinerja", "Performance coaching"),
        ("Konseling kinerja", "Performance counselling"),
        ("Pengembangan kompetensi", "Competency development"),
        ("Penempatan yang sesuai", "Suitable placement"),
    ),
    2: (
        ("Bimbingan kinerja", "Performance coaching"),
        ("Pengembangan kompetensi", "Competency development"),
        ("Penempatan yang sesuai", "Suitable placement"),
    ),
    1: (
        (
            "Diproses sesuai ketentuan peraturan disiplin dan manajemen kinerja",
            "Handled under the disciplinary and performance management regulations",
        ),
    ),
}


def _boxes() -> dict[str, dict[str, Any]]:
    boxes: dict[str, dict[str, Any]] = {}
    for performance in PERFORMANCE_LEVELS:
        for potential in POTENTIAL_LEVELS:
            box = _BOX_TABLE[performance][potential]
            perf_id, perf_en = PERFORMANCE_LEVEL_LABELS[performance]
            pot_id, pot_en = POTENTIAL_LEVEL_LABELS[potential]
            boxes[str(box)] = {
                "label_id": f"Kotak {box}: kinerja {perf_id.lower()}, potensial {pot_id.lower()}",
                "label_en": f"Box {box}: performance {perf_en.lower()}, potential {pot_en.lower()}",
                "recommendations_id": [pair[0] for pair in _RECOMMENDATIONS[box]],
                "recommendations_en": [pair[1] for pair in _RECOMMENDATIONS[box]],
            }
    return boxes


_PERMENPANRB: Final[dict[str, Any]] = {
    "id": DEFAULT_POLICY_ID,
    "version": 1,
    "name": "PermenPANRB 3/2020 (default)",
    "description": "Performance from the predikat of year Y; potential = 0.5 JPM + 0.5 potential assessment.",
    "performance": {
        "kind": "predikat",
        "levels": {
            "sangat_baik": "above",
            "baik": "meets",
            "butuh_perbaikan": "below",
            "kurang": "below",
            "sangat_kurang": "below",
        },
    },
    # Angka kredit multipliers of PermenPANRB 1/2023; / 1.5 puts sangat_baik at 100.
    "predikat_scores": {"sangat_baik": 150, "baik": 100, "butuh_perbaikan": 75, "kurang": 50, "sangat_kurang": 25},
    "predikat_score_divisor": 1.5,
    "potential_weights": {"jpm": 0.5, "potential_assessment": 0.5, "qualification": 0.0, "integrity": 0.0},
    "potential_bands": {"medium_from": 78, "high_from": 90},
    "jpm_bands": {"cukup_optimal_from": 78, "optimal_from": 90},
    # Kept here at weight 0 so an agency can weight track record without restating the tables.
    "qualification_scores": {
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
    },
    "integrity": {
        "base": 100,
        "deduction": {"ringan": 30, "sedang": 60, "berat": 100},
        "lookback_years": 5,
        "floor": 0,
    },
    "max_input_age_years": 3,
    "default_competency_standard": {
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
    },
    "box_table": _BOX_TABLE,
    "boxes": _boxes(),
    "talent_pool_boxes": [7, 8, 9],
    "succession": {
        "targets": {
            "jpt_madya": {
                "feeder_levels": ["jpt_pratama", "ahli_utama"],
                "min_years_in_level": 2,
                "default_min_rank": "IV/d",
                "min_education": "d4",
            },
            "jpt_pratama": {
                "feeder_levels": ["administrator", "ahli_madya"],
                "min_years_in_level": 2,
                "default_min_rank": "IV/b",
                "min_education": "d4",
            },
            "administrator": {
                "feeder_levels": ["pengawas", "ahli_muda"],
                "min_years_in_level": 3,
                "default_min_rank": "III/d",
                "min_education": "d4",
            },
            "pengawas": {
                "feeder_levels": ["pelaksana", "ahli_pertama", "pemula", "terampil", "mahir", "penyelia"],
                "min_years_in_level": 4,
                "default_min_rank": "III/b",
                "min_education": "d3",
            },
        },
        "max_age_at_appointment": {"jpt_pratama": 56, "jpt_madya": 58, "jpt_utama": 58},
        "retirement_margin_years": 1,
        "discipline_lookback_years": 3,
        "min_predikat": "baik",
        "excluded_employment_types": ["pppk"],
        "ranking_weights": {"target_jpm": 0.40, "box": 0.25, "potential": 0.20, "performance": 0.15},
        "box_points": {"9": 100, "8": 75, "7": 50},
        "readiness": {"ready_now_min_jpm": 80, "ready_1_2_years_min_jpm": 68, "time_in_level_window_years": 2},
        "shortlist_size": 3,
    },
}

_SIMATA_OVERRIDES: Final[dict[str, Any]] = {
    "name": "SIMATA BKN 2025 (Kepka BKN 411/2025, as reported)",
    "description": "Potential = 0.40 JPM + 0.25 potential + 0.20 qualification + 0.15 integrity; "
    "performance = 0.60 predikat score / 1.5 + 0.40 recognition.",
    "performance": {
        "kind": "weighted",
        "predikat_weight": 0.60,
        "recognition_weight": 0.40,
        "recognition_per_award": 25,
        "recognition_cap": 100,
        "award_lookback_years": 5,
        "bands": {"meets_from": 50, "above_from": 75},
    },
    "potential_weights": {"jpm": 0.40, "potential_assessment": 0.25, "qualification": 0.20, "integrity": 0.15},
}

PERMENPANRB_3_2020: Final = Policy.model_validate(_PERMENPANRB)
# A built-in stands on its own: derived here only to avoid restating the shared tables.
SIMATA_2025: Final = Policy.model_validate(
    derive(PERMENPANRB_3_2020, _SIMATA_OVERRIDES, SIMATA_POLICY_ID).model_dump(mode="json") | {"based_on": None}
)
BUILTIN_POLICIES: Final[dict[str, Policy]] = {policy.id: policy for policy in (PERMENPANRB_3_2020, SIMATA_2025)}


def builtin_policy(policy_id: str = DEFAULT_POLICY_ID) -> Policy:
    """A built-in policy by id (KeyError when there is none)."""
    return BUILTIN_POLICIES[policy_id]
