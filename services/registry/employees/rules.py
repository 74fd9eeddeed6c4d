"""Employee rules of DOMAIN.md: NIP structure, derived fields, retirement age (BUP), ranks, education."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Literal, NamedTuple, get_args

EmploymentType = Literal["pns", "pppk", "cpns"]
EducationLevel = Literal["sd", "smp", "sma", "d1", "d2", "d3", "d4", "s1", "s2", "s3"]
Gender = Literal["male", "female"]
Source = Literal["manual", "import", "siasn"]

EMPLOYMENT_TYPES: tuple[str, ...] = get_args(EmploymentType)
EDUCATION_LEVELS: tuple[str, ...] = get_args(EducationLevel)  # in order, lowest first
SOURCES: tuple[str, ...] = get_args(Source)

# --- NIP (Perka BKN 22/2007): birth date YYYYMMDD + TMT CPNS YYYYMM + gender digit + 3-digit sequence.
NIP_LENGTH = 18
NIP_GENDERS = {"1": "male", "2": "female"}
MINIMUM_AGE_AT_TMT = 18


class InvalidNip(ValueError):
    """A NIP that breaks one of the rules; the message says which one."""


class NipFacts(NamedTuple):
    """What a valid NIP says about its holder (a named tuple: an import builds one per row)."""

    birth_date: dt.date
    tmt_year: int
    tmt_month: int
    gender: str


@functools.lru_cache(maxsize=32_768)
def _birth_date(digits: str) -> dt.date:
    """The date of YYYYMMDD; ValueError when it is none. Cached: 60 years of birthdays are ~22,000 dates, and an
    import of 200,000 people meets each ~10 times."""
    return dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))


def parse_nip(nip: str) -> NipFacts:
    """The facts encoded in a NIP; InvalidNip naming the first rule it breaks."""
    if len(nip) != NIP_LENGTH:
        raise InvalidNip(f"must be {NIP_LENGTH} characters long, not {len(nip)}")
    if not nip.isascii() or not nip.isdigit():
        raise InvalidNip("must contain digits only")
    try:
        birth = _birth_date(nip[0:8])
    except ValueError:
        raise InvalidNip(f"characters 1-8 ({nip[0:8]}) are not a real birth date (YYYYMMDD)") from None
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        raise InvalidNip(f"characters 13-14 are the TMT month and must be 01 to 12, not {nip[12:14]}")
    if (tmt_year, tmt_month) < (birth.year + MINIMUM_AGE_AT_TMT, birth.month):
        raise InvalidNip(f"the TMT ({tmt_year}-{tmt_month:02d}) is before the month of the 18th birthday")
    gender = NIP_GENDERS.get(nip[14])
    if gender is None:
        raise InvalidNip(f"character 15 is the gender digit and must be 1 or 2, not {nip[14]}")
    return NipFacts(birth, tmt_year, tmt_month, gender)


# --- Retirement age, BUP (PP 11/2017 art. 239 jo. PP 17/2020), by position level.
BUP_BY_LEVEL: dict[str, int] = {
    "jpt_utama": 60,
    "jpt_madya": 60,
    "jpt_pratama": 60,
    "administrator": 58,
    "pengawas": 58,
    "pelaksana": 58,
    "ahli_utama": 65,
    "ahli_madya": 60,
    "ahli_muda": 58,
    "ahli_pertama": 58,
    "pemula": 58,
    "terampil": 58,
    "mahir": 58,
    "penyelia": 58,
}
# Someone without a position gets the lowest BUP, so that nobody is kept on the books past retirement.
BUP_WITHOUT_POSITION = 58


def retirement_age(level: str | None) -> int:
    """The BUP (retirement age in years) for a position level; the lowest one without a position."""
    return BUP_WITHOUT_POSITION if level is None else BUP_BY_LEVEL[level]


def retirement_date(birth_date: dt.date, level: str | None) -> dt.date:
    """First day of the month after the birthday at BUP."""
    year = birth_date.year + retirement_age(level)
    return dt.date(year + 1, 1, 1) if birth_date.month == 12 else dt.date(year, birth_date.month + 1, 1)


# --- Ranks. PNS golongan/ruang with SIASN golRuangAkhirId codes (order codes sort in rank order).
PNS_RANKS: dict[str, tuple[int, str]] = {
    "I/a": (11, "Juru Muda"),
    "I/b": (12, "Juru Muda Tingkat I"),
    "I/c": (13, "Juru"),
    "I/d": (14, "Juru Tingkat I"),
    "II/a": (21, "Pengatur Muda"),
    "II/b": (22, "Pengatur Muda Tingkat I"),
    "II/c": (23, "Pengatur"),
    "II/d": (24, "Pengatur Tingkat I"),
    "III/a": (31, "Penata Muda"),
    "III/b": (32, "Penata Muda Tingkat I"),
    "III/c": (33, "Penata"),
    "III/d": (34, "Penata Tingkat I"),
    "IV/a": (41, "Pembina"),
    "IV/b": (42, "Pembina Tingkat I"),
    "IV/c": (43, "Pembina Utama Muda"),
    "IV/d": (44, "Pembina Utama Madya"),
    "IV/e": (45, "Pembina Utama"),
}
# PPPK golongan I..XVII, written in roman numerals, ordered 1..17.
PPPK_RANKS: dict[str, int] = {
    numeral: order
    for order, numeral in enumerate(
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"],
        start=1,
    )
}
RANKS_BY_EMPLOYMENT_TYPE: dict[str, dict[str, int]] = {
    "pns": {rank: order for rank, (order, _) in PNS_RANKS.items()},
    "cpns": {rank: order for rank, (order, _) in PNS_RANKS.items()},
    "pppk": PPPK_RANKS,
}


def rank_order(rank: str) -> int:
    """The order code of a PNS (11..45) or PPPK (1..17) rank; KeyError when unknown."""
    if rank in PNS_RANKS:
        return PNS_RANKS[rank][0]
    return PPPK_RANKS[rank]


def rank_problem(rank: str, employment_type: str) -> str | None:
    """Why `rank` does not fit `employment_type`, or None when it does."""
    if rank in RANKS_BY_EMPLOYMENT_TYPE[employment_type]:
        return None
    if employment_type == "pppk":
        return "a PPPK rank is a roman numeral I to XVII, e.g. IX"
    return "a PNS/CPNS rank is a golongan/ruang from I/a to IV/e, e.g. III/c"
