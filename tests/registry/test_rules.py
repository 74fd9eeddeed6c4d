"""The domain rules, table-driven beside DOMAIN.md: NIP, derived fields, BUP, ranks, predikat, JPM, potential."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.assessments.rules import jpm, potential_score
from services.registry.employees.rules import (
    InvalidNip,
    parse_nip,
    rank_order,
    rank_problem,
    retirement_age,
    retirement_date,
)
from services.registry.ratings.rules import predikat
from services.registry.settings import DEFAULT_COMPETENCY_LEVELS, RegistrySettings


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19860926201505100", "must be 18 characters long, not 17"),
        ("1986092620150510011", "must be 18 characters long, not 19"),
        ("19860926201505100a", "must contain digits only"),
        ("1986092620150510 1", "must contain digits only"),
        ("１９８６０９２６２０１５０５１００１", "must contain digits only"),  # full-width digits are not ASCII
        ("198602302015051001", "characters 1-8 (19860230) are not a real birth date"),
        ("198613012015051001", "characters 1-8 (19861301) are not a real birth date"),
        ("198609262015001001", "TMT month and must be 01 to 12, not 00"),
        ("198609262015131001", "TMT month and must be 01 to 12, not 13"),
        ("198609262004081001", "before the month of the 18th birthday"),
        ("198609262015053001", "gender digit and must be 1 or 2, not 3"),
        ("198609262015050001", "gender digit and must be 1 or 2, not 0"),
    ],
)
def test_each_nip_rule_has_its_own_message(nip: str, message: str) -> None:
    with pytest.raises(InvalidNip, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_nip(nip)


@pytest.mark.parametrize(
    ("nip", "birth", "tmt", "gender"),
    [
        ("198609262015051001", dt.date(1986, 9, 26), (2015, 5), "male"),
        ("199202292019032002", dt.date(1992, 2, 29), (2019, 3), "female"),
        ("200001012018011001", dt.date(2000, 1, 1), (2018, 1), "male"),  # TMT in the month of the 18th birthday
        ("197512312000122999", dt.date(1975, 12, 31), (2000, 12), "female"),
    ],
)
def test_nip_facts(nip: str, birth: dt.date, tmt: tuple[int, int], gender: str) -> None:
    facts = parse_nip(nip)
    assert (facts.birth_date, (facts.tmt_year, facts.tmt_month), facts.gender) == (birth, tmt, gender)


def test_tmt_one_month_before_the_18th_birthday_month_is_refused() -> None:
    with pytest.raises(InvalidNip, match="18th birthday"):
        parse_nip("200002012018011001")
    assert parse_nip("200002012018021001").tmt_month == 2


@given(
    birth=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2007, 12, 31)),
    years_after=st.integers(min_value=18, max_value=40),
    month=st.integers(min_value=1, max_value=12),
    gender=st.sampled_from("12"),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_well_formed_nip_parses_back(birth: dt.date, years_after: int, month: int, gender: str, seq: int) -> None:
    tmt_year = birth.year + years_after + (1 if month < birth.month else 0)
    nip = f"{birth:%Y%m%d}{tmt_year:04d}{month:02d}{gender}{seq:03d}"
    facts = parse_nip(nip)
    assert facts.birth_date == birth
    assert facts.gender == {"1": "male", "2": "female"}[gender]


@pytest.mark.parametrize(
    ("level", "bup"),
    [
        ("jpt_utama", 60),
        ("jpt_madya", 60),
        ("jpt_pratama", 60),
        ("administrator", 58),
        ("pengawas", 58),
        ("pelaksana", 58),
        ("ahli_utama", 65),
        ("ahli_madya", 60),
        ("ahli_muda", 58),
        ("ahli_pertama", 58),
        ("pemula", 58),
        ("terampil", 58),
        ("mahir", 58),
        ("penyelia", 58),
        (None, 58),
    ],
)
def test_bup_by_position_level(level: str | None, bup: int) -> None:
    assert retirement_age(level) == bup
    assert retirement_date(dt.date(1970, 5, 17), level) == dt.date(1970 + bup, 6, 1)


@pytest.mark.parametrize(
    ("birth", "level", "retires"),
    [
        (dt.date(1986, 9, 26), "jpt_pratama", dt.date(2046, 10, 1)),
        (dt.date(1966, 12, 31), "administrator", dt.date(2025, 1, 1)),  # December birthday: January next year
        (dt.date(1966, 12, 1), "ahli_utama", dt.date(2032, 1, 1)),
        (dt.date(1968, 2, 29), "pelaksana", dt.date(2026, 3, 1)),  # leap-day birthday
        (dt.date(1970, 1, 1), "ahli_madya", dt.date(2030, 2, 1)),  # born on the 1st: still the month after
    ],
)
def test_retirement_date_is_first_day_of_month_after_bup_birthday(birth: dt.date, level: str, retires: dt.date) -> None:
    assert retirement_date(birth, level) == retires


def test_rank_orders_and_fit() -> None:
    pns = ["I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d"]
    pns += ["IV/a", "IV/b", "IV/c", "IV/d", "IV/e"]
    orders = [rank_order(r) for r in pns]
    assert orders == sorted(orders)
    assert orders[0] == 11
    assert orders[-1] == 45
    assert rank_order("III/c") == 33
    assert [rank_order(r) for r in ("I", "IX", "XVII")] == [1, 9, 17]
    assert rank_problem("III/c", "pns") is None
    assert rank_problem("III/a", "cpns") is None
    assert rank_problem("IX", "pppk") is None
    assert rank_problem("IX", "pns") is not None
    assert rank_problem("III/c", "pppk") is not None
    assert rank_problem("XVIII", "pppk") is not None
    assert rank_problem("IV/f", "pns") is not None


@pytest.mark.parametrize(
    ("work_result", "work_behavior", "expected"),
    [
        ("above", "below", "kurang"),
        ("above", "meets", "baik"),
        ("above", "above", "sangat_baik"),
        ("meets", "below", "kurang"),
        ("meets", "meets", "baik"),
        ("meets", "above", "baik"),
        ("below", "below", "sangat_kurang"),
        ("below", "meets", "butuh_perbaikan"),
        ("below", "above", "butuh_perbaikan"),
    ],
)
def test_every_predikat_cell(work_result: str, work_behavior: str, expected: str) -> None:
    assert predikat(work_result, work_behavior) == expected


@pytest.mark.parametrize(
    ("achieved", "standard", "shown", "band"),
    [
        # 7799 / 10000: 77.99 -> kurang_optimal
        (7799, 10000, 77.99, "kurang_optimal"),
        (7800, 10000, 78.0, "cukup_optimal"),
        (8999, 10000, 89.99, "cukup_optimal"),
        (9000, 10000, 90.0, "optimal"),
        # 89.995 rounds to 90.0 for display but is still below 90: the band uses the unrounded value.
        (17999, 20000, 90.0, "cukup_optimal"),
        (77995, 100000, 78.0, "kurang_optimal"),
        (12000, 10000, 100.0, "optimal"),  # capped
    ],
)
def test_jpm_edges_and_cap(achieved: int, standard: int, shown: float, band: str) -> None:
    result = jpm({"x": achieved}, {"x": standard})
    assert (result.jpm, result.band) == (shown, band)


def test_jpm_counts_only_named_competencies_and_missing_as_zero() -> None:
    standard = {"integritas": 4, "kerja_sama": 4, "komunikasi": 2}
    achieved = {"integritas": 4, "komunikasi": 2, "perekat_bangsa": 5}  # kerja_sama missing, perekat not named
    assert jpm(achieved, standard).jpm == 60.0
    assert jpm({"integritas": 5, "kerja_sama": 5, "komunikasi": 5}, standard).jpm == 100.0


def test_potential_score_from_score_or_aspects() -> None:
    aspects = dict.fromkeys(
        [
            "intellectual",
            "interpersonal",
            "self_awareness",
            "critical_strategic_thinking",
            "problem_solving",
            "emotional_intelligence",
            "growth_mindset",
            "grit",
        ],
        80.0,
    ) | {"grit": 81.0}
    assert potential_score(70.0, None) == 70.0
    assert potential_score(None, aspects) == pytest.approx(80.125)
    assert potential_score(80.13, aspects) == pytest.approx(80.125)  # the mean rounded to 2 decimals agrees
    with pytest.raises(ValueError, match="not the mean"):
        potential_score(80.2, aspects)
    with pytest.raises(ValueError, match="score or aspects"):
        potential_score(None, None)


def test_default_competency_levels_are_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RegistrySettings().default_competency_levels == DEFAULT_COMPETENCY_LEVELS
    custom = dict(DEFAULT_COMPETENCY_LEVELS, pelaksana=2)
    monkeypatch.setenv("REGISTRY_DEFAULT_COMPETENCY_LEVELS", __import__("json").dumps(custom))
    assert RegistrySettings().default_competency_levels["pelaksana"] == 2
    monkeypatch.setenv("REGISTRY_DEFAULT_COMPETENCY_LEVELS", '{"pelaksana": 2}')
    with pytest.raises(ValueError, match="missing"):
        RegistrySettings()
