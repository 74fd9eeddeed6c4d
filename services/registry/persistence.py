"""Flushing with the registry's error mapping: unique violations are 409s, lost updates are 412s."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.common.errors import Conflict, PreconditionFailed


async def flush(session: AsyncSession, *, conflict_code: str = "conflict", conflict_detail: str = "") -> None:
    """Write pending changes in a savepoint, so a refused write leaves the transaction usable."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict_detail or "The change conflicts with existing data.", code=conflict_code) from exc
    except StaleDataError as exc:
        # version_id_col found another version: a concurrent writer committed first.
        raise PreconditionFailed(
            "The resource changed while you were changing it; read it again and retry.", code="etag_mismatch"
        ) from exc


def apply_changes(row: object, changes: dict[str, Any], actor: str) -> bool:
    """Set the changed attributes and who changed them; False (and nothing touched) when nothing differs."""
    changed = {name: value for name, value in changes.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        setattr(row, "updated_by", actor)  # noqa: B010 - any audited row
    return bool(changed)
