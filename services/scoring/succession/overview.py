"""The succession overview of an agency: each key position's incumbent, retirement date and successors by readiness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.agencies import visible_agency
from services.scoring.placements.service import review_policy
from services.scoring.registry import PositionRef, Registry
from services.scoring.reviews.repository import ReviewRepository
from services.scoring.reviews.service import today
from services.scoring.succession.schemas import OverviewPosition, ReadinessCounts, SuccessionOverview
from services.scoring.succession.service import TalentSource, candidates_for, talent_source
from services.scoring.succession.talent import level_codes


class _Pool:
    """The people and talent one computation draws on: an agency's export, or the national one."""

    def __init__(self, table: Any, inputs: engine.ScoringInputs, talent: engine.TalentColumns, policy: engine.Policy):
        self.table, self.inputs, self.talent, self.policy = table, inputs, talent, policy
        self.position_ids = table["position_id"].to_numpy(zero_copy_only=False)  # once, not per position

    def counts(self, position: PositionRef, as_of: dt.date) -> ReadinessCounts | None:
        """Eligible successors of `position` by readiness; None when the policy has no rule for its level."""
        try:
            feeders = engine.feeder_levels(position.level, self.policy)
        except ValueError:  # no succession rule for the level (e.g. jpt_utama in the built-ins)
            return None
        rows = np.flatnonzero(np.isin(self.inputs.level, level_codes(feeders)))
        talent = engine.TalentColumns(
            effective_box=self.talent.effective_box[rows],
            potential_score=self.talent.potential_score[rows],
            predikat_y=self.talent.predikat_y[rows],
            predikat_y1=self.talent.predikat_y1[rows],
            in_talent_pool=self.talent.in_talent_pool[rows],
        )
        target = engine.SuccessionTarget(position.level, position.competency_standard, position.min_rank)
        columns = engine.evaluate(self.inputs.take(rows), talent, target, self.policy, as_of)
        ready = np.bincount(columns.readiness[columns.failed == 0].astype(np.int64), minlength=3)
        return ReadinessCounts(ready_now=int(ready[0]), ready_1_2_years=int(ready[1]), ready_3_plus_years=int(ready[2]))

    def incumbent(self, position_id: str) -> tuple[str | None, str | None, dt.date | None]:
        """NIP, name and retirement date of the (first) holder of a position, from the export's position_id."""
        holders = np.flatnonzero(self.position_ids == position_id)
        if not len(holders):
            return None, None, None
        row = int(holders[0])
        retirement = self.inputs.retirement_date[row]
        name = self.table["name"][row].as_py()
        return str(self.inputs.nip[row]), name, None if np.isnat(retirement) else retirement.astype(dt.date)


async def _pool(
    session: AsyncSession, registry: Registry, source: TalentSource, agency_id: str | None, as_of: dt.date
) -> _Pool:
    table, inputs, talent = await candidates_for(session, registry, source, agency_id, as_of, None)
    return _Pool(table, inputs, talent, source.policy)


async def _agency_source(session: AsyncSession, agency_id: str, as_of: dt.date) -> TalentSource:
    """The agency's latest completed review, or no talent at all under the default policy."""
    latest = await ReviewRepository(session).latest_completed(agency_id)
    if latest is None:
        return TalentSource(reviews=[], policy=engine.builtin_policy(), period=as_of.year - 1)
    return TalentSource(reviews=[latest], policy=await review_policy(session, latest), period=latest.period)


async def _national_source(session: AsyncSession, position: PositionRef) -> TalentSource | None:
    try:
        return await talent_source(session, position)
    except Conflict:
        return None


async def succession_overview(
    session: AsyncSession, access: Access, registry: Registry, agency_ref: str
) -> SuccessionOverview:
    """Every key position of the agency: incumbent, retirement date, successors by readiness, flags."""
    access.require_staff()
    agency = await visible_agency(registry, access, agency_ref)
    as_of = today()
    positions = await registry.key_positions(agency.id, access.identity)
    source = await _agency_source(session, agency.id, as_of)
    local = await _pool(session, registry, source, agency.id, as_of)
    national: _Pool | None = None
    answers = []
    for position in positions:
        pool: _Pool | None = local
        if position.national:
            if national is None and (national_source := await _national_source(session, position)) is not None:
                national = await _pool(session, registry, national_source, None, as_of)
            pool = national
        counts = (
            pool.counts(position, as_of)
            if pool is not None
            else ReadinessCounts(ready_now=0, ready_1_2_years=0, ready_3_plus_years=0)
        )
        nip, name, retires = local.incumbent(position.id)
        answers.append(
            OverviewPosition(
                position_id=position.id,
                name=position.name,
                level=position.level,
                national=position.national,
                incumbent_nip=nip,
                incumbent_name=name,
                incumbent_retirement_date=retires,
                successors=counts,
                no_ready_successor=counts is None or counts.ready_now == 0,
            )
        )
    return SuccessionOverview(
        agency_id=agency.id,
        as_of=as_of,
        review_id=source.reviews[-1].id if source.reviews else None,
        policy_id=source.policy.id,
        policy_version=source.policy.version,
        positions_without_ready_successor=sum(1 for answer in answers if answer.no_ready_successor),
        positions=answers,
    )
