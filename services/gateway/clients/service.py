"""Client administration: registration, changes and secret rotation, within the admin's reach."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, Forbidden, NotFound, invalid
from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.gateway.audit.service import cursor_id
from services.gateway.auth.context import AuthContext
from services.gateway.auth.models import Client
from services.gateway.auth.passwords import hash_secret, new_secret
from services.gateway.auth.principal import Principal
from services.gateway.auth.service import revoke_subject
from services.gateway.clients import repository
from services.gateway.clients.schemas import ClientCreate, ClientUpdate
from services.gateway.permissions import Grant, Reach
from services.gateway.users.service import admin_grant, managed_agency


def _check(grant: Grant, principal: Principal, agency_id: str | None, scopes: list[str]) -> None:
    if grant.reach is not Reach.ALL:
        if agency_id != principal.agency_id:
            raise Forbidden("Agency admins register clients of their own agency only.", code="other_agency")
        if "admin" in scopes:
            raise Forbidden("Only a national admin grants the admin scope to a client.", code="cannot_grant_scope")


def _check_redirects(uris: list[str]) -> None:
    for i, uri in enumerate(uris):
        try:
            parts = urlsplit(uri)
            host = parts.hostname
        except ValueError:
            raise invalid(["body", "redirect_uris", i], "not a URI") from None
        # RFC 9700 2.1: exact, absolute URIs; http only for loopback; no fragments.
        if (
            not parts.scheme
            or parts.fragment
            or (parts.scheme == "http" and host not in ("127.0.0.1", "localhost", "[::1]", "::1"))
        ):
            raise invalid(["body", "redirect_uris", i], "an absolute https, loopback http or app-scheme URI")


async def create_client(
    session: AsyncSession, principal: Principal, data: ClientCreate, agency_id: str | None
) -> tuple[Client, str | None]:
    """Register a client; answer it and its secret (None for public clients)."""
    grant = admin_grant(principal)
    _check(grant, principal, agency_id, list(data.scopes))
    _check_redirects(data.redirect_uris)
    if not data.confidential and not data.redirect_uris:
        raise invalid(["body", "redirect_uris"], "a public client needs at least one redirect URI")
    secret = new_secret() if data.confidential else None
    client = Client(
        client_id=data.client_id or f"c-{secrets.token_hex(8)}",
        name=data.name,
        secret_hash=await hash_secret(secret) if secret else None,
        scopes=list(data.scopes),
        agency_id=agency_id,
        redirect_uris=list(data.redirect_uris),
        created_by=principal.subject,
        updated_by=principal.subject,
    )
    if not await repository.add_client(session, client):
        raise Conflict("That client_id is taken.", code="client_id_taken")
    return client, secret


async def get_client(session: AsyncSession, principal: Principal, client_id: str) -> Client:
    """A client the caller manages (404 for others, as if missing)."""
    agency = managed_agency(admin_grant(principal), principal)
    client = await repository.get_by_client_id(session, client_id)
    if client is None or (agency is not None and client.agency_id != agency):
        raise NotFound("No such client.", code="client_not_found")
    return client


async def list_clients(
    session: AsyncSession, principal: Principal, params: PageParams
) -> tuple[list[Client], str | None]:
    """The clients the caller manages."""
    agency = managed_agency(admin_grant(principal), principal)
    after = cursor_id(params)
    rows = await repository.list_clients(session, params.limit, after, agency)
    return make_page(rows, params, key=lambda c: [c.id])


async def update_client(
    session: AsyncSession,
    ctx: AuthContext,
    principal: Principal,
    client_id: str,
    data: ClientUpdate,
    agency_id: str | None,
    if_match: str | None,
) -> Client:
    """Change a client; narrowing its rights or disabling it revokes its tokens at once."""
    client = await get_client(session, principal, client_id)
    require_if_match(if_match, client.version)
    fields = data.model_fields_set
    scopes: list[str] = list(data.scopes) if data.scopes is not None else list(client.scopes)
    new_agency = agency_id if "agency_id" in fields else client.agency_id
    _check(admin_grant(principal), principal, new_agency, scopes)
    if data.redirect_uris is not None:
        _check_redirects(data.redirect_uris)
        client.redirect_uris = list(data.redirect_uris)
    rights_changed = scopes != client.scopes or new_agency != client.agency_id
    disabling = data.disabled is True and not client.disabled
    client.scopes, client.agency_id = scopes, new_agency
    if data.name is not None:
        client.name = data.name
    if data.disabled is not None:
        client.disabled = data.disabled
    client.version += 1
    client.updated_by = principal.subject
    await repository.save(session)
    if rights_changed or disabling:
        await revoke_subject(session, ctx, f"client:{client.client_id}")
    return client


async def rotate_secret(session: AsyncSession, ctx: AuthContext, principal: Principal, client_id: str) -> str:
    """A new secret for a confidential client; the old one stops working and its tokens are revoked."""
    client = await get_client(session, principal, client_id)
    if not client.is_confidential:
        raise Conflict("A public client has no secret.", code="public_client")
    secret = new_secret()
    client.secret_hash = await hash_secret(secret)
    client.version += 1
    client.updated_by = principal.subject
    await repository.save(session)
    await revoke_subject(session, ctx, f"client:{client.client_id}")
    return secret
