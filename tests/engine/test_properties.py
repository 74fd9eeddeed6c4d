"""Property tests: the vectorised engine equals the per-person reference on random inputs, edges and gaps included."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine import SuccessionTarget, derive, place
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020, SIMATA_2025
from services.scoring.engine.codes import (
    COMPETENCIES,
    EDUCATION,
    EMPLOYMENT_TYPES,
    FUNCTIONAL_LEVELS,
    PERFORMANCE_LEVELS,
    POSITION_TYPES,
    POTENTIAL_LEVELS,
    PREDIKAT,
)
from services.scoring.engine.placement import missing_codes
from services.scoring.engine.reference import people, reference_place
from services.scoring.engine.reference_succession import TalentRecord, reference_successors
from services.scoring.engine.succession import RULE_CODES, evaluate
from tests.engine.factory import build
from tests.engine.synthetic import synthetic_inputs

AS_OF = dt.date(2026, 2, 28)
EDGE_SCORES = [0.0, 55.98, 56.0, 77.99, 78.0, 79.98, 80.0, 89.99, 90.0, 100.0]
FEEDERS = {"jpt_madya": "jpt_pratama", "jpt_pratama": "administrator", "administrator": "pengawas"}
FEEDERS |= {"pengawas": "pelaksana"}
FUNCTIONAL_FEEDERS = {"jpt_madya": "ahli_utama", "jpt_pratama": "ahli_madya", "administrator": "ahli_muda"}
FUNCTIONAL_FEEDERS |= {"pengawas": "mahir"}


# PNS ranks around each target's default minimum (III/b, III/d, IV/b, IV/d), repeated to weigh them.
RANKS = [32, 33, 34, 34, 41, 42, 42, 43, 44, 44, 45]
MIN_RANK = {"jpt_madya": 44, "jpt_pratama": 42, "administrator": 34, "pengawas": 32}
MIN_YEARS = {"jpt_madya": 2, "jpt_pratama": 2, "administrator": 3, "pengawas": 4}


def usually(good: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`good` nine times in ten, else `rare`: random data must mostly pass for the rules behind it to be reached."""
    return st.integers(0, 9).flatmap(lambda k: rare if k == 0 else good)


def maybe(values) -> st.SearchStrategy:
    return usually(st.sampled_from(values), st.none())


def near(day: dt.date, before: int, after: int) -> st.SearchStrategy:
    """ISO dates on an edge `day` (the day before, of or after it) or from `before` days before to `after` after."""
    edges = st.sampled_from([day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)])
    spread = st.integers(-before, after).map(lambda n: day + dt.timedelta(days=n))
    either = st.integers(0, 3).flatmap(lambda k: edges if k == 0 else spread)
    return usually(either.map(dt.date.isoformat), st.none())


def years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


scores = usually(st.one_of(st.sampled_from(EDGE_SCORES), st.integers(0, 10_000).map(lambda x: x / 100)), st.none())


