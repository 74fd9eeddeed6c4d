"""Bearer authentication of public requests, and the per-principal rate limit."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request

from services.common.errors import TooManyRequests, Unauthorized
from services.gateway.auth.context import load_keys
from services.gateway.auth.principal import Principal
from services.gateway.auth.tokens import unverified_header, verify_access_token
from services.gateway.state import gateway_state

# A token naming a key this replica does not know yet (minted by a replica that just rotated) makes
# it re-read the keys: once per unknown kid per minute, and never more often than this overall, so
# tokens with made-up kids cannot turn into a database read each.
KEY_RELOAD_INTERVAL_SECONDS = 0.1
UNKNOWN_KID_RETRY_SECONDS = 60.0


def _authorization(request: Request) -> str:
    # Read from the ASGI headers as they came: building Starlette's Headers for this one look-up cost more
    # than the rest of the check (python -m tests.perf gateway). The first one counts, as with headers.get.
    headers: list[tuple[bytes, bytes]] = request.scope["headers"]
    for key, value in headers:
        if key == b"authorization":
            return value.decode("latin-1")
    return ""


def _bearer_token(request: Request) -> str:
    scheme, _, token = _authorization(request).partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Send an access token: Authorization: Bearer <token>.",
            code="missing_token",
            headers={"WWW-Authenticate": 'Bearer realm="talenta"'},
        )
    return token.strip()


async def _maybe_reload_keys(request: Request, token: str) -> None:
    state = gateway_state(request)
    ctx = state.auth
    if ctx.verified.get(token) is not None:
        return
    try:
        kid = unverified_header(token).get("kid")
    except Unauthorized:  # malformed tokens are rejected by the verification itself
        return
    if not isinstance(kid, str) or ctx.ring.key_for(kid) is not None:
        return
    now = time.monotonic()
    tried = ctx.unknown_kids.get(kid)
    if tried is not None and now - tried < UNKNOWN_KID_RETRY_SECONDS:
        return
    async with ctx.reload_lock:
        if now - ctx.last_reload < KEY_RELOAD_INTERVAL_SECONDS or ctx.ring.key_for(kid) is not None:
            return
        if len(ctx.unknown_kids) > 1000:
            ctx.unknown_kids.clear()
        ctx.unknown_kids[kid] = now
        async with request.app.state.sessionmaker() as session:
            await load_keys(session, ctx)
            await session.commit()


async def authenticate(request: Request) -> Principal:
    """The verified principal of the request (401 with WWW-Authenticate: Bearer otherwise)."""
    token = _bearer_token(request)
    state = gateway_state(request)
    ctx = state.auth
    await _maybe_reload_keys(request, token)
    principal = verify_access_token(token, ctx.ring, ctx.issuer, ctx.revocations, ctx.verified)
    request.state.principal = principal
    settings = state.settings
    wait = await ctx.limiter.take("p:" + principal.subject, settings.rate_limit_per_second, settings.rate_limit_burst)
    if wait > 0:
        raise TooManyRequests(int(wait + 0.999), code="rate_limited")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
