"""Generated employees, vectorised: positions, ages, NIPs consistent with birth and TMT, rank by tenure and
education, names and work contacts. One call makes one chunk of one agency."""

from __future__ import annotations

import datetime as dt

import numpy as np

from services.registry.demo.names import FEMALE_FAMILY, FEMALE_GIVEN, MALE_FAMILY, MALE_GIVEN, TITLES
from services.registry.demo.org import DemoAgency, audit_columns
from services.registry.demo.rows import Column, Rows, days, group_rank, make_dates, ymd
from services.registry.employees.rules import BUP_BY_LEVEL, EDUCATION_LEVELS, PNS_RANKS

# Ages (completed years at the as-of date) by position level, and the education mix of each level.
AGE_RANGE = {
    "jpt_pratama": (46, 58),
    "administrator": (38, 56),
    "pengawas": (32, 55),
    "pelaksana": (22, 56),
    "ahli_pertama": (24, 45),
    "ahli_muda": (30, 54),
    "ahli_madya": (38, 58),
    "ahli_utama": (50, 62),
    "pemula": (22, 40),
    "terampil": (22, 50),
    "mahir": (28, 55),
    "penyelia": (38, 56),
    "none": (25, 55),
}
EDUCATION_MIX = {
    "jpt_pratama": {"s1": 0.15, "s2": 0.75, "s3": 0.10},
    "administrator": {"s1": 0.45, "s2": 0.55},
    "pengawas": {"d3": 0.15, "s1": 0.70, "s2": 0.15},
    "pelaksana": {"sd": 0.03, "smp": 0.07, "sma": 0.50, "d3": 0.15, "s1": 0.25},
    "ahli": {"s1": 0.70, "d4": 0.10, "s2": 0.20},
    "terampil": {"d3": 0.85, "d4": 0.10, "s1": 0.05},
    "none": {"sma": 0.5, "s1": 0.5},
}
PNS_RANK_LIST = list(PNS_RANKS)  # I/a .. IV/e, in order
# Entry rank and the highest rank reachable by regular promotion, by education (index into PNS_RANK_LIST).
ENTRY_RANK = {"sd": 0, "smp": 2, "sma": 4, "d1": 5, "d2": 5, "d3": 6, "d4": 8, "s1": 8, "s2": 9, "s3": 10}
RANK_CAP = {"sd": 5, "smp": 7, "sma": 9, "d1": 10, "d2": 10, "d3": 10, "d4": 12, "s1": 12, "s2": 13, "s3": 14}
LEVEL_RANK_CAP = {"jpt_pratama": 15, "ahli_utama": 16, "ahli_madya": 14}
PPPK_RANK = {
    "sd": "I",
    "smp": "IV",
    "sma": "V",
    "d1": "V",
    "d2": "V",
    "d3": "VII",
    "d4": "IX",
    "s1": "IX",
    "s2": "X",
    "s3": "XI",
}
PROMOTION_YEARS = 4
STRUCTURAL_FILL = 0.92  # some structural positions are vacant
NO_POSITION_SHARE = 0.005  # deliberately incomplete: a few people hold no position


def _choose(rng: np.random.Generator, options: dict[str, float], count: int) -> Column:
    names = list(options)
    weights = np.array([options[n] for n in names])
    return np.array(names, dtype=object)[rng.choice(len(names), count, p=weights / weights.sum())]


def assign_positions(rng: np.random.Generator, agency: DemoAgency, count: int, structural: Column) -> Column:
    """Position row index per person (-1: none): `structural` single-holder positions first, then shared ones."""
    filled = structural[: min(len(structural), count)]
    shared = np.flatnonzero(agency.shared_weight > 0)
    weights = agency.shared_weight[shared]
    rest = shared[rng.choice(len(shared), count - len(filled), p=weights / weights.sum())]
    rest[rng.random(len(rest)) < NO_POSITION_SHARE] = -1
    return np.concatenate([filled, rest]).astype(np.int64)


