"""The record kinds an upsert writes, their row types, and each row's checks by the registry's own rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple, get_args

from sqlalchemy import Date, Float, SmallInteger, String, Text

from services.registry.assessments.rules import POTENTIAL_ASPECTS, potential_score
from services.registry.employees.rules import NIP_LENGTH, InvalidNip, parse_nip
from services.registry.imports.messages import RowError, row_error
from services.registry.imports.upsert.records import RecordKind
from services.registry.imports.upsert.staging import WriteContext
from services.registry.positions.rules import COMPETENCIES, COMPETENCY_LEVEL_RANGE
from services.registry.ratings.rules import Expectation, predikat
from services.registry.records.rules import AwardLevel, SanctionLevel

EXPECTATIONS: tuple[str, ...] = get_args(Expectation)
SANCTION_LEVELS: tuple[str, ...] = get_args(SanctionLevel)
AWARD_LEVELS: tuple[str, ...] = get_args(AwardLevel)
RATING_YEARS = (1990, 2100)  # as the path of PUT .../performance-ratings/{year}
AWARD_NAME_MAX, REASON_MAX = 300, 2000


class RatingRow(NamedTuple):
    """A year's SKP rating: work result and work behaviour, each above / meets / below."""

    row: int
    nip: str
    year: int
    work_result: str
    work_behavior: str


class CompetencyRow(NamedTuple):
    """A competency assessment: levels 1-5 by competency code."""

    row: int
    nip: str
    assessed_on: dt.date
    levels: Mapping[str, int]


class PotentialRow(NamedTuple):
    """A potential assessment: an overall score, or the 8 aspects (whose mean is the score), or both agreeing."""

    row: int
    nip: str
    assessed_on: dt.date
    score: float | None
    aspects: Mapping[str, float] | None


class SanctionRow(NamedTuple):
    """A disciplinary sanction (PP 94/2021)."""

    row: int
    nip: str
    level: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None = None


class AwardRow(NamedTuple):
    """An award."""

    row: int
    nip: str
    awarded_on: dt.date
    name: str
    level: str


def _person(row: Any, context: WriteContext) -> list[RowError]:
    """The NIP's shape (the full rule only for a bad one: a good one is looked up) and the self-record rule."""
    if len(row.nip) != NIP_LENGTH or not row.nip.isdigit():
        try:
            parse_nip(row.nip)
        except InvalidNip as exc:
            return [row_error(row.row, "nip", "invalid_nip", reason=str(exc))]
    if context.caller_nip is not None and row.nip == context.caller_nip:
        return [row_error(row.row, "nip", "self_assessment")]
    return []


def _choice(row: int, field: str, value: str, options: tuple[str, ...]) -> list[RowError]:
    if value in options:
        return []
    return [row_error(row, field, "invalid_choice", value=value, choices=", ".join(options))]


def _past(row: int, field: str, day: dt.date, context: WriteContext) -> list[RowError]:
    return [row_error(row, field, "future_date", value=day.isoformat())] if day > context.today else []


