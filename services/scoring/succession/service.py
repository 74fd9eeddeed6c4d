"""Successors of a position: talent from the latest review(s), candidates from the registry at `as_of`, the engine."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import Conflict
from services.common.ids import new_id
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.engine.codes import COMPETENCIES
from services.scoring.errors import invalid_field, not_found
from services.scoring.events import service as events
from services.scoring.placements.repository import PlacementRepository
from services.scoring.placements.service import review_policy
from services.scoring.registry import ExportRequest, PositionRef, Registry
from services.scoring.reviews.models import TalentReview
from services.scoring.reviews.repository import ReviewRepository
from services.scoring.reviews.service import today
from services.scoring.succession.models import SuccessionShortlist
from services.scoring.succession.repository import ShortlistRepository
from services.scoring.succession.schemas import ExcludedCandidate, StoredShortlist, SuccessorCandidate, Successors
from services.scoring.succession.talent import parse_candidates, talent_columns


@dataclass(frozen=True)
class TalentSource:
    """The review(s) whose talent data a succession computation uses, and the policy it follows."""

    reviews: list[TalentReview]  # the preferred review last (it wins for a person found in two)
    policy: engine.Policy
    period: int

    @property
    def review(self) -> TalentReview:
        """The review whose period and policy apply."""
        return self.reviews[-1]


async def talent_source(session: AsyncSession, position: PositionRef) -> TalentSource:
    """The agency's latest completed review, or for a national position each agency's latest finalized one."""
    repository = ReviewRepository(session)
    if position.national:
        reviews = sorted(await repository.latest_finalized_per_agency(), key=lambda r: r.finalized_at or utcnow())
        own = [r for r in reviews if r.agency_id == position.agency_id]
        reviews = [r for r in reviews if r.agency_id != position.agency_id] + own
    else:
        latest = await repository.latest_completed(position.agency_id)
        reviews = [latest] if latest is not None else []
    if not reviews:
        kind = "finalized" if position.national else "completed"
        raise Conflict(
            f"No {kind} talent review to draw successors from; run (and finalize) a review first.",
            code="no_review_for_succession",
        )
    policy = await review_policy(session, reviews[-1])
    return TalentSource(reviews=reviews, policy=policy, period=reviews[-1].period)


def target_of(position: PositionRef, policy: engine.Policy) -> tuple[engine.SuccessionTarget, tuple[str, ...]]:
    """The engine's target for a position and its feeder levels; 422 when the policy has no rule for it."""
    try:
        levels = engine.feeder_levels(position.level, policy)
    except ValueError:  # UnsupportedTarget, or a level the engine does not know
        raise invalid_field(
            ["path", "position_id"],
            f"the policy has no succession rule for level {position.level}",
            code="succession_level_unsupported",
        ) from None
    return engine.SuccessionTarget(position.level, position.competency_standard, position.min_rank), levels


async def candidates_for(
    session: AsyncSession,
    registry: Registry,
    source: TalentSource,
    agency_id: str | None,
    as_of: dt.date,
    levels: Sequence[str] | None,
) -> tuple[Any, engine.ScoringInputs, engine.TalentColumns]:
    """The registry's people at `levels` on `as_of` (one agency or all), with their talent from the review(s)."""
    policy = source.policy
    request = ExportRequest.for_policy(
        engine.export_parameters(policy), period=source.period, agency_id=agency_id, as_of=as_of, levels=levels
    )
    data = await registry.export(request)
    table, inputs = await asyncio.to_thread(parse_candidates, data) if len(data) > 1 << 20 else parse_candidates(data)
    nips = inputs.nip.astype(str)
    # One query for every review (a national position has one per agency); the preferred review's rows go last,
    # so they win for a person found in two reviews.
    preference = {review.id: index for index, review in enumerate(source.reviews)}
    ids = list(preference)
    rows = await PlacementRepository(session).talent(ids, nips.tolist()) if len(nips) and ids else []
    rows.sort(key=lambda row: preference[row[5]])
    return table, inputs, talent_columns(nips, rows, policy)


def _criteria(result: engine.SuccessionResult) -> dict[str, Any]:
    crit = result.criteria
    return {
        "level": crit.target.level,
        "feeder_levels": list(crit.rule.feeder_levels),
        "min_years_in_level": crit.rule.min_years_in_level,
        "min_education": crit.rule.min_education,
        "min_rank": crit.min_rank,
        "max_age": crit.max_age,
        "standard": {code: int(v) for code, v in zip(COMPETENCIES, crit.standard.tolist(), strict=True) if v},
        "standard_source": crit.standard_source,
    }


def _excluded(result: engine.SuccessionResult) -> list[ExcludedCandidate]:
    failed = result.columns.failed
    rows = np.flatnonzero(failed)
    distinct, inverse = np.unique(failed[rows], return_inverse=True)
    rules = [[code for code, bit in _RULE_BITS if int(mask) & bit] for mask in distinct.tolist()]
    nips = result.inputs.nip[rows].astype(str).tolist()
    return [
        ExcludedCandidate(nip=nip, rules=rules[i]) for nip, i in zip(nips, inverse.reshape(-1).tolist(), strict=True)
    ]