def structural_holders(rng: np.random.Generator, agency: DemoAgency, people: int, reserved: set[int]) -> Column:
    """Which single-holder positions get a holder (key ones first), at most a fifth of the people."""
    single = np.array([i for i in np.flatnonzero(agency.shared_weight == 0) if i not in reserved], dtype=np.int64)
    is_key = agency.positions.columns["is_key"][single]
    order = np.lexsort((rng.random(len(single)), ~is_key))
    wanted = min(round(STRUCTURAL_FILL * len(single)), people // 5)
    return single[order][:wanted]


def generate_employees(
    rng: np.random.Generator,
    agency: DemoAgency,
    position_index: Column,
    as_of: dt.date,
    nip_block: int,
    recorded_at: dt.datetime,
) -> Rows:
    """Employees holding `position_index` (one person per entry); NIP sequences come from `nip_block`."""
    count = len(position_index)
    positions = agency.positions.columns
    has_position = position_index >= 0
    level = np.where(has_position, positions["level"][np.maximum(position_index, 0)], "none").astype(object)
    as_of_day = np.datetime64(as_of, "D")
    birth = _birth_dates(rng, level, as_of_day)
    birth_year, birth_month, _ = ymd(birth)
    structural = has_position & (agency.shared_weight[np.maximum(position_index, 0)] == 0)
    employment = np.where(structural, "pns", _choose(rng, {"pns": 0.78, "pppk": 0.17, "cpns": 0.05}, count))
    age = (as_of_day - birth).astype(int) // 365
    employment = np.where((employment == "cpns") & (age > 35), "pns", employment).astype(object)
    tmt = _tmt(rng, employment, birth_year, birth_month, as_of)
    gender = np.where(rng.random(count) < 0.52, "2", "1")
    gender[np.char.startswith(positions["name"][np.maximum(position_index, 0)].astype(str), "Bidan") & has_position] = (
        "2"
    )
    education = _education(rng, level)
    tenure = (as_of_day - tmt).astype(int) / 365.25
    rank, rank_order, rank_since, rank_steps = _ranks(rng, employment, education, level, tmt, tenure)
    position_since, level_since = _position_dates(rng, tmt, as_of_day, has_position)
    nip = _nips(birth, tmt, gender, nip_block)
    names, emails = _names(rng, gender, education, agency.email_domain)
    bup = np.array([BUP_BY_LEVEL.get(lv, 58) for lv in level])
    retire_month = birth_month + 1
    retirement = make_dates(birth_year + bup + (retire_month > 12), np.where(retire_month > 12, 1, retire_month))
    phone = np.array([f"08{n:010d}" for n in rng.integers(1_100_000_000, 9_999_999_999, count).tolist()], dtype=object)
    phone[rng.random(count) < 0.15] = None
    nothing = np.full(count, None, dtype=object)
    position_ids = np.where(has_position, positions["id"][np.maximum(position_index, 0)], nothing)
    unit_ids = np.where(has_position, positions["unit_id"][np.maximum(position_index, 0)], nothing)
    return Rows(
        {
            "nip": nip,
            "name": names,
            "employment_type": employment,
            "agency_id": np.full(count, agency.agency.columns["id"][0], dtype=object),
            "unit_id": unit_ids.astype(object),
            "position_id": position_ids.astype(object),
            "position_since": position_since,
            "level_since": level_since,
            "rank": rank,
            "rank_order": rank_order,
            "rank_since": rank_since,
            "education_level": education,
            "email": emails,
            "phone": phone,
            "birth_date": birth,
            "gender": np.where(gender == "1", "male", "female").astype(object),
            "retirement_date": retirement,
            "source": np.full(count, "import", dtype=object),
            "source_fetched_at": np.full(count, None, dtype=object),
            "deleted_at": np.full(count, None, dtype=object),
            "deleted_by": np.full(count, None, dtype=object),
            "tmt": tmt,
            "level": level,
            "rank_steps": rank_steps,  # working columns for the records, not written
            **audit_columns(count, recorded_at),
        }
    )


def _birth_dates(rng: np.random.Generator, level: Column, as_of: np.datetime64) -> Column:
    low = np.array([AGE_RANGE[lv][0] for lv in level])
    high = np.array([min(AGE_RANGE[lv][1], BUP_BY_LEVEL.get(lv, 58) - 2) for lv in level])
    age_days = (rng.integers(low, high + 1) * 365.2425 + rng.integers(0, 365, len(level))).astype(int)
    return as_of - days(age_days)


def _tmt(
    rng: np.random.Generator, employment: Column, birth_year: Column, birth_month: Column, as_of: dt.date
) -> Column:
    count = len(employment)
    year = birth_year + rng.integers(20, 31, count)
    year = np.minimum(year, as_of.year - 2)  # a PNS has served at least a year
    year = np.where(employment == "pppk", rng.integers(2021, as_of.year, count), year)
    year = np.where(employment == "cpns", as_of.year - 1, year)
    month = rng.integers(1, 13, count)
    # Never before the month of the 18th birthday (the NIP rule); ages start at 22, so this only nudges.
    too_early = (year * 12 + month) < ((birth_year + 18) * 12 + birth_month)
    year = np.where(too_early, birth_year + 19, year)
    return make_dates(year, month)


def _education(rng: np.random.Generator, level: Column) -> Column:
    group = np.array(
        [
            "ahli"
            if str(lv).startswith("ahli")
            else "terampil"
            if lv in ("pemula", "terampil", "mahir", "penyelia")
            else lv
            for lv in level
        ],
        dtype=object,
    )
    education = np.empty(len(level), dtype=object)
    for name, mix in EDUCATION_MIX.items():
        mask = group == name
        education[mask] = _choose(rng, mix, int(mask.sum()))
    return education


def _ranks(
    rng: np.random.Generator, employment: Column, education: Column, level: Column, tmt: Column, tenure: Column
) -> tuple[Column, Column, Column, Column]:
    entry = np.array([ENTRY_RANK[e] for e in education])
    cap = np.array([max(RANK_CAP[e], LEVEL_RANK_CAP.get(lv, 0)) for e, lv in zip(education, level, strict=True)])
    steps = np.clip((tenure // PROMOTION_YEARS).astype(int) - rng.integers(0, 2, len(tenure)), 0, None)
    index = np.minimum(entry + steps, np.maximum(cap, entry))
    steps = index - entry
    tmt_year, _, _ = ymd(tmt)
    # Promotions take effect on 1 April or 1 October; the last one PROMOTION_YEARS apart from the one before.
    since_year = tmt_year + steps * PROMOTION_YEARS
    since = make_dates(since_year, np.where(rng.random(len(tenure)) < 0.5, 4, 10))
    last_allowed = tmt + days((tenure * 365.25).astype(int))  # the as-of date
    since = np.where(since > last_allowed, make_dates(since_year - 1, 10), since)
    since = np.where((steps > 0) & (since > tmt), since, tmt)
    pppk = employment == "pppk"
    rank = np.where(pppk, [PPPK_RANK[e] for e in education], np.array(PNS_RANK_LIST, dtype=object)[index])
    pppk_order = np.array(
        [
            int({"I": 1, "IV": 4, "V": 5, "VII": 7, "IX": 9, "X": 10, "XI": 11}[r]) if p else 0
            for r, p in zip(rank, pppk, strict=True)
        ]
    )
    order = np.where(pppk, pppk_order, np.array([PNS_RANKS[r][0] for r in PNS_RANK_LIST])[index])
    since = np.where(pppk, tmt, since)
    return rank.astype(object), order.astype(np.int64), since, np.where(pppk | (since == tmt), 0, steps)


def _position_dates(
    rng: np.random.Generator, tmt: Column, as_of: np.datetime64, has_position: Column
) -> tuple[Column, Column]:
    count = len(tmt)
    served = (as_of - tmt).astype(int)
    since = as_of - days((rng.random(count) * np.minimum(served, 6 * 365)).astype(int) + 30)
    since = np.maximum(since, tmt)
    earlier = rng.random(count) < 0.3  # moved between positions of the same level: level_since is older
    level_since = np.where(earlier, np.maximum(tmt, since - days(rng.integers(365, 4 * 365, count))), since)
    nat = np.datetime64("NaT", "D")
    return np.where(has_position, since, nat), np.where(has_position, level_since, nat)


def _nips(birth: Column, tmt: Column, gender: Column, block: int) -> Column:
    birth_year, birth_month, birth_day = ymd(birth)
    tmt_year, tmt_month, _ = ymd(tmt)
    prefix = (((birth_year * 100 + birth_month) * 100 + birth_day) * 1_000_000 + tmt_year * 100 + tmt_month) * 10
    prefix = prefix + gender.astype(int)
    # Sequences 020-999 in blocks of 20 per generated chunk, so chunks never collide (001-019 stay free).
    seq = 20 + block * 20 + group_rank(prefix)
    return np.array([f"{p:015d}{s:03d}" for p, s in zip(prefix.tolist(), seq.tolist(), strict=True)], dtype=object)


def _names(rng: np.random.Generator, gender: Column, education: Column, domain: str) -> tuple[Column, Column]:
    count = len(gender)
    female = gender == "2"
    given = np.where(
        female,
        np.array(FEMALE_GIVEN)[rng.integers(0, len(FEMALE_GIVEN), count)],
        np.array(MALE_GIVEN)[rng.integers(0, len(MALE_GIVEN), count)],
    )
    family = np.where(
        female,
        np.array(FEMALE_FAMILY)[rng.integers(0, len(FEMALE_FAMILY), count)],
        np.array(MALE_FAMILY)[rng.integers(0, len(MALE_FAMILY), count)],
    )
    picks = rng.integers(0, 1000, count)
    names, emails = [], []
    for i, (g, f, e, p) in enumerate(
        zip(given.tolist(), family.tolist(), education.tolist(), picks.tolist(), strict=True)
    ):
        titles = TITLES.get(e, ())
        title = f", {titles[p % len(titles)]}" if titles and e != "s3" else ""
        if e == "s2":
            title = f", {TITLES['s1'][p % len(TITLES['s1'])]}, {titles[p % len(titles)]}"
        names.append(("Dr. " if e == "s3" else "") + f"{g} {f}{title}")
        emails.append(f"{g}.{f}{p % 100}@{domain}".lower() if p % 10 else None)  # one in ten has none recorded
        del i
    return np.array(names, dtype=object), np.array(emails, dtype=object)


def education_rank(level: str) -> int:
    """Position of an education level in the order sd..s3."""
    return EDUCATION_LEVELS.index(level)