@st.composite
def export_rows(draw, as_of: dt.date = dt.date(2025, 12, 31), level: str | None = None) -> dict:
    """One export row with values near the edges the rules for `as_of` (and a target `level`) care about."""
    years = MIN_YEARS.get(level or "", 3)
    ranks = RANKS if level is None else [MIN_RANK[level] + step for step in (-1, 0, 0, 1, 1)]
    if level is None:
        position_type = draw(maybe(POSITION_TYPES))
        functional = draw(maybe(FUNCTIONAL_LEVELS)) if position_type == "fungsional" else None
    else:
        functional = draw(usually(st.none(), st.sampled_from([FUNCTIONAL_FEEDERS[level], "pemula"])))
        structural = draw(usually(st.just(FEEDERS[level]), maybe(POSITION_TYPES)))
        position_type = "fungsional" if functional else structural
    result = {
        "nip": str(draw(st.integers(196_001_012_000_000_000, 200_012_312_099_999_999))),
        "employment_type": draw(usually(st.sampled_from(["pns", "pns", "cpns"]), maybe(EMPLOYMENT_TYPES))),
        "position_type": position_type,
        "functional_level": functional,
        "rank_order": draw(usually(st.sampled_from(ranks), st.sampled_from([None, 8, 9, 17, 31]))),
        "education_level": draw(usually(st.sampled_from(["d3", "d4", "s1", "s2", "s2"]), maybe(EDUCATION))),
        "predikat_y": draw(usually(st.sampled_from(["sangat_baik", "baik"]), maybe(PREDIKAT))),
        "predikat_y1": draw(usually(st.sampled_from(["sangat_baik", "baik"]), maybe(PREDIKAT))),
        "potential_score": draw(scores),
        "sanctions_in_force": draw(usually(st.just(0), st.just(1))),
        "ringan_recent": draw(usually(st.just(0), st.integers(0, 3))),
        "sedang_recent": draw(usually(st.just(0), st.integers(0, 2))),
        "berat_recent": draw(usually(st.just(0), st.integers(0, 1))),
        "awards_recent": draw(st.integers(0, 6)),
        "birth_date": draw(near(years_from(as_of, -57), 1500, 6000)),
        "retirement_date": draw(near(years_from(as_of, 1), 100, 4000)),
        "position_since": draw(near(years_from(as_of, -3), 2000, 900)),
        # Anchors at as_of - min years (time in level met) and as_of + 2 - min years (the window's end).
        "level_since": draw(st.one_of(*(near(years_from(as_of, y - years), 300, 300) for y in (-1, 0, 1, 2)))),
        "rank_since": draw(usually(st.sampled_from(["2019-04-01", "2020-04-01"]), near(years_from(as_of, -4), 9, 9))),
        "competency_assessed_on": draw(near(years_from(as_of, -3), 100, 1200)),
        "potential_assessed_on": draw(near(years_from(as_of, -3), 100, 1200)),
        "last_heavy_sanction_ended_on": draw(usually(st.none(), near(years_from(as_of, -3), 400, 400))),
    }
    # One level on all nine puts JPM on exact ratios (4/5 = 80, 2/4 = 50, 3/4 = 75): the readiness edges.
    uniform = st.integers(1, 5).map(lambda level: [level] * 9)
    assessed = draw(st.one_of(uniform, st.lists(usually(st.integers(1, 5), st.none()), min_size=9, max_size=9)))
    own = draw(usually(st.just([None] * 9), st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=9, max_size=9)))
    for code, achieved, required in zip(COMPETENCIES, assessed, own, strict=True):
        result[f"lvl_{code}"], result[f"std_{code}"] = achieved, required
    return result


POLICIES = [
    PERMENPANRB_3_2020,
    SIMATA_2025,
    derive(SIMATA_2025, {"max_input_age_years": 1, "potential_weights": {"qualification": 0, "integrity": 0.35}}, "d"),
    derive(PERMENPANRB_3_2020, {"potential_weights": {"jpm": 0.0, "potential_assessment": 1.0}}, "assessment-only"),
]


def _same(vectorised: float, reference: float | None) -> bool:
    return math.isnan(vectorised) if reference is None else vectorised == reference


def assert_placements_equal(inputs, policy, period) -> None:
    result = place(inputs, policy, period)
    for i, expected in enumerate(reference_place(inputs, policy, period)):
        performance = int(result.performance_level[i])
        potential = int(result.potential_level[i])
        got = {
            "status": "placed" if result.placed[i] else "incomplete",
            "missing": sorted(missing_codes(int(result.missing[i]))),
            "performance_level": PERFORMANCE_LEVELS[performance] if performance >= 0 else None,
            "potential_level": POTENTIAL_LEVELS[potential] if potential >= 0 else None,
            "box": int(result.box[i]) or None,
            "in_talent_pool": bool(result.in_talent_pool[i]),
            "jpm_default_standard": bool(result.jpm_default_standard[i]),
        }
        want = {key: expected[key] for key in got} | {"missing": sorted(expected["missing"])}
        assert got == want, (i, got, want)
        for key in ("jpm", "potential_score", "performance_score"):
            got_value = float(getattr(result, key)[i])
            assert _same(got_value, expected[key]), (i, key, got_value, expected[key])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(export_rows(), min_size=1, max_size=25), policy=st.sampled_from(POLICIES))
def test_placement_equals_reference(rows, policy) -> None:
    assert_placements_equal(build(rows), policy, 2025)


