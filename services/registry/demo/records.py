"""Generated histories and records of employees: rank, position, education and training rows, two years of
ratings, competency and potential assessments (some missing or stale), awards and a few sanctions."""

from __future__ import annotations

import datetime as dt

import numpy as np

from services.registry.assessments.rules import POTENTIAL_ASPECTS
from services.registry.demo.org import DemoAgency, audit_columns
from services.registry.demo.people import PNS_RANK_LIST
from services.registry.demo.rows import Column, Rows, days, demo_ids, group_rank, make_dates, ymd
from services.registry.employees.rules import PNS_RANKS
from services.registry.positions.rules import COMPETENCIES
from services.registry.ratings.rules import PREDIKAT_MATRIX
from services.registry.settings import DEFAULT_COMPETENCY_LEVELS

RATING_YEARS = (2024, 2025)
RATING_MISSING = {2024: 0.03, 2025: 0.04}  # deliberately incomplete: no SKP recorded
COMPETENCY_SHARE, POTENTIAL_SHARE, STALE_SHARE = 0.94, 0.92, 0.04
SANCTION_SHARE, TEACHER_AWARD_SHARE = 0.015, 0.03
INSTITUTIONS = (
    "Universitas Lampung",
    "Universitas Terbuka",
    "UIN Raden Intan Lampung",
    "Institut Teknologi Sumatera",
    "Universitas Muhammadiyah Metro",
    "Politeknik Negeri Lampung",
    "Universitas Bandar Lampung",
    "Poltekkes Kemenkes Tanjungkarang",
    "Universitas Gadjah Mada",
    "Institut Pemerintahan Dalam Negeri",
)


class Ids:
    """Deterministic UUIDv7 ids for one chunk's records, time-ordered after the organisation's."""

    def __init__(self, rng: np.random.Generator, base: dt.datetime) -> None:
        self.rng, self.next = rng, base

    def take(self, count: int) -> Column:
        """`count` new ids."""
        ids = demo_ids(self.rng, count, self.next)
        self.next += dt.timedelta(milliseconds=count)
        return ids


def _base(people: Rows, who: Column, ids: Ids, recorded_at: dt.datetime) -> dict[str, Column]:
    return {
        "id": ids.take(len(who)),
        "nip": people.columns["nip"][who],
        "source": np.full(len(who), "import", dtype=object),
        "source_fetched_at": np.full(len(who), None, dtype=object),
        **audit_columns(len(who), recorded_at),
    }


def rank_history(people: Rows, ids: Ids, recorded_at: dt.datetime) -> Rows:
    """One row per rank held: every regular promotion from the entry rank (PNS/CPNS), one row for PPPK."""
    c = people.columns
    pppk = c["employment_type"] == "pppk"
    order = c["rank_order"]
    index = np.array([PNS_RANK_LIST.index(r) if not p else 0 for r, p in zip(c["rank"], pppk, strict=True)])
    first = index - c["rank_steps"]
    count = index - first + 1
    who = np.repeat(np.arange(len(people)), count)
    step = group_rank(who)
    is_last = step == count[who] - 1
    tmt_year, _, _ = ymd(c["tmt"][who])
    _, since_month, _ = ymd(c["rank_since"][who])
    valid_from = np.where(step == 0, c["tmt"][who], make_dates(tmt_year + 4 * step, since_month))
    valid_from = np.where(is_last, c["rank_since"][who], valid_from)
    next_from = np.r_[valid_from[1:], np.datetime64("NaT", "D")]
    rank_index = first[who] + step
    ranks = np.where(pppk[who], c["rank"][who], np.array(PNS_RANK_LIST, dtype=object)[np.minimum(rank_index, 16)])
    orders = np.where(
        pppk[who], order[who], np.array([PNS_RANKS[r][0] for r in PNS_RANK_LIST])[np.minimum(rank_index, 16)]
    )
    return Rows(
        {
            **_base(people, who, ids, recorded_at),
            "rank": ranks.astype(object),
            "rank_order": orders,
            "valid_from": valid_from,
            "valid_to": np.where(is_last, np.datetime64("NaT", "D"), next_from),
        }
    )


