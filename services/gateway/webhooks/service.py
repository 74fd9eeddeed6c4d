"""Webhook use cases: register (the secret shown once), read, list, change, delete, and the delivery log."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import Forbidden, NotFound, invalid
from services.common.etag import require_if_match
from services.common.ids import new_id
from services.common.pagination import PageParams, make_page
from services.gateway.auth.keys import KeyCipher
from services.gateway.auth.models import Client, User
from services.gateway.auth.principal import Principal
from services.gateway.events.catalog import EventAccess, event_access
from services.gateway.permissions import Reach, decide, role_scopes
from services.gateway.webhooks.models import DeliveryAttempt, Webhook, WebhookDelivery
from services.gateway.webhooks.repository import WebhookRepository
from services.gateway.webhooks.schemas import WebhookCreate, WebhookUpdate
from services.gateway.webhooks.signing import new_secret

SECRET_INFO = b"talenta-gateway-webhook-secrets"


def check_endpoint(url: str, local: bool, loc: list[str | int]) -> str:
    """An endpoint URL: HTTPS (plain HTTP only in local/test mode), a host, no credentials, and outside local
    mode no loopback, private or link-local address literal (deliveries must not reach inside the deployment)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise invalid(loc, "not a URL") from None
    allowed = ("https", "http") if local else ("https",)
    if parts.scheme not in allowed:
        raise invalid(loc, "must be an https:// URL" if not local else "must be an http(s):// URL")
    if not host or parts.username or parts.password or parts.fragment:
        raise invalid(loc, "needs a host, and no credentials or fragment")
    if not local:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host == "localhost" or (address is not None and not address.is_global):
            raise invalid(loc, "must not point at a local or private address")
    return url