def test_placement_equals_reference_on_synthetic_people() -> None:
    inputs = synthetic_inputs(4000, seed=5, missing=0.05)
    for policy in POLICIES:
        assert_placements_equal(inputs, policy, 2025)


good_predikat = usually(st.sampled_from(["sangat_baik", "baik"]), maybe(PREDIKAT))
talent_records = st.integers(7, 9).flatmap(
    lambda box: st.builds(
        TalentRecord,
        box=usually(st.just(box), st.one_of(st.none(), st.integers(1, 9))),
        potential_score=usually(st.sampled_from(EDGE_SCORES), st.none()),
        predikat_y=good_predikat,
        predikat_y1=good_predikat,
        in_talent_pool=usually(st.just(True), st.just(False)),
    )
)
targets = st.one_of(
    st.builds(SuccessionTarget, st.sampled_from(list(FEEDERS))),
    st.builds(
        SuccessionTarget,
        st.sampled_from(list(FEEDERS)),
        st.dictionaries(st.sampled_from(COMPETENCIES), st.integers(1, 5), min_size=1, max_size=9),
        st.sampled_from([None, "III/c", "IX"]),
    ),
)


def talent_columns(records):
    from services.scoring.engine.succession import TalentColumns

    return TalentColumns(
        effective_box=np.array([r.box or 0 for r in records], dtype=np.int8),
        potential_score=np.array([np.nan if r.potential_score is None else r.potential_score for r in records]),
        predikat_y=np.array([PREDIKAT.index(r.predikat_y) if r.predikat_y else -1 for r in records], dtype=np.int8),
        predikat_y1=np.array([PREDIKAT.index(r.predikat_y1) if r.predikat_y1 else -1 for r in records], dtype=np.int8),
        in_talent_pool=np.array([r.in_talent_pool for r in records], dtype=bool),
    )


# The second admits PPPK and puts readiness edges on ratios that one level on all nine often hits.
READINESS_75_50 = {"ready_now_min_jpm": 75, "ready_1_2_years_min_jpm": 50}
SUCCESSION_POLICIES = [
    PERMENPANRB_3_2020,
    derive(PERMENPANRB_3_2020, {"succession": {"excluded_employment_types": [], "readiness": READINESS_75_50}}, "p"),
]


@st.composite
def succession_cases(draw):
    target = draw(targets)
    as_of = draw(st.sampled_from([AS_OF, dt.date(2024, 2, 29), dt.date(2025, 12, 31)]))
    rows = draw(st.lists(st.tuples(export_rows(as_of, target.level), talent_records), min_size=1, max_size=25))
    # Copies that differ only in rank, time in rank or NIP tie on score, so the tie-breaks get exercised.
    for index in draw(st.lists(st.integers(0, len(rows) - 1), max_size=4)):
        twin, record = rows[index]
        change = draw(st.sampled_from([{}, {"rank_order": 44}, {"rank_since": "2018-01-01"}, {"rank_since": None}]))
        rows.append((twin | change, record))
    return rows, target, as_of


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=succession_cases(), policy=st.sampled_from(SUCCESSION_POLICIES))
def test_succession_equals_reference(case, policy) -> None:
    data, target, as_of = case
    # Identical tie keys are possible in random data only through identical NIPs; make NIPs unique.
    rows = [row | {"nip": f"{row['nip'][:14]}{i:04d}"} for i, (row, _) in enumerate(data)]
    records = [record for _, record in data]
    inputs = build(rows)
    columns = evaluate(inputs, talent_columns(records), target, policy, as_of)
    expected = reference_successors(
        people(inputs), records, target.level, target.competency_standard, target.min_rank, policy, as_of
    )
    for i, want in enumerate(expected["rows"]):
        failed = [code for index, code in enumerate(RULE_CODES) if int(columns.failed[i]) >> index & 1]
        assert sorted(failed) == sorted(want["failed"]), (i, failed, want["failed"])
        assert _same(float(columns.target_jpm[i]), want["target_jpm"])
        if not want["failed"]:
            assert float(columns.score[i]) == want["score"]
            assert ["ready_now", "ready_1_2_years", "ready_3_plus_years"][columns.readiness[i]] == want["readiness"]
    assert columns.order.tolist() == expected["order"]