def position_history(people: Rows, agency: DemoAgency, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """The current position row, and an earlier row at the same level for those whose level_since is older."""
    c = people.columns
    held = c["position_id"] != None  # noqa: E711 - element-wise comparison
    positions = agency.positions.columns
    earlier = held & (c["level_since"] < c["position_since"])
    same_level = np.array(
        [
            rng.choice(np.flatnonzero(positions["level"] == lv)) if e else 0
            for lv, e in zip(c["level"], earlier, strict=True)
        ],
        dtype=np.int64,
    )
    current = np.flatnonzero(held)
    before = np.flatnonzero(earlier)
    nat = np.full(len(current), np.datetime64("NaT", "D"))
    rows = [
        Rows(
            {
                **_base(people, current, ids, at),
                "agency_id": c["agency_id"][current],
                "unit_id": c["unit_id"][current],
                "position_id": c["position_id"][current],
                "level": c["level"][current],
                "valid_from": c["position_since"][current],
                "valid_to": nat,
            }
        ),
        Rows(
            {
                **_base(people, before, ids, at),
                "agency_id": c["agency_id"][before],
                "unit_id": positions["unit_id"][same_level[before]],
                "position_id": positions["id"][same_level[before]],
                "level": c["level"][before],
                "valid_from": c["level_since"][before],
                "valid_to": c["position_since"][before],
            }
        ),
    ]
    return Rows.concat(rows)


def education_history(people: Rows, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """The highest education, graduated before the TMT (or while serving, for a master's degree)."""
    c = people.columns
    who = np.arange(len(people))
    in_service = np.isin(c["education_level"], ["s2", "s3"]) & (rng.random(len(who)) < 0.6)
    span = np.maximum((np.datetime64("2025-06-30") - c["tmt"]).astype(int), 400)
    graduated = np.where(
        in_service,
        c["tmt"] + days((rng.random(len(who)) * span).astype(int)),
        c["tmt"] - days(rng.integers(90, 900, len(who))),
    )
    institution = np.array(INSTITUTIONS, dtype=object)[rng.integers(0, len(INSTITUTIONS), len(who))]
    institution[np.isin(c["education_level"], ["sd", "smp", "sma"])] = None
    return Rows(
        {
            **_base(people, who, ids, at),
            "level": c["education_level"],
            "institution": institution,
            "major": np.full(len(who), None, dtype=object),
            "graduated_on": graduated,
            "valid_from": graduated,
            "valid_to": np.full(len(who), np.datetime64("NaT", "D")),
        }
    )


def training_history(people: Rows, as_of: np.datetime64, ids: Ids, at: dt.datetime) -> Rows:
    """Basic training (Latsar) a year after TMT, and the leadership training of structural positions."""
    c = people.columns
    latsar_on = c["tmt"] + days(365)
    latsar = np.flatnonzero((c["employment_type"] != "pppk") & (latsar_on <= as_of))
    programs = {
        "jpt_pratama": ("Pelatihan Kepemimpinan Nasional Tingkat II", 380),
        "administrator": ("Pelatihan Kepemimpinan Administrator", 420),
        "pengawas": ("Pelatihan Kepemimpinan Pengawas", 380),
    }
    lead = np.flatnonzero(np.isin(c["level"], list(programs)) & ~np.isnat(c["level_since"]))
    lead_on = np.minimum(c["level_since"][lead] + days(300), as_of)
    completed = np.concatenate([latsar_on[latsar], lead_on])
    who = np.concatenate([latsar, lead])
    names = ["Pelatihan Dasar CPNS"] * len(latsar) + [programs[lv][0] for lv in c["level"][lead]]
    hours = [300] * len(latsar) + [programs[lv][1] for lv in c["level"][lead]]
    return Rows(
        {
            **_base(people, who, ids, at),
            "name": np.array(names, dtype=object),
            "hours": np.array(hours, dtype=np.int64),
            "completed_on": completed,
            "valid_from": completed,
            "valid_to": np.full(len(who), np.datetime64("NaT", "D")),
        }
    )


def ratings(people: Rows, quality: Column, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """SKP ratings for 2024 and 2025, better for better people; some years missing."""
    c = people.columns
    parts = []
    for year in RATING_YEARS:
        tmt_year, _, _ = ymd(c["tmt"])
        who = np.flatnonzero((tmt_year <= year) & (rng.random(len(people)) >= RATING_MISSING[year]))
        result = _expectation(rng, quality[who] + rng.normal(0, 0.6, len(who)))
        behavior = _expectation(rng, quality[who] + rng.normal(0, 0.8, len(who)) + 0.3)
        predikat = np.array([PREDIKAT_MATRIX[(r, b)] for r, b in zip(result, behavior, strict=True)], dtype=object)
        parts.append(
            Rows(
                {
                    **_base(people, who, ids, at),
                    "year": np.full(len(who), year),
                    "work_result": result,
                    "work_behavior": behavior,
                    "predikat": predikat,
                    "superseded_at": np.full(len(who), None, dtype=object),
                    "superseded_by": np.full(len(who), None, dtype=object),
                }
            )
        )
    return Rows.concat(parts)


def _expectation(rng: np.random.Generator, score: Column) -> Column:
    return np.where(score > 1.1, "above", np.where(score < -1.6, "below", "meets")).astype(object)


def _assessed_on(rng: np.random.Generator, count: int) -> Column:
    stale = rng.random(count) < STALE_SHARE  # older than the default policy's 3-year limit
    recent = make_dates(rng.integers(2023, 2026, count), rng.integers(1, 12, count), rng.integers(1, 28, count))
    old = make_dates(rng.integers(2019, 2022, count), rng.integers(1, 13, count), rng.integers(1, 28, count))
    return np.where(stale, old, recent)


def competency_assessments(people: Rows, quality: Column, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """All 9 competencies assessed for most people, around the default level of their position level."""
    c = people.columns
    who = np.flatnonzero(rng.random(len(people)) < COMPETENCY_SHARE)
    base = np.array([DEFAULT_COMPETENCY_LEVELS.get(lv, 2) for lv in c["level"][who]])
    levels = {
        "lvl_" + code: np.clip(np.round(base + 0.6 * quality[who] + rng.normal(0.2, 0.7, len(who))), 1, 5)
        for code in COMPETENCIES
    }
    return Rows({**_base(people, who, ids, at), "assessed_on": _assessed_on(rng, len(who)), **levels})


def potential_assessments(people: Rows, quality: Column, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """A potential score for most people; half of them with the 8 aspects (the score is then their mean)."""
    who = np.flatnonzero(rng.random(len(people)) < POTENTIAL_SHARE)
    score = np.clip(74 + 9 * quality[who] + rng.normal(0, 6, len(who)), 30, 100)
    with_aspects = rng.random(len(who)) < 0.5
    aspects = {
        "aspect_" + a: np.where(with_aspects, np.clip(np.round(score + rng.normal(0, 7, len(who))), 0, 100), np.nan)
        for a in POTENTIAL_ASPECTS
    }
    mean = np.mean(np.stack(list(aspects.values())), axis=0)
    score = np.where(with_aspects, mean, np.round(score, 1))
    return Rows({**_base(people, who, ids, at), "assessed_on": _assessed_on(rng, len(who)), "score": score, **aspects})


def awards(people: Rows, as_of: np.datetime64, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """Satyalancana Karya Satya after 10, 20 and 30 years of service, and a few agency awards."""
    c = people.columns
    tmt_year, _, _ = ymd(c["tmt"])
    parts = []
    for years, numeral in ((10, "X"), (20, "XX"), (30, "XXX")):
        on = make_dates(tmt_year + years, 8, 17)
        who = np.flatnonzero((on <= as_of) & (c["employment_type"] != "pppk") & (rng.random(len(people)) < 0.4))
        parts.append(
            Rows(
                {
                    **_base(people, who, ids, at),
                    "awarded_on": on[who],
                    "name": np.full(len(who), f"Satyalancana Karya Satya {numeral} Tahun", dtype=object),
                    "level": np.full(len(who), "national", dtype=object),
                }
            )
        )
    who = np.flatnonzero(rng.random(len(people)) < TEACHER_AWARD_SHARE)
    on = make_dates(rng.integers(2022, 2026, len(who)), rng.integers(1, 12, len(who)), rng.integers(1, 28, len(who)))
    parts.append(
        Rows(
            {
                **_base(people, who, ids, at),
                "awarded_on": on,
                "name": np.full(len(who), "ASN Berprestasi Tingkat Kabupaten", dtype=object),
                "level": np.full(len(who), "agency", dtype=object),
            }
        )
    )
    return Rows.concat(parts)


def sanctions(people: Rows, rng: np.random.Generator, ids: Ids, at: dt.datetime) -> Rows:
    """A few disciplinary sanctions (PP 94/2021), some of them still in force."""
    who = np.flatnonzero(rng.random(len(people)) < SANCTION_SHARE)
    level = np.array(["ringan", "sedang", "berat"], dtype=object)[rng.choice(3, len(who), p=[0.65, 0.25, 0.10])]
    months = np.where(level == "sedang", rng.choice([6, 9, 12], len(who)), np.where(level == "berat", 12, 3))
    starts = make_dates(
        rng.integers(2019, 2026, len(who)), rng.integers(1, 11, len(who)), rng.integers(1, 28, len(who))
    )
    start_year, start_month, start_day = ymd(starts)
    ends = make_dates(
        start_year + (start_month + months - 1) // 12, (start_month + months - 1) % 12 + 1, start_day
    ) - days(1)
    reasons = np.array(
        ["Tidak masuk kerja tanpa keterangan", "Tidak menaati jam kerja", "Penyalahgunaan wewenang"], dtype=object
    )[rng.integers(0, 3, len(who))]
    return Rows(
        {**_base(people, who, ids, at), "level": level, "starts_on": starts, "ends_on": ends, "reason": reasons}
    )
