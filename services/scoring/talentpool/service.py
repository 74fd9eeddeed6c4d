"""The talent pool across agencies: each agency's latest finalized review, calibrations applied, filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.pagination import PageParams, encode_cursor
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.agencies import visible_agency
from services.scoring.engine.codes import (
    EDUCATION,
    PNS_RANKS,
    POSITION_TYPES,
    PPPK_RANKS,
    READINESS,
    rank_scale_and_order,
)
from services.scoring.errors import invalid_field
from services.scoring.placements.models import Placement
from services.scoring.placements.service import review_policy
from services.scoring.registry import AgencyRef, Registry
from services.scoring.reviews.models import TalentReview
from services.scoring.reviews.repository import ReviewRepository
from services.scoring.reviews.service import today
from services.scoring.talentpool.readiness import Readiness, readiness_of
from services.scoring.talentpool.repository import PoolFilter, PoolSource, SortKey, TalentPoolRepository, sort_key
from services.scoring.talentpool.schemas import AgencyName, TalentPoolMember, TalentPoolPage

_PNS_RANK = {order: rank for rank, order in PNS_RANKS.items()}
_PPPK_RANK = {order: rank for rank, order in PPPK_RANKS.items()}


@dataclass(frozen=True)
class PoolQuery:
    """What the caller asked for (all optional)."""

    box: int | None = None
    position_type: str | None = None
    rank: str | None = None
    agency: str | None = None
    region: str | None = None
    education_level: str | None = None
    ready_for: str | None = None
    readiness: str | None = None
    as_of: dt.date | None = None


@dataclass(frozen=True)
class _Reviews:
    reviews: list[TalentReview]
    policies: dict[str, engine.Policy]  # review id -> policy
    agencies: dict[str, AgencyRef]


def _filter(query: PoolQuery) -> PoolFilter:
    if query.position_type is not None and query.position_type not in POSITION_TYPES:
        raise invalid_field(["query", "position_type"], f"one of {', '.join(POSITION_TYPES)}")
    if query.education_level is not None and query.education_level not in EDUCATION:
        raise invalid_field(["query", "education_level"], f"one of {', '.join(EDUCATION)}")
    if query.readiness is not None and query.readiness not in READINESS:
        raise invalid_field(["query", "readiness"], f"one of {', '.join(READINESS)}")
    if query.readiness is not None and query.ready_for is None:
        raise invalid_field(["query", "readiness"], "needs ready_for (the level the readiness is for)")
    scale = order = None
    if query.rank is not None:
        try:
            scale, order = rank_scale_and_order(query.rank)
        except ValueError:
            raise invalid_field(["query", "rank"], 'a golongan such as "III/c", or a PPPK one such as "IX"') from None
    return PoolFilter(
        box=query.box,
        position_type=query.position_type,
        rank_order=order,
        rank_is_pppk=scale,
        education_level=query.education_level,
    )


async def _reviews(session: AsyncSession, access: Access, registry: Registry, query: PoolQuery) -> _Reviews:
    """The latest finalized review of each agency in view (the caller's scope, `agency`, `region`)."""
    agencies = {agency.id: agency for agency in await registry.all_agencies()}
    wanted: set[str] | None = None if access.is_national else {access.agency_id or ""}
    if query.agency is not None:
        agency = await visible_agency(registry, access, query.agency)
        agencies.setdefault(agency.id, agency)
        wanted = {agency.id}
    if query.region is not None:
        region = query.region.casefold()
        in_region = {a.id for a in agencies.values() if (a.region or "").casefold() == region}
        wanted = in_region if wanted is None else wanted & in_region
    reviews = [
        review
        for review in await ReviewRepository(session).latest_finalized_per_agency()
        if wanted is None or review.agency_id in wanted
    ]
    policies = {review.id: await review_policy(session, review) for review in reviews}
    return _Reviews(reviews, policies, agencies)


def _sources(found: _Reviews) -> list[PoolSource]:
    by_boxes: dict[tuple[int, ...], list[str]] = {}
    for review in found.reviews:
        by_boxes.setdefault(tuple(found.policies[review.id].talent_pool_boxes), []).append(review.id)
    return [PoolSource(review_ids=tuple(ids), boxes=boxes) for boxes, ids in by_boxes.items()]


def _after(page: PageParams) -> SortKey | None:
    if page.after is None:
        return None
    key = page.after
    shaped = len(key) == 4 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in key[:2])
    if not (shaped and isinstance(key[2], str) and isinstance(key[3], str)):
        raise invalid_field(["query", "cursor"], "not a cursor this API issued")
    return int(key[0]), float(key[1]), str(key[2]), str(key[3])