async def resolves_inside(url: str) -> bool:
    """Whether the URL's host resolves to any loopback, private or link-local address right now.

    A name checked only at registration can later be pointed (or rebound) at an address inside the deployment,
    so the dispatcher asks again before every delivery outside local mode."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    return any(not ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global for info in found)


def _check_events(access: EventAccess, events: Sequence[str], loc: list[str | int]) -> list[str]:
    hidden = [name for name in events if name not in access.types]
    if hidden:
        raise invalid(loc, f"not visible to this principal: {', '.join(hidden)}")
    return list(dict.fromkeys(events))


def owner_access(account: User | Client | None) -> EventAccess:
    """What a webhook's owner may receive now, from their account as it is today (not as it was when the webhook
    was registered): an owner whose roles, scopes or agency were narrowed since receives only what they still may
    see, and an owner whose account is gone receives nothing."""
    if isinstance(account, User):
        principal = Principal(
            subject=f"user:{account.id}", kind="user", client_id="webhook", roles=tuple(account.roles),
            scopes=tuple(role_scopes(account.roles)), agency_id=account.agency_id, jti="", expires_at=0,
            user_id=account.id, nip=account.nip,
        )  # fmt: skip
    elif isinstance(account, Client):
        principal = Principal(
            subject=f"client:{account.client_id}", kind="client", client_id=account.client_id, roles=(),
            scopes=tuple(account.scopes), agency_id=account.agency_id, jti="", expires_at=0,
        )  # fmt: skip
    else:
        return EventAccess(types=(), agency_id=None)
    return event_access(principal)


def receives(webhook: Webhook, access: EventAccess, event: dict[str, Any]) -> bool:
    """True when `webhook` asked for this event and its owner (`access`, today's) may still see it."""
    agency = event.get("agency_id")
    return (
        event["type"] in webhook.events
        and event["type"] in access.types
        and webhook.agency_id in (None, agency)
        and access.agency_id in (None, agency)
    )


def _sees(principal: Principal, webhook: Webhook) -> bool:
    grant = decide(principal, "admin:manage")
    return webhook.owner == principal.subject or (grant is not None and grant.reach is Reach.ALL)


async def get_webhook(session: AsyncSession, principal: Principal, webhook_id: str) -> Webhook:
    """A webhook of the caller (national admins: any); 404 otherwise."""
    webhook = await WebhookRepository(session).get(webhook_id)
    if webhook is None or not _sees(principal, webhook):
        raise NotFound(f"No webhook {webhook_id!r}.", code="webhook_not_found")
    return webhook


async def create_webhook(
    session: AsyncSession,
    principal: Principal,
    access: EventAccess,
    cipher: KeyCipher,
    data: WebhookCreate,
    local: bool,
    agency_id: str | None,
) -> tuple[Webhook, str]:
    """Register an endpoint for event types the caller may see; answers it and its secret (shown once)."""
    if not access.types:
        raise Forbidden("No event type is visible to this principal.", code="insufficient_permission")
    url = check_endpoint(data.url, local, ["body", "url"])
    events = _check_events(access, data.events, ["body", "events"])
    secret = new_secret()
    webhook = Webhook(
        id=new_id(),
        owner=principal.subject,
        owner_name=principal.display_name,
        agency_id=agency_id,
        url=url,
        events=events,
        description=data.description,
        active=True,
        created_by=principal.subject,
        updated_by=principal.subject,
    )
    webhook.secret_encrypted = cipher.encrypt(secret.encode(), webhook.id)
    return await WebhookRepository(session).add(webhook), secret


async def list_webhooks(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[Webhook], str | None]:
    """The caller's webhooks (national admins: all), in id order."""
    grant = decide(principal, "admin:manage")
    owner = None if grant is not None and grant.reach is Reach.ALL else principal.subject
    after = str(page.after[0]) if page.after else None
    rows = await WebhookRepository(session).page(owner, after, page.limit + 1)
    return make_page(rows, page, lambda w: [w.id])


async def update_webhook(
    session: AsyncSession,
    principal: Principal,
    access: EventAccess,
    webhook_id: str,
    data: WebhookUpdate,
    if_match: str | None,
    local: bool,
) -> Webhook:
    """Change a webhook's URL, events, description or active flag; needs its ETag."""
    webhook = await get_webhook(session, principal, webhook_id)
    require_if_match(if_match, webhook.version)
    changes = data.model_dump(exclude_unset=True)
    for name in ("url", "events", "active"):
        if name in changes and changes[name] is None:
            raise invalid(["body", name], "cannot be null; omit it to keep the value")
    if "url" in changes:
        webhook.url = check_endpoint(changes["url"], local, ["body", "url"])
    if "events" in changes:
        webhook.events = _check_events(access, changes["events"], ["body", "events"])
    if "description" in changes:
        webhook.description = changes["description"]
    if "active" in changes:
        webhook.active = changes["active"]
    webhook.version += 1
    webhook.updated_at, webhook.updated_by = utcnow(), principal.subject
    await session.flush()
    return webhook


async def delete_webhook(session: AsyncSession, principal: Principal, webhook_id: str, if_match: str | None) -> None:
    """Delete a webhook (its delivery log stays); deliveries still waiting are cancelled."""
    webhook = await get_webhook(session, principal, webhook_id)
    require_if_match(if_match, webhook.version)
    webhook.deleted_at = webhook.updated_at = utcnow()
    webhook.active, webhook.updated_by, webhook.version = False, principal.subject, webhook.version + 1
    await WebhookRepository(session).cancel_pending(webhook.id)
    await session.flush()


async def deliveries(
    session: AsyncSession, principal: Principal, webhook_id: str, page: PageParams
) -> tuple[list[WebhookDelivery], dict[str, list[DeliveryAttempt]], str | None]:
    """A page of a webhook's deliveries, newest first, with their attempts."""
    await get_webhook(session, principal, webhook_id)
    before = str(page.after[0]) if page.after else None
    repository = WebhookRepository(session)
    rows, cursor = make_page(await repository.deliveries(webhook_id, before, page.limit + 1), page, lambda d: [d.id])
    attempts = await repository.attempts([row.id for row in rows])
    return rows, attempts, cursor