def rating_record(row: RatingRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """(row, nip, year, work_result, work_behavior, predikat) or why not."""
    nip, low, high = row.nip, *RATING_YEARS
    if (
        len(nip) == NIP_LENGTH and nip.isdigit() and nip != context.caller_nip and low <= row.year <= high
        and row.work_result in EXPECTATIONS and row.work_behavior in EXPECTATIONS
    ):  # fmt: skip
        return (
            row.row,
            nip,
            row.year,
            row.work_result,
            row.work_behavior,
            predikat(row.work_result, row.work_behavior),
        )
    return rating_record_collecting(row, context)


def rating_record_collecting(row: RatingRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """`rating_record`, collecting every problem of the row (the same record or errors, slower)."""
    errors = _person(row, context)
    if not RATING_YEARS[0] <= row.year <= RATING_YEARS[1]:
        errors.append(row_error(row.row, "year", "out_of_range", low=RATING_YEARS[0], high=RATING_YEARS[1]))
    errors += _choice(row.row, "work_result", row.work_result, EXPECTATIONS)
    errors += _choice(row.row, "work_behavior", row.work_behavior, EXPECTATIONS)
    if errors:
        return errors
    return (
        row.row,
        row.nip,
        row.year,
        row.work_result,
        row.work_behavior,
        predikat(row.work_result, row.work_behavior),
    )


def competency_record(row: CompetencyRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """(row, nip, assessed_on, lvl_* x 9) or why not."""
    errors = _person(row, context) + _past(row.row, "assessed_on", row.assessed_on, context)
    low, high = COMPETENCY_LEVEL_RANGE
    for code, level in row.levels.items():
        if code not in COMPETENCIES:
            errors.append(row_error(row.row, code, "unknown_field", value=code))
        elif not low <= level <= high:
            errors.append(row_error(row.row, code, "out_of_range", low=low, high=high))
    if not row.levels:
        errors.append(row_error(row.row, "levels", "no_levels"))
    if errors:
        return errors
    return (row.row, row.nip, row.assessed_on, *(row.levels.get(code) for code in COMPETENCIES))


def potential_record(row: PotentialRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """(row, nip, assessed_on, score, aspect_* x 8) or why not."""
    errors = _person(row, context) + _past(row.row, "assessed_on", row.assessed_on, context)
    values = [row.score, *(row.aspects or {}).values()]
    if any(v is not None and not 0 <= v <= 100 for v in values):
        errors.append(row_error(row.row, "score", "out_of_range", low=0, high=100))
    if row.aspects is not None and set(row.aspects) != set(POTENTIAL_ASPECTS):
        errors.append(row_error(row.row, "aspects", "aspects_incomplete"))
    if row.score is None and row.aspects is None:
        errors.append(row_error(row.row, "score", "score_or_aspects"))
    if errors:
        return errors
    try:
        score = potential_score(row.score, row.aspects)
    except ValueError:
        mean = sum((row.aspects or {}).values()) / len(POTENTIAL_ASPECTS)
        return [row_error(row.row, "score", "score_mismatch", score=row.score, mean=f"{mean:.3f}")]
    aspects = [(row.aspects or {}).get(a) for a in POTENTIAL_ASPECTS]
    return (row.row, row.nip, row.assessed_on, score, *aspects)


def sanction_record(row: SanctionRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """(row, nip, level, starts_on, ends_on, reason) or why not."""
    errors = _person(row, context) + _choice(row.row, "level", row.level, SANCTION_LEVELS)
    if row.ends_on < row.starts_on:
        errors.append(row_error(row.row, "ends_on", "ends_before_start"))
    if row.reason is not None and len(row.reason) > REASON_MAX:
        errors.append(row_error(row.row, "reason", "too_long", max=REASON_MAX))
    return errors or (row.row, row.nip, row.level, row.starts_on, row.ends_on, row.reason)


def award_record(row: AwardRow, context: WriteContext) -> tuple[Any, ...] | list[RowError]:
    """(row, nip, awarded_on, name, level) or why not."""
    errors = _person(row, context) + _past(row.row, "awarded_on", row.awarded_on, context)
    errors += _choice(row.row, "level", row.level, AWARD_LEVELS)
    if not 1 <= len(row.name) <= AWARD_NAME_MAX:
        errors.append(row_error(row.row, "name", "too_long", max=AWARD_NAME_MAX))
    return errors or (row.row, row.nip, row.awarded_on, row.name, row.level)


RATINGS = RecordKind(
    "performance_ratings",
    keys=(("year", SmallInteger),),
    values=(("work_result", String(8)), ("work_behavior", String(8)), ("predikat", String(20))),
    to_record=rating_record,
    versioned=True,
)
COMPETENCY_ASSESSMENTS = RecordKind(
    "competency_assessments",
    keys=(("assessed_on", Date),),
    values=tuple(("lvl_" + code, SmallInteger) for code in COMPETENCIES),
    to_record=competency_record,
)
POTENTIAL_ASSESSMENTS = RecordKind(
    "potential_assessments",
    keys=(("assessed_on", Date),),
    values=(("score", Float), *(("aspect_" + a, Float) for a in POTENTIAL_ASPECTS)),
    to_record=potential_record,
)
SANCTIONS = RecordKind(
    "disciplinary_actions",
    keys=(("level", String(8)), ("starts_on", Date)),
    values=(("ends_on", Date), ("reason", Text)),
    to_record=sanction_record,
)
AWARDS = RecordKind(
    "awards",
    keys=(("awarded_on", Date), ("name", String(300))),
    values=(("level", String(10)),),
    to_record=award_record,
)