MIN_AS_OF, MAX_AS_OF = dt.date(1950, 1, 1), dt.date(2100, 12, 31)  # rules are checked on a day in a career
_RULE_BITS = [(code, 1 << index) for index, code in enumerate(engine.RULE_CODES)]


async def successors(
    session: AsyncSession,
    access: Access,
    registry: Registry,
    position_id: str,
    *,
    limit: int | None,
    include_excluded: bool,
    as_of: dt.date | None,
) -> Successors:
    """The ranked shortlist of a position (rules applied), stored with the review(s) and policy used."""
    access.require_staff()
    if as_of is not None and not MIN_AS_OF <= as_of <= MAX_AS_OF:
        raise invalid_field(["query", "as_of"], f"a day from {MIN_AS_OF} to {MAX_AS_OF}")
    position = await registry.position(position_id, access.identity)
    as_of = as_of or today()
    source = await talent_source(session, position)
    target, feeders = target_of(position, source.policy)
    agency = None if position.national else position.agency_id
    table, inputs, talent = await candidates_for(session, registry, source, agency, as_of, feeders)
    result = engine.successors(inputs, talent, target, source.policy, as_of, source.review.period, limit)
    names, agencies = table["name"], table["agency_id"]
    candidates = [
        SuccessorCandidate(
            rank=entry["rank"],
            nip=entry["nip"],
            name=names[entry["index"]].as_py() or "",
            agency_id=agencies[entry["index"]].as_py(),
            score=entry["score"],
            readiness=entry["readiness"],
            target_jpm=entry["target_jpm"],
            box=entry["box"],
            reasons=entry["reasons"],
        )
        for entry in result.candidates
    ]
    stored = {
        "criteria": _criteria(result),
        "candidates": [{k: v for k, v in entry.items() if k != "index"} for entry in result.candidates],
        "rule_codes": list(engine.RULE_CODES),
        "assessed_nips": inputs.nip.astype(str).tolist(),
        "failed_rules": result.columns.failed.tolist(),
    }
    shortlist_id = await _store(session, access, position, as_of, source, stored)
    return Successors(
        position_id=position.id,
        as_of=as_of,
        review_id=source.review.id if len(source.reviews) == 1 else None,
        review_ids=[review.id for review in source.reviews],
        policy_id=source.policy.id,
        policy_version=source.policy.version,
        shortlist_id=shortlist_id,
        candidates=candidates,
        excluded=_excluded(result) if include_excluded else None,
    )


async def _store(
    session: AsyncSession,
    access: Access,
    position: PositionRef,
    as_of: dt.date,
    source: TalentSource,
    result: dict[str, Any],
) -> str:
    review_ids = [review.id for review in source.reviews]
    digest = hashlib.sha256(orjson.dumps([review_ids, source.policy.ref, result], option=orjson.OPT_SORT_KEYS))
    shortlist = SuccessionShortlist(
        id=new_id(),
        position_id=position.id,
        agency_id=position.agency_id,
        as_of=as_of,
        review_id=source.review.id,
        review_ids=review_ids,
        policy_id=source.policy.id,
        policy_version=source.policy.version,
        result=result,
        result_hash=digest.hexdigest(),
        created_at=utcnow(),
        created_by=access.actor,
    )
    repository = ShortlistRepository(session)
    previous = await repository.latest(position.id)
    shortlist_id = await repository.store(shortlist)
    if previous is None or _ranking(previous.result) != _ranking(result):
        await events.succession_changed(
            session, position.id, position.agency_id, shortlist_id, previous.id if previous else None, as_of
        )
    return shortlist_id


def _ranking(result: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Who is shortlisted, in which order and how ready: what `succession.changed` reports a change of."""
    return [(entry["nip"], entry["rank"], entry["readiness"]) for entry in result["candidates"]]


async def stored_shortlist(session: AsyncSession, access: Access, shortlist_id: str) -> StoredShortlist:
    """A shortlist as computed earlier, with everything needed to explain it; 404 outside the caller's scope."""
    access.require_staff()
    row = await ShortlistRepository(session).get(shortlist_id)
    if row is None or not access.sees_agency(row.agency_id):
        raise not_found("shortlist", shortlist_id)
    result = row.result
    codes = result["rule_codes"]
    excluded = [
        ExcludedCandidate(nip=nip, rules=[code for index, code in enumerate(codes) if mask & (1 << index)])
        for nip, mask in zip(result["assessed_nips"], result["failed_rules"], strict=True)
        if mask
    ]
    return StoredShortlist(
        id=row.id,
        position_id=row.position_id,
        agency_id=row.agency_id,
        as_of=row.as_of,
        review_id=row.review_id,
        review_ids=row.review_ids,
        policy_id=row.policy_id,
        policy_version=row.policy_version,
        created_at=row.created_at,
        created_by=row.created_by,
        criteria=result["criteria"],
        candidates=result["candidates"],
        excluded=excluded,
    )
