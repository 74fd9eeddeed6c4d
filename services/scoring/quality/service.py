"""Data quality: which maximum input age applies (the caller's, else the policy's), then the registry's figures.

The registry counts (set-based, over its people); the staleness limit is a policy value, so scoring, which owns
the policies, supplies it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring import engine
from services.scoring.access import Access
from services.scoring.errors import invalid_field
from services.scoring.policies.repository import PolicyRepository
from services.scoring.policies.service import engine_policy, visible
from services.scoring.registry import Registry


async def max_input_age(session: AsyncSession, access: Access, policy_id: str | None) -> int:
    """The maximum input age in years of the latest version of a policy the caller may use (default policy)."""
    policy_id = policy_id or engine.DEFAULT_POLICY_ID
    row = await PolicyRepository(session).get(policy_id, None)
    if row is None or not visible(row, access.agency_id):
        raise invalid_field(["query", "policy_id"], f"no policy {policy_id!r}", code="unknown_policy")
    return engine_policy(row).max_input_age_years


async def data_quality(
    session: AsyncSession,
    access: Access,
    registry: Registry,
    agency_ref: str | None,
    period: int,
    max_age_years: int | None,
    policy_id: str | None,
) -> bytes:
    """The registry's data-quality answer (JSON) for the caller, national or of one agency."""
    access.require_staff()
    if max_age_years is None:
        max_age_years = await max_input_age(session, access, policy_id)
    params = {"period": str(period), "max_age_years": str(max_age_years)}
    return await registry.data_quality(agency_ref, params, access.identity)
