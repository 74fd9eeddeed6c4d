"""`/api/v1/webhooks`: signed outbound webhooks of the caller, and each one's delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import JSONResponse, Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.pagination import Page, PageDep
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.auth.keys import KeyCipher
from services.gateway.events.catalog import event_access
from services.gateway.state import gateway_state
from services.gateway.webhooks import service
from services.gateway.webhooks.models import PENDING, DeliveryAttempt, Webhook, WebhookDelivery
from services.gateway.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["events"])
IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag of the version being changed")]
NO_STORE = {"Cache-Control": "no-store"}


def _read(webhook: Webhook) -> WebhookRead:
    return WebhookRead.model_validate(
        {name: getattr(webhook, name) for name in WebhookRead.model_fields if name != "events"}
        | {"events": list(webhook.events)}
    )


def _delivery(row: WebhookDelivery, attempts: list[DeliveryAttempt]) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            "id": row.id,
            "event_id": row.event_id,
            "event_type": row.event_type,
            "status": row.status,
            "attempts": row.attempts,
            "created_at": row.created_at,
            "next_attempt_at": row.next_attempt_at if row.status == PENDING else None,
            "delivered_at": row.delivered_at,
            "last_status_code": row.last_status_code,
            "attempt_log": [AttemptRead.model_validate(a, from_attributes=True) for a in attempts],
        }
    )


@router.post("", status_code=201, response_model=WebhookWithSecret, responses=problem_responses(401, 403, 422, 429))
async def create_webhook(
    request: Request, session: SessionDep, principal: CurrentPrincipal, data: WebhookCreate
) -> Response:
    """Register an endpoint for event types the caller may see. The answer holds the signing secret, once:
    every delivery carries `Talenta-Signature: v1=<hex HMAC-SHA256(secret, "<Talenta-Timestamp>." + body)>`."""
    state = gateway_state(request)
    settings = state.settings
    agency = principal.agency_id
    access = event_access(principal)
    if access.agency_id is not None:
        agency = await state.agencies.resolve(access.agency_id, ["token", "agency_id"])
    cipher = KeyCipher(settings.webhook_key(), info=service.SECRET_INFO)
    webhook, secret = await service.create_webhook(
        session, principal, access, cipher, data, settings.is_local, agency if access.agency_id else None
    )
    body = WebhookWithSecret(**_read(webhook).model_dump(), secret=secret)
    headers = {"ETag": make_etag(webhook.version), "Location": f"/api/v1/webhooks/{webhook.id}", **NO_STORE}
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


@router.get("", response_model=Page[WebhookRead], responses=problem_responses(401, 422, 429))
async def list_webhooks(session: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[WebhookRead]:
    """The caller's webhooks (national admins: every webhook)."""
    rows, cursor = await service.list_webhooks(session, principal, page)
    return Page(items=[_read(row) for row in rows], next_cursor=cursor)


@router.get("/{webhook_id}", response_model=WebhookRead, responses=problem_responses(401, 404, 429))
async def get_webhook(session: SessionDep, principal: CurrentPrincipal, webhook_id: str) -> Response:
    """One webhook (without its secret)."""
    webhook = await service.get_webhook(session, principal, webhook_id)
    return JSONResponse(_read(webhook).model_dump(mode="json"), headers={"ETag": make_etag(webhook.version)})


@router.patch("/{webhook_id}", response_model=WebhookRead, responses=problem_responses(401, 404, 412, 422, 428, 429))
async def update_webhook(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    webhook_id: str,
    data: WebhookUpdate,
    if_match: IfMatch = None,
) -> Response:
    """Change the URL, the events, the description, or pause it (`active: false`); send If-Match."""
    local = gateway_state(request).settings.is_local
    webhook = await service.update_webhook(
        session, principal, event_access(principal), webhook_id, data, if_match, local
    )
    return JSONResponse(_read(webhook).model_dump(mode="json"), headers={"ETag": make_etag(webhook.version)})


@router.delete("/{webhook_id}", status_code=204, responses=problem_responses(401, 404, 412, 428, 429))
async def delete_webhook(
    session: SessionDep, principal: CurrentPrincipal, webhook_id: str, if_match: IfMatch = None
) -> Response:
    """Delete a webhook; deliveries still waiting are cancelled, the log stays readable to admins."""
    await service.delete_webhook(session, principal, webhook_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries", response_model=Page[DeliveryRead], responses=problem_responses(401, 404, 422, 429)
)
async def list_deliveries(
    session: SessionDep, principal: CurrentPrincipal, webhook_id: str, page: PageDep
) -> Page[DeliveryRead]:
    """The webhook's deliveries, newest first: status, attempts with their time and the receiver's answer."""
    rows, attempts, cursor = await service.deliveries(session, principal, webhook_id, page)
    return Page(items=[_delivery(row, attempts.get(row.id, [])) for row in rows], next_cursor=cursor)
