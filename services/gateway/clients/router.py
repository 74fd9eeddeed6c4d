"""`/api/v1/admin/clients`: OAuth clients, registered and managed by national and agency admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.responses import JSONResponse, Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.pagination import Page, PageDep
from services.gateway.audit.service import build_events
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.auth.principal import Principal
from services.gateway.clients import service
from services.gateway.clients.schemas import ClientCreate, ClientRead, ClientSecret, ClientUpdate, ClientWithSecret
from services.gateway.state import gateway_state

router = APIRouter(prefix="/api/v1/admin/clients", tags=["admin"])
NO_STORE = {"Cache-Control": "no-store"}


def _read(client: Any) -> ClientRead:
    return ClientRead(
        id=client.id,
        client_id=client.client_id,
        name=client.name,
        confidential=client.is_confidential,
        scopes=list(client.scopes),
        agency_id=client.agency_id,
        redirect_uris=list(client.redirect_uris),
        disabled=client.disabled,
        created_at=client.created_at,
        updated_at=client.updated_at,
        version=client.version,
    )


async def _agency(request: Request, value: str | None) -> str | None:
    if value is None:
        return None
    return await gateway_state(request).agencies.resolve(value, ["body", "agency_id"])


async def _audit(
    request: Request, session: SessionDep, principal: Principal, action: str, route: str, status: int
) -> None:
    events = build_events(principal=principal, action=action, method=request.method, route=route, status=status)
    await gateway_state(request).audit.commit_then_record(session, events)


@router.get("", response_model=Page[ClientRead], responses=problem_responses(401, 403, 422, 429))
async def list_clients(session: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[ClientRead]:
    """List the clients the caller manages (agency admins: their agency's)."""
    items, cursor = await service.list_clients(session, principal, page)
    return Page(items=[_read(c) for c in items], next_cursor=cursor)


@router.post("", status_code=201, response_model=ClientWithSecret, responses=problem_responses(401, 403, 409, 422, 429))
async def create_client(
    request: Request, session: SessionDep, principal: CurrentPrincipal, data: ClientCreate
) -> Response:
    """Register a client; a confidential client's secret is in this answer only."""
    client, secret = await service.create_client(session, principal, data, await _agency(request, data.agency_id))
    body = ClientWithSecret(**_read(client).model_dump(), client_secret=secret)
    await _audit(request, session, principal, "admin.clients.create", "/api/v1/admin/clients", 201)
    headers = {"ETag": make_etag(client.version), "Location": f"/api/v1/admin/clients/{client.client_id}", **NO_STORE}
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


@router.get("/{client_id}", response_model=ClientRead, responses=problem_responses(401, 403, 404, 429))
async def get_client(session: SessionDep, principal: CurrentPrincipal, client_id: str) -> Response:
    """Get one client."""
    client = await service.get_client(session, principal, client_id)
    return JSONResponse(_read(client).model_dump(mode="json"), headers={"ETag": make_etag(client.version)})


@router.patch("/{client_id}", response_model=ClientRead, responses=problem_responses(401, 403, 404, 412, 422, 428, 429))
async def update_client(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    client_id: str,
    data: ClientUpdate,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response:
    """Change a client's name, scopes, agency, redirect URIs, or disable it (tokens revoked at once)."""
    agency = await _agency(request, data.agency_id) if "agency_id" in data.model_fields_set else None
    client = await service.update_client(
        session, gateway_state(request).auth, principal, client_id, data, agency, if_match
    )
    await _audit(request, session, principal, "admin.clients.update", "/api/v1/admin/clients/{client_id}", 200)
    return JSONResponse(_read(client).model_dump(mode="json"), headers={"ETag": make_etag(client.version)})


@router.post("/{client_id}/secret", response_model=ClientSecret, responses=problem_responses(401, 403, 404, 409, 429))
async def rotate_secret(request: Request, session: SessionDep, principal: CurrentPrincipal, client_id: str) -> Response:
    """Rotate a confidential client's secret; the new one is shown once, the old one stops working."""
    secret = await service.rotate_secret(session, gateway_state(request).auth, principal, client_id)
    await _audit(
        request, session, principal, "admin.clients.rotate_secret", "/api/v1/admin/clients/{client_id}/secret", 200
    )
    return JSONResponse(ClientSecret(client_id=client_id, client_secret=secret).model_dump(), headers=NO_STORE)
