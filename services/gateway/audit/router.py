"""`GET /api/v1/audit-events` for admins and `GET /api/v1/me/access-log` for the person concerned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.dates import Instant
from services.common.db import SessionDep
from services.common.errors import Forbidden, problem_responses
from services.common.pagination import Page, PageDep
from services.gateway.audit import service
from services.gateway.audit.schemas import AccessLogEntry, AuditEventRead
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.permissions import Reach, decide

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit-events", response_model=Page[AuditEventRead], responses=problem_responses(401, 403, 422, 429))
async def audit_events(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    nip: Annotated[str | None, Query(pattern=r"^\d{18}$", description="Events about this person")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Subject, username or client id")] = None,
    since: Annotated[Instant | None, Query(description="ISO 8601 timestamp (UTC when no offset is given)")] = None,
) -> Page[AuditEventRead]:
    """Audit events, newest first; agency admins see events by or about their agency."""
    grant = decide(principal, "audit:read")
    if grant is None:
        raise Forbidden("Reading the audit trail needs audit:read.", code="insufficient_permission")
    agency = None if grant.reach is Reach.ALL else principal.agency_id
    items, cursor = await service.list_events(session, page, nip=nip, actor=actor, since=since, agency_id=agency)
    return Page(items=[AuditEventRead.model_validate(e) for e in items], next_cursor=cursor)


@router.get("/me/access-log", response_model=Page[AccessLogEntry], responses=problem_responses(401, 403, 422, 429))
async def access_log(session: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[AccessLogEntry]:
    """Who read or changed the caller's own data, when, and through which client (employee accounts)."""
    if principal.nip is None:
        raise Forbidden("Only an account linked to a person has an access log.", code="no_linked_person")
    items, cursor = await service.list_events(session, page, nip=principal.nip, actor=None, since=None, agency_id=None)
    return Page(items=[AccessLogEntry.model_validate(e) for e in items], next_cursor=cursor)
