"""SQL of scoring policies: read by (id, version), list in key order, insert (never update)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.common.errors import Conflict
from services.scoring.policies.models import ScoringPolicy


class PolicyRepository:
    """Stored policy versions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, policy_id: str, version: int | None = None) -> ScoringPolicy | None:
        """One version, or the latest when `version` is None."""
        query = select(ScoringPolicy).where(ScoringPolicy.id == policy_id)
        if version is not None:
            query = query.where(ScoringPolicy.version == version)
        query = query.order_by(ScoringPolicy.version.desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest_version(self, policy_id: str) -> int | None:
        """The highest version of a policy id, or None when it does not exist."""
        query = select(func.max(ScoringPolicy.version)).where(ScoringPolicy.id == policy_id)
        version = (await self.session.execute(query)).scalar_one_or_none()
        return None if version is None else int(version)

    async def list(self, *, visible_to: str | None, after: Sequence[Any] | None, limit: int) -> Sequence[ScoringPolicy]:
        """Versions in (id, version) order; `visible_to` an agency id limits to shared and that agency's own."""
        query = select(ScoringPolicy)
        if visible_to is not None:
            query = query.where(
                or_(ScoringPolicy.owner_agency_id.is_(None), ScoringPolicy.owner_agency_id == visible_to)
            )
        if after is not None:
            query = query.where(tuple_(ScoringPolicy.id, ScoringPolicy.version) > tuple_(*after))
        query = query.order_by(ScoringPolicy.id, ScoringPolicy.version).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def add(self, policy: ScoringPolicy) -> ScoringPolicy:
        """Insert a new version; 409 when that (id, version) was written concurrently."""
        try:
            async with self.session.begin_nested():
                self.session.add(policy)
                await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Policy {policy.id} version {policy.version} was just created by another request; retry.",
                code="policy_version_conflict",
            ) from exc
        return policy

    async def insert_missing(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert versions that are not stored yet (built-ins at start-up; replicas may race: no conflict)."""
        if not rows:
            return
        dialect_insert = postgresql.insert if is_postgres(self.session) else sqlite.insert
        statement = dialect_insert(ScoringPolicy).values(list(rows)).on_conflict_do_nothing()
        await self.session.execute(statement)
