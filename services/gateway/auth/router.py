"""OAuth 2 endpoints (token, authorize, revoke), the JWKS, and `GET /api/v1/me`."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from services.common.db import SessionDep
from services.common.errors import Unauthorized, problem_responses
from services.gateway.audit.service import build_events
from services.gateway.auth import service
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.auth.exceptions import OAuthError, invalid_client
from services.gateway.auth.forms import read_form, refuse_nul
from services.gateway.auth.schemas import JWKSet, MeRead, OAuthErrorBody, TokenResponse
from services.gateway.auth.tokens import verify_access_token
from services.gateway.state import gateway_state

router = APIRouter(tags=["auth"])
TOKEN_ROUTE = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
KNOWN_GRANTS = frozenset({"client_credentials", "authorization_code", "refresh_token", "password"})

_TOKEN_FORM = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {
            "type": "string",
            "enum": ["client_credentials", "authorization_code", "refresh_token", "password"],
        },
        "client_id": {"type": "string"},
        "client_secret": {"type": "string", "description": "Or HTTP Basic"},
        "scope": {"type": "string", "example": "employees:read talent:read"},
        "code": {"type": "string"},
        "redirect_uri": {"type": "string"},
        "code_verifier": {"type": "string", "description": "PKCE (RFC 7636), 43-128 characters"},
        "refresh_token": {"type": "string"},
        "username": {"type": "string"},
        "password": {"type": "string", "format": "password"},
    },
}


def _form_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


def _client_credentials(request: Request, form: FormData) -> tuple[str | None, str | None, bool]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise invalid_client("Malformed HTTP Basic credentials.", basic=True) from exc
        # RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
        return refuse_nul(unquote(client_id), "client id"), refuse_nul(unquote(secret), "client secret"), True
    return _str(form, "client_id"), _str(form, "client_secret"), False


def _str(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value != "" else None


async def _grant(request: Request, session: SessionDep, form: FormData) -> service.IssuedTokens:
    ctx = gateway_state(request).auth
    grant = _str(form, "grant_type")
    client_id, secret, basic = _client_credentials(request, form)
    scope = _str(form, "scope")
    if grant == "client_credentials":
        client = await service.authenticate_client(
            session, client_id, secret, basic=basic, require_secret=True, demo_allowed=ctx.demo_allowed
        )
        assert client is not None
        return await service.client_credentials(ctx, client, scope)
    if grant == "password":
        if not ctx.password_grant:
            raise OAuthError("unsupported_grant_type", "The password grant is disabled on this deployment.")
        username, password = _str(form, "username"), _str(form, "password")
        if not username or not password:
            raise OAuthError("invalid_request", "username and password are required.")
        client = await service.authenticate_client(
            session, client_id, secret, basic=basic, require_secret=False, demo_allowed=ctx.demo_allowed
        )
        return await service.password_grant(session, ctx, client, username, password, scope)
    if grant == "authorization_code":
        code = _str(form, "code")
        if not code or not client_id:
            raise OAuthError("invalid_request", "code and client_id are required.")
        client = await service.authenticate_client(
            session, client_id, secret, basic=basic, require_secret=False, demo_allowed=ctx.demo_allowed
        )
        assert client is not None
        return await service.authorization_code_grant(
            session, ctx, client, code, _str(form, "redirect_uri"), _str(form, "code_verifier")
        )
    if grant == "refresh_token":
        refresh = _str(form, "refresh_token")
        if not refresh:
            raise OAuthError("invalid_request", "refresh_token is required.")
        client = await service.authenticate_client(
            session, client_id, secret, basic=basic, require_secret=False, demo_allowed=ctx.demo_allowed
        )
        return await service.refresh_grant(session, ctx, client, refresh, scope)
    raise OAuthError("unsupported_grant_type" if grant else "invalid_request", f"Unsupported grant_type {grant!r}.")


def _throttle_keys(request: Request, form: FormData) -> list[str]:
    keys = [f"tf:ip:{request.client.host if request.client else 'unknown'}"]
    username = _str(form, "username")
    if username:
        keys.append(f"tf:user:{username.lower()}")
    return keys


@router.post(
    TOKEN_ROUTE,
    response_model=TokenResponse,
    summary="Token endpoint (RFC 6749)",
    responses={
        400: {"model": OAuthErrorBody, "description": "RFC 6749 5.2 error"},
        401: {"model": OAuthErrorBody, "description": "invalid_client"},
        429: {"model": OAuthErrorBody, "description": "Too many failed attempts (Retry-After)"},
    },
    openapi_extra=_form_body(_TOKEN_FORM),
)
async def token(request: Request, session: SessionDep) -> Response:
    """Issue tokens: client_credentials, authorization_code (PKCE S256), refresh_token, or password."""
    state = gateway_state(request)
    try:
        form = await read_form(request)
    except OAuthError as exc:
        return JSONResponse(exc.body(), status_code=exc.http_status, headers={**exc.headers, **NO_STORE})
    grant = _str(form, "grant_type") or "unknown"
    grant = grant if grant in KNOWN_GRANTS else "unknown"  # it names the audit action: no free text
    keys = _throttle_keys(request, form)
    try:
        await service.throttle_check(state.auth, keys)
        issued = await _grant(request, session, form)
    except OAuthError as exc:
        if exc.http_status in (400, 401) and exc.error in ("invalid_client", "invalid_grant"):
            await service.throttle_failure(state.auth, keys)
        name = _str(form, "username") or _client_credentials_safe(request, form)
        await state.audit.commit_then_record(
            session,
            build_events(
                principal=None,
                action=f"auth.token.{grant}",
                method="POST",
                route=TOKEN_ROUTE,
                status=exc.http_status,
                actor_name=name,
                client_id=_client_credentials_safe(request, form),
            ),
        )
        # Returned, not raised: failure counts and family revocations must still commit.
        return JSONResponse(exc.body(), status_code=exc.http_status, headers={**exc.headers, **NO_STORE})
    await state.audit.commit_then_record(session, _token_events(issued, grant))
    body = TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        scope=issued.scope,
        refresh_token=issued.refresh_token,
    )
    return JSONResponse(body.model_dump(exclude_none=True), headers=NO_STORE)


def _client_credentials_safe(request: Request, form: FormData) -> str | None:
    try:
        return _client_credentials(request, form)[0]
    except OAuthError:
        return None


def _token_events(issued: service.IssuedTokens, grant: str) -> list[dict[str, Any]]:
    events = build_events(
        principal=None,
        action=f"auth.token.{grant}",
        method="POST",
        route=TOKEN_ROUTE,
        status=200,
        actor_name=issued.display_name,
        client_id=issued.client_id,
        agency_id=issued.agency_id,
    )
    for event in events:
        event["actor"] = issued.subject
        event["actor_agency_id"] = issued.agency_id
    return events


@router.post(
    "/api/v1/auth/revoke",
    summary="Token revocation (RFC 7009)",
    status_code=200,
    response_class=Response,  # an empty 200: no media type to document
    responses={
        200: {"description": "Revoked, or the token was unknown (RFC 7009 2.2)"},
        400: {"model": OAuthErrorBody, "description": "RFC 6749 5.2 error (e.g. no token)"},
        401: {"model": OAuthErrorBody, "description": "invalid_client"},
    },
    openapi_extra=_form_body(
        {
            "type": "object",
            "required": ["token"],
            "properties": {
                "token": {"type": "string"},
                # RFC 7009 2.1: an unknown hint is ignored, not refused; an enum would promise a refusal.
                "token_type_hint": {
                    "type": "string",
                    "description": "access_token or refresh_token; any other value is ignored",
                    "examples": ["refresh_token"],
                },
                "client_id": {"type": "string"},
                "client_secret": {"type": "string"},
            },
        }
    ),
)
async def revoke(request: Request, session: SessionDep) -> Response:
    """Revoke a refresh token (its whole sign-in) or an access token; unknown tokens are ignored."""
    state = gateway_state(request)
    try:
        form = await read_form(request)
        token_value = _str(form, "token")
        client_id, secret, basic = _client_credentials(request, form)
        client = await service.authenticate_client(
            session, client_id, secret, basic=basic, require_secret=False, demo_allowed=state.auth.demo_allowed
        )
        if not token_value:
            raise OAuthError("invalid_request", "token is required.")
    except OAuthError as exc:
        return JSONResponse(exc.body(), status_code=exc.http_status, headers={**exc.headers, **NO_STORE})
    revoked = False
    if token_value.startswith("rt_"):
        revoked = await service.revoke_refresh_token(session, state.auth, token_value, client)
    else:
        revoked = await _revoke_access_token(request, session, token_value, client)
    if revoked:
        await state.audit.commit_then_record(
            session,
            build_events(
                principal=None,
                action="auth.revoke",
                method="POST",
                route="/api/v1/auth/revoke",
                status=200,
                client_id=client.client_id if client else None,
            ),
        )
    return Response(status_code=200, headers=NO_STORE)


async def _revoke_access_token(request: Request, session: SessionDep, token_value: str, client: Any) -> bool:
    ctx = gateway_state(request).auth
    try:
        principal = verify_access_token(token_value, ctx.ring, ctx.issuer, ctx.revocations)
    except Unauthorized:
        return False  # expired, forged or already revoked: nothing to do (RFC 7009 2.2)
    if client is not None and client.client_id != principal.client_id:
        return False
    await service.revoke_access_token(session, ctx, principal.jti, principal.expires_at)
    return True


@router.get("/.well-known/jwks.json", response_model=JWKSet, summary="Token signing keys (JWKS)")
async def jwks(request: Request) -> Response:
    """The public keys that verify access tokens (RFC 7517); during a rotation old and new are listed."""
    body = gateway_state(request).auth.ring.jwks()
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=60"})


@router.get("/api/v1/me", response_model=MeRead, summary="Who am I", responses=problem_responses(401, 429))
async def me(principal: CurrentPrincipal) -> MeRead:
    """The caller as the access token names them: subject, username or client, roles, scope, agency, NIP."""
    return MeRead(
        sub=principal.subject,
        username=principal.username,
        client_id=principal.client_id,
        roles=list(principal.roles),
        scope=" ".join(principal.scopes),
        agency_id=principal.agency_id,
        nip=principal.nip,
        expires_at=principal.expires_at,
    )
