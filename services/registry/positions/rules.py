"""Position reference codes (DOMAIN.md "Identifiers and reference data"), as tables beside the regulation."""

from __future__ import annotations

from typing import Literal, get_args

PositionType = Literal["jpt_utama", "jpt_madya", "jpt_pratama", "administrator", "pengawas", "pelaksana", "fungsional"]
FunctionalLevel = Literal[
    "ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama", "pemula", "terampil", "mahir", "penyelia"
]
PositionLevel = Literal[
    "jpt_utama",
    "jpt_madya",
    "jpt_pratama",
    "administrator",
    "pengawas",
    "pelaksana",
    "ahli_utama",
    "ahli_madya",
    "ahli_muda",
    "ahli_pertama",
    "pemula",
    "terampil",
    "mahir",
    "penyelia",
]
Competency = Literal[
    "integritas",
    "kerja_sama",
    "komunikasi",
    "orientasi_pada_hasil",
    "pelayanan_publik",
    "pengembangan_diri_dan_orang_lain",
    "mengelola_perubahan",
    "pengambilan_keputusan",
    "perekat_bangsa",
]

POSITION_TYPES: tuple[str, ...] = get_args(PositionType)
FUNCTIONAL_LEVELS: tuple[str, ...] = get_args(FunctionalLevel)
POSITION_LEVELS: tuple[str, ...] = get_args(PositionLevel)
# PermenPANRB 38/2017: 8 managerial competencies and 1 socio-cultural one, each assessed at level 1 to 5.
COMPETENCIES: tuple[str, ...] = get_args(Competency)
COMPETENCY_LEVEL_RANGE = (1, 5)


def position_level(position_type: str, functional_level: str | None) -> str:
    """The level of a position (DESIGN.md): its functional level when fungsional, else its type."""
    if position_type == "fungsional":
        if functional_level is None:
            raise ValueError("a fungsional position needs a functional_level")
        return functional_level
    return position_type


def functional_level_problem(position_type: str, functional_level: str | None) -> str | None:
    """Why this type/level pair is inconsistent, or None: a level is required iff the type is fungsional."""
    if position_type == "fungsional" and functional_level is None:
        return "required when position_type is fungsional"
    if position_type != "fungsional" and functional_level is not None:
        return "only a fungsional position has a functional_level"
    return None