async def _ready(
    session: AsyncSession, found: _Reviews, query: PoolQuery, where: PoolFilter
) -> tuple[list[Placement], dict[tuple[str, str], Readiness]]:
    """Pool members eligible for a `ready_for` position (of the readiness asked), with their readiness."""
    level = query.ready_for or ""
    as_of = query.as_of or today()
    rows: list[Placement] = []
    ready: dict[tuple[str, str], Readiness] = {}
    supported = False
    for source in _sources(found):
        by_policy: dict[str, list[str]] = {}
        for review_id in source.review_ids:
            by_policy.setdefault(found.policies[review_id].ref, []).append(review_id)
        for review_ids in by_policy.values():
            policy = found.policies[review_ids[0]]
            try:
                feeders = engine.feeder_levels(level, policy)
            except ValueError:
                continue
            supported = True
            group = [PoolSource(tuple(review_ids), source.boxes)]
            members = await TalentPoolRepository(session).every(group, _with_levels(where, feeders))
            ready |= readiness_of(members, level, policy, as_of)
            rows += members
    if not supported:
        raise invalid_field(["query", "ready_for"], f"no succession rule for level {level!r} in the policies used")
    wanted = set(READINESS) if query.readiness is None else {query.readiness}
    keep = [row for row in rows if (key := (row.review_id, row.nip)) in ready and ready[key].readiness in wanted]
    return sorted(keep, key=sort_key, reverse=True), ready


def _with_levels(where: PoolFilter, levels: Sequence[str]) -> PoolFilter:
    return PoolFilter(
        box=where.box,
        position_type=where.position_type,
        rank_order=where.rank_order,
        rank_is_pppk=where.rank_is_pppk,
        education_level=where.education_level,
        levels=levels,
    )


async def talent_pool(
    session: AsyncSession, access: Access, registry: Registry, query: PoolQuery, page: PageParams
) -> TalentPoolPage:
    """A page of the pool the caller may see (national: every agency; others: their own), filtered."""
    access.require_staff()
    where = _filter(query)
    after = _after(page)
    found = await _reviews(session, access, registry, query)
    ready: dict[tuple[str, str], Readiness] = {}
    if query.ready_for is not None:
        every, ready = await _ready(session, found, query, where)
        start = 0 if after is None else next((i for i, row in enumerate(every) if sort_key(row) < after), len(every))
        rows = every[start : start + page.limit + 1]
    else:
        rows = list(await TalentPoolRepository(session).page(_sources(found), where, after=after, limit=page.limit + 1))
    items = rows[: page.limit]
    cursor = encode_cursor(list(sort_key(items[-1]))) if len(rows) > page.limit and items else None
    reviews = {review.id: review for review in found.reviews}
    members = [
        _member(row, reviews[row.review_id], found.agencies, ready.get((row.review_id, row.nip)), query.ready_for)
        for row in items
    ]
    return TalentPoolPage(items=members, next_cursor=cursor, review_ids=[review.id for review in found.reviews])


def _rank(row: Placement) -> str | None:
    if row.rank_order is None:
        return None
    return (_PPPK_RANK if row.employment_type == "pppk" else _PNS_RANK).get(row.rank_order)


def _member(
    row: Placement, review: TalentReview, agencies: dict[str, AgencyRef], ready: Readiness | None, level: str | None
) -> TalentPoolMember:
    agency = agencies.get(review.agency_id) or AgencyRef(review.agency_id, review.agency_id, review.agency_id)
    readiness = None
    if ready is not None and level is not None:
        readiness = {"level": level, "readiness": ready.readiness, "target_jpm": ready.target_jpm, "score": ready.score}
    return TalentPoolMember.model_validate(
        {
            "nip": row.nip,
            "name": row.name,
            "agency": AgencyName(id=agency.id, code=agency.code, name=agency.name, region=agency.region),
            "review_id": review.id,
            "period": review.period,
            "box": int(row.effective_box or 0),
            "calibrated": row.calibrated_box is not None,
            "potential_score": row.potential_score,
            "potential_level": row.potential_level,
            "performance_level": row.performance_level,
            "unit_id": row.unit_id,
            "position_id": row.position_id,
            "position_type": row.position_type,
            "functional_level": row.functional_level,
            "rank": _rank(row),
            "education_level": row.education_level,
            "readiness": readiness,
        }
    )
