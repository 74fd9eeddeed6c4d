"""Award and disciplinary-action use cases: record (never oneself's) and list a person's records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.clock import today
from services.registry.employees.service import require_visible_employee
from services.registry.errors import invalid_body_field
from services.registry.paging import cursor_key
from services.registry.records.models import Award, DisciplinaryAction
from services.registry.records.repository import RecordRepository
from services.registry.records.schemas import AwardCreate, DisciplinaryActionCreate


def not_in_future(day: dt.date, field: str) -> None:
    """422 naming `field` for a date after today (Jakarta): a record states what has happened."""
    if day > today():
        raise invalid_body_field(field, "is in the future")


async def writable_employee(session: AsyncSession, scope: Scope, nip: str) -> None:
    """The person exists and is in scope (else 404) and is not the caller (else 403)."""
    await require_visible_employee(session, scope, nip)
    scope.forbid_self_assessment(nip)


async def add_award(session: AsyncSession, scope: Scope, nip: str, data: AwardCreate) -> Award:
    """Record an award."""
    await writable_employee(session, scope, nip)
    not_in_future(data.awarded_on, "awarded_on")
    award = Award(nip=nip, **data.model_dump(), created_by=scope.actor, updated_by=scope.actor)
    return await RecordRepository(session).add(award)


async def list_awards(
    session: AsyncSession, scope: Scope, nip: str, page: PageParams
) -> tuple[list[Award], str | None]:
    """A person's awards, oldest first."""
    await require_visible_employee(session, scope, nip)
    after = cursor_key(page, dt.date.fromisoformat, str)
    rows = await RecordRepository(session).list(Award, Award.awarded_on, nip, after=after, limit=page.limit + 1)
    return make_page(rows, page, lambda a: [a.awarded_on.isoformat(), a.id])


async def add_disciplinary_action(
    session: AsyncSession, scope: Scope, nip: str, data: DisciplinaryActionCreate
) -> DisciplinaryAction:
    """Record a sanction; it must end on or after its start."""
    await writable_employee(session, scope, nip)
    if data.ends_on < data.starts_on:
        raise invalid_body_field("ends_on", "is before starts_on")
    action = DisciplinaryAction(nip=nip, **data.model_dump(), created_by=scope.actor, updated_by=scope.actor)
    return await RecordRepository(session).add(action)


async def list_disciplinary_actions(
    session: AsyncSession, scope: Scope, nip: str, page: PageParams
) -> tuple[list[DisciplinaryAction], str | None]:
    """A person's sanctions, oldest first."""
    await require_visible_employee(session, scope, nip)
    after = cursor_key(page, dt.date.fromisoformat, str)
    rows = await RecordRepository(session).list(
        DisciplinaryAction,
        DisciplinaryAction.starts_on,
        nip,
        after=after,
        limit=page.limit + 1,
    )
    return make_page(rows, page, lambda d: [d.starts_on.isoformat(), d.id])
