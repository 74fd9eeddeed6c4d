"""`/api/v1/admin/users`: accounts of people, managed by national and agency admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import JSONResponse, Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.pagination import Page, PageDep
from services.gateway.audit.service import build_events
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.auth.principal import Principal
from services.gateway.state import gateway_state
from services.gateway.users import service
from services.gateway.users.schemas import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/api/v1/admin/users", tags=["admin"])
ETAG_HEADER = {"ETag": {"description": "Version; send it in If-Match", "schema": {"type": "string"}}}


def _answer(user: object, status: int = 200) -> Response:
    body = UserRead.model_validate(user)
    headers = {"ETag": make_etag(body.version)}
    if status == 201:
        headers["Location"] = f"/api/v1/admin/users/{body.id}"
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _agency(request: Request, value: str | None) -> str | None:
    if value is None:
        return None
    return await gateway_state(request).agencies.resolve(value, ["body", "agency_id"])


async def _audit(
    request: Request, session: SessionDep, principal: Principal, action: str, route: str, status: int, nip: str | None
) -> None:
    events = build_events(
        principal=principal, action=action, method=request.method, route=route, status=status, nips=[nip]
    )
    await gateway_state(request).audit.commit_then_record(session, events)


@router.get("", response_model=Page[UserRead], responses=problem_responses(401, 403, 422, 429))
async def list_users(session: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[UserRead]:
    """List the accounts the caller manages (agency admins: their agency's)."""
    items, cursor = await service.list_users(session, principal, page)
    return Page(items=[UserRead.model_validate(u) for u in items], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=UserRead,
    responses={201: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 409, 422, 429)},
)
async def create_user(request: Request, session: SessionDep, principal: CurrentPrincipal, data: UserCreate) -> Response:
    """Create an account; agency admins create accounts of their own agency and never national_admin."""
    user = await service.create_user(session, principal, data, await _agency(request, data.agency_id))
    await _audit(request, session, principal, "admin.users.create", "/api/v1/admin/users", 201, user.nip)
    return _answer(user, 201)


@router.get("/{user_id}", response_model=UserRead, responses=problem_responses(401, 403, 404, 429))
async def get_user(session: SessionDep, principal: CurrentPrincipal, user_id: str) -> Response:
    """Get one account."""
    return _answer(await service.get_user(session, principal, user_id))


@router.patch("/{user_id}", response_model=UserRead, responses=problem_responses(401, 403, 404, 412, 422, 428, 429))
async def update_user(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    user_id: str,
    data: UserUpdate,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response:
    """Change roles, agency, NIP link, password, or disable; the account's tokens are revoked at once."""
    agency = await _agency(request, data.agency_id) if "agency_id" in data.model_fields_set else None
    user = await service.update_user(session, gateway_state(request).auth, principal, user_id, data, agency, if_match)
    await _audit(request, session, principal, "admin.users.update", "/api/v1/admin/users/{user_id}", 200, user.nip)
    return _answer(user)
