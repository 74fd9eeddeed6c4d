"""SQL of placements and calibrations: the set-based bulk write, filtered pages, counts, talent lookups."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import String, and_, bindparam, case, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.scoring.placements.models import Calibration, Placement
from services.scoring.reviews.models import COMPLETED, TalentReview

SQLITE_IN_CHUNK = 5000


@dataclass(frozen=True)
class PlacementFilter:
    """The filters of a placement list."""

    box: int | None = None  # effective box
    placed: bool | None = None
    unit_id: str | None = None


@dataclass(frozen=True)
class BoxCounts:
    """Counts of one review by effective box, with how many of them a calibration put there."""

    by_box: dict[int, int]
    calibrated_by_box: dict[int, int]
    incomplete: int

    @property
    def calibrated(self) -> int:
        """Placements counted in a calibrated box."""
        return sum(self.calibrated_by_box.values())


def _csv(rows: pa.Table) -> io.BytesIO:
    buffer = io.BytesIO()
    pacsv.write_csv(rows, buffer, pacsv.WriteOptions(include_header=False, batch_size=65536))
    buffer.seek(0)
    return buffer


class PlacementRepository:
    """Placements of reviews and their calibrations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def write_bulk(self, rows: pa.Table, sqlite_batch_rows: int = 5000) -> None:
        """Insert a review's rows at once: COPY from an in-memory CSV on PostgreSQL, batches on SQLite."""
        if rows.num_rows == 0:
            return
        if is_postgres(self.session):
            buffer = await asyncio.to_thread(_csv, rows)
            connection = await self.session.connection()
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_to_table(Placement.__tablename__, source=buffer, columns=rows.column_names, format="csv")
            return
        for batch in rows.to_batches(sqlite_batch_rows):
            await self.session.execute(insert(Placement), batch.to_pylist())

    async def get(self, review_id: str, nip: str, *, for_update: bool = False) -> Placement | None:
        """One person's placement in a review."""
        query = select(Placement).where(Placement.review_id == review_id, Placement.nip == nip)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()

    async def page(
        self, review_id: str, where: PlacementFilter, *, after: str | None, limit: int
    ) -> Sequence[Placement]:
        """A page of a review's placements in NIP order."""
        query = select(Placement).where(Placement.review_id == review_id)
        if where.box is not None:
            query = query.where(Placement.effective_box == where.box)
        if where.placed is not None:
            query = query.where(Placement.placed.is_(where.placed))
        if where.unit_id is not None:
            query = query.where(Placement.unit_id == where.unit_id)
        if after is not None:
            query = query.where(Placement.nip > after)
        return (await self.session.execute(query.order_by(Placement.nip).limit(limit))).scalars().all()

    async def box_counts(self, review_id: str) -> BoxCounts:
        """Counts by effective box (null = incomplete) and by calibrated box."""
        calibrated = func.sum(case((Placement.calibrated_box.is_not(None), 1), else_=0))
        query = (
            select(Placement.effective_box, func.count(), calibrated)
            .where(Placement.review_id == review_id)
            .group_by(Placement.effective_box)
        )
        by_box: dict[int, int] = {}
        calibrated_by_box: dict[int, int] = {}
        incomplete = 0
        for box, count, calibrated_count in (await self.session.execute(query)).all():
            if box is None:
                incomplete = int(count)
            else:
                by_box[int(box)] = int(count)
                calibrated_by_box[int(box)] = int(calibrated_count or 0)
        return BoxCounts(by_box=by_box, calibrated_by_box=calibrated_by_box, incomplete=incomplete)

    async def add_calibration(self, calibration: Calibration) -> Calibration:
        """Record a calibration."""
        self.session.add(calibration)
        await self.session.flush()
        return calibration

    async def calibrations(self, review_id: str, nips: Sequence[str]) -> dict[str, list[Calibration]]:
        """Calibrations of some placements of a review, oldest first, by NIP."""
        if not nips:
            return {}
        query = (
            select(Calibration)
            .where(Calibration.review_id == review_id, Calibration.nip.in_(list(nips)))
            .order_by(Calibration.nip, Calibration.created_at, Calibration.id)
        )
        found: dict[str, list[Calibration]] = {}
        for calibration in (await self.session.execute(query)).scalars():
            found.setdefault(calibration.nip, []).append(calibration)
        return found

    async def talent(self, review_ids: Sequence[str], nips: Sequence[str]) -> list[Any]:
        """(nip, effective_box, potential_score, predikat_y, predikat_y1, review_id) of people in the reviews."""
        columns = (
            Placement.nip,
            Placement.effective_box,
            Placement.potential_score,
            Placement.predikat_y,
            Placement.predikat_y1,
            Placement.review_id,
        )
        in_reviews = Placement.review_id.in_(list(review_ids))
        if is_postgres(self.session):
            # A hash join with the unnested NIPs: `nip = ANY(:array)` is checked element by element per row,
            # which PostgreSQL's generic plan (after five executions) turns into a scan 30x slower.
            wanted = func.unnest(bindparam("nips", list(nips), type_=ARRAY(String()))).table_valued("nip")
            wanted = wanted.render_derived(name="wanted")
            query = (
                select(*columns).select_from(wanted).join(Placement, and_(in_reviews, Placement.nip == wanted.c.nip))
            )
            return list((await self.session.execute(query)).all())
        rows: list[Any] = []
        for start in range(0, len(nips), SQLITE_IN_CHUNK):
            chunk = list(nips[start : start + SQLITE_IN_CHUNK])
            query = select(*columns).where(in_reviews, Placement.nip.in_(chunk))
            rows.extend((await self.session.execute(query)).all())
        return rows

    async def history(self, nip: str, agency_id: str | None) -> Sequence[tuple[Placement, TalentReview]]:
        """A person's placements in completed reviews (of one agency, or all), newest review first."""
        query = (
            select(Placement, TalentReview)
            .join(TalentReview, and_(TalentReview.id == Placement.review_id, TalentReview.status == COMPLETED))
            .where(Placement.nip == nip)
        )
        if agency_id is not None:
            query = query.where(TalentReview.agency_id == agency_id)
        query = query.order_by(TalentReview.completed_at.desc(), TalentReview.id.desc())
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]
