"""Reference codes of DOMAIN.md and their integer encodings used by the engine's arrays.

A code column holds the index of its value in the tuple below, or `MISSING` (-1). These tables are
reference data (they name things); every number that scores people lives in the policy instead.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

MISSING: Final = -1

Predikat = Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
Education = Literal["sd", "smp", "sma", "d1", "d2", "d3", "d4", "s1", "s2", "s3"]
Level = Literal[
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
PositionType = Literal["jpt_utama", "jpt_madya", "jpt_pratama", "administrator", "pengawas", "pelaksana", "fungsional"]
FunctionalLevel = Literal[
    "ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama", "pemula", "terampil", "mahir", "penyelia"
]
EmploymentType = Literal["pns", "pppk", "cpns"]
PerformanceLevel = Literal["below", "meets", "above"]
PotentialLevel = Literal["low", "medium", "high"]
SanctionLevel = Literal["ringan", "sedang", "berat"]
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
Readiness = Literal["ready_now", "ready_1_2_years", "ready_3_plus_years"]

# Best first: a smaller code is a better predikat ("at least baik" is code <= 1).
PREDIKAT: Final[tuple[Predikat, ...]] = get_args(Predikat)
# Lowest first: a larger code is more education.
EDUCATION: Final[tuple[Education, ...]] = get_args(Education)
LEVELS: Final[tuple[Level, ...]] = get_args(Level)
POSITION_TYPES: Final[tuple[PositionType, ...]] = get_args(PositionType)
FUNCTIONAL_LEVELS: Final[tuple[FunctionalLevel, ...]] = get_args(FunctionalLevel)
EMPLOYMENT_TYPES: Final[tuple[EmploymentType, ...]] = get_args(EmploymentType)
# Lowest first, so a level code doubles as the row/column index of the 9-box.
PERFORMANCE_LEVELS: Final[tuple[PerformanceLevel, ...]] = get_args(PerformanceLevel)
POTENTIAL_LEVELS: Final[tuple[PotentialLevel, ...]] = get_args(PotentialLevel)
SANCTION_LEVELS: Final[tuple[SanctionLevel, ...]] = get_args(SanctionLevel)
COMPETENCIES: Final[tuple[Competency, ...]] = get_args(Competency)
READINESS: Final[tuple[Readiness, ...]] = get_args(Readiness)

_LEVEL_BY_NAME: Final[dict[str, Level]] = {level: level for level in LEVELS}
KETERAMPILAN: Final[tuple[Level, ...]] = ("pemula", "terampil", "mahir", "penyelia")

PERFORMANCE_LEVEL_LABELS: Final[dict[PerformanceLevel, tuple[str, str]]] = {
    "above": ("Di atas ekspektasi", "Above expectations"),
    "meets": ("Sesuai ekspektasi", "Meets expectations"),
    "below": ("Di bawah ekspektasi", "Below expectations"),
}
POTENTIAL_LEVEL_LABELS: Final[dict[PotentialLevel, tuple[str, str]]] = {
    "high": ("Tinggi", "High"),
    "medium": ("Menengah", "Medium"),
    "low": ("Rendah", "Low"),
}

_PNS_GROUPS: Final = (("I", 1), ("II", 2), ("III", 3), ("IV", 4))
# Golongan/ruang -> SIASN golRuangAkhirId (I/a 11 ... IV/e 45); group I-III have ruang a-d, IV has a-e.
PNS_RANKS: Final[dict[str, int]] = {
    f"{roman}/{ruang}": group * 10 + offset
    for roman, group in _PNS_GROUPS
    for offset, ruang in enumerate("abcde"[: 5 if group == 4 else 4], start=1)
}
_ROMAN: Final = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
)
PPPK_RANKS: Final[dict[str, int]] = {roman: order for order, roman in enumerate(_ROMAN, start=1)}
# PNS and PPPK orders overlap (11..17), so a rank order only means something together with its scale.
PPPK_CODE: Final = EMPLOYMENT_TYPES.index("pppk")


def rank_scale_and_order(rank: str) -> tuple[bool, int]:
    """Answer (is a PPPK golongan, order) for a rank written "III/c" or "IX"; ValueError when unknown."""
    if rank in PNS_RANKS:
        return False, PNS_RANKS[rank]
    if rank in PPPK_RANKS:
        return True, PPPK_RANKS[rank]
    raise ValueError(f"unknown rank {rank!r}")


def parse_level(name: str) -> Level:
    """A position level code, checked (ValueError when unknown)."""
    if name not in _LEVEL_BY_NAME:
        raise ValueError(f"unknown position level {name!r}")
    return _LEVEL_BY_NAME[name]


def level_of(position_type: str | None, functional_level: str | None) -> Level | None:
    """The position level DOMAIN.md ranks by: functional_level for fungsional, else position_type."""
    name = functional_level if position_type == "fungsional" else position_type
    return _LEVEL_BY_NAME.get(name or "")
