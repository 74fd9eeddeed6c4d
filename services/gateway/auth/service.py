"""The OAuth grants: checking credentials, issuing and rotating tokens, revoking them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.ids import new_id
from services.gateway.auth import repository
from services.gateway.auth.context import AuthContext
from services.gateway.auth.exceptions import OAuthError, invalid_client, invalid_grant, too_many_attempts
from services.gateway.auth.models import AuthorizationCode, Client, RefreshToken, User
from services.gateway.auth.passwords import token_digest, verify_secret
from services.gateway.auth.tokens import mint_access_token
from services.gateway.demo import DEMO_SECRETS
from services.gateway.permissions import role_scopes

FIRST_PARTY_CLIENT = "first-party"  # client_id of password-grant tokens asked for without a client
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 4.1


@dataclass(frozen=True)
class IssuedTokens:
    """What the token endpoint answers, plus who it was for (for the audit)."""

    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None
    subject: str
    display_name: str
    client_id: str
    agency_id: str | None


async def throttle_check(ctx: AuthContext, keys: list[str]) -> None:
    """429 while any of these failure budgets (client address, username) is spent."""
    for key in keys:
        wait = await ctx.limiter.take(key, ctx.failures_per_minute / 60.0, ctx.failures_per_minute, cost=0)
        if wait > 0:
            raise too_many_attempts(wait)


async def throttle_failure(ctx: AuthContext, keys: list[str]) -> None:
    """Spend one failed attempt from each budget."""
    for key in keys:
        await ctx.limiter.take(key, ctx.failures_per_minute / 60.0, ctx.failures_per_minute, cost=1)


async def authenticate_client(
    session: AsyncSession,
    client_id: str | None,
    secret: str | None,
    *,
    basic: bool,
    require_secret: bool,
    demo_allowed: bool = True,
) -> Client | None:
    """The client named by the request, its secret checked when it is confidential."""
    if not client_id:
        if require_secret:
            raise invalid_client("Client authentication is required.", basic)
        return None
    client = await repository.client_by_client_id(session, client_id)
    if client is None or client.disabled:
        await verify_secret(secret or "", None)  # as slow as a wrong secret
        raise invalid_client(basic=basic)
    if secret is not None and not demo_allowed and secret in DEMO_SECRETS:
        raise invalid_client("Demo credentials are refused outside local mode.", basic)
    needs_secret = client.is_confidential or require_secret
    if needs_secret and (not secret or not await verify_secret(secret, client.secret_hash)):
        raise invalid_client(basic=basic)
    return client


def narrow_scope(requested: str | None, available: list[str]) -> str:
    """The requested scopes (all available ones when none are asked for); invalid_scope beyond them."""
    if not requested:
        return " ".join(available)
    wanted = requested.split()
    unknown = [s for s in wanted if s not in available]
    if unknown:
        raise OAuthError("invalid_scope", f"Scope not available to this caller: {' '.join(unknown)}")
    return " ".join(s for s in available if s in wanted)


def user_scopes(user: User, client: Client | None) -> list[str]:
    """The scopes a person's token may carry: their roles', narrowed by the client's registration."""
    scopes = role_scopes(user.roles)
    if client is not None and client.scopes:
        scopes = [s for s in scopes if s in client.scopes]
    return scopes


async def client_credentials(ctx: AuthContext, client: Client, requested: str | None) -> IssuedTokens:
    """Tokens for a confidential machine client acting as itself (no refresh token)."""
    scope = narrow_scope(requested, list(client.scopes))
    subject = f"client:{client.client_id}"
    claims: dict[str, Any] = {
        "sub": subject,
        "client_id": client.client_id,
        "scope": scope,
        "roles": [],
        "agency_id": client.agency_id,
    }
    token, _, expires_in = mint_access_token(ctx.ring, ctx.issuer, claims)
    return IssuedTokens(token, expires_in, scope, None, subject, client.client_id, client.client_id, client.agency_id)


async def sign_in(session: AsyncSession, ctx: AuthContext, username: str, password: str) -> User:
    """The user whose password this is; counts failures and locks the account after too many."""
    if not ctx.demo_allowed and password in DEMO_SECRETS:
        raise invalid_grant("Demo credentials are refused outside local mode.")
    user = await repository.user_by_username(session, username)
    if user is None or user.disabled:
        await verify_secret(password, None)
        raise invalid_grant("Invalid username or password.")
    if user.locked_until is not None and user.locked_until > utcnow():
        raise invalid_grant("The account is locked after repeated failed sign-ins; try again later.")
    if not await verify_secret(password, user.password_hash):
        await repository.record_login_failure(session, user, ctx.lockout_threshold, ctx.lockout_seconds)
        raise invalid_grant("Invalid username or password.")
    await repository.record_login_success(session, user)
    return user


async def issue_for_user(
    session: AsyncSession, ctx: AuthContext, user: User, client_id: str, scope: str, family_id: str | None = None
) -> IssuedTokens:
    """An access token and a fresh refresh token (in `family_id`, or a new family) for a person."""
    family = family_id or new_id()
    claims: dict[str, Any] = {
        "sub": f"user:{user.id}",
        "client_id": client_id,
        "scope": scope,
        "roles": list(user.roles),
        "agency_id": user.agency_id,
        "username": user.username,
        "sid": family,
    }
    if user.nip:
        claims["nip"] = user.nip
    token, _, expires_in = mint_access_token(ctx.ring, ctx.issuer, claims)
    refresh = f"rt_{secrets.token_urlsafe(32)}"
    await repository.add_refresh_token(
        session,
        RefreshToken(
            family_id=family,
            token_hash=token_digest(refresh),
            user_id=user.id,
            client_id=client_id,
            scope=scope,
            expires_at=utcnow() + dt.timedelta(seconds=ctx.refresh_ttl_seconds),
        ),
    )
    return IssuedTokens(token, expires_in, scope, refresh, claims["sub"], user.username, client_id, user.agency_id)


async def password_grant(
    session: AsyncSession, ctx: AuthContext, client: Client | None, username: str, password: str, requested: str | None
) -> IssuedTokens:
    """Tokens for a person signing in with a password through a first-party tool."""
    user = await sign_in(session, ctx, username, password)
    scope = narrow_scope(requested, user_scopes(user, client))
    return await issue_for_user(session, ctx, user, client.client_id if client else FIRST_PARTY_CLIENT, scope)


async def create_code(
    session: AsyncSession, ctx: AuthContext, client: Client, user: User, redirect_uri: str, challenge: str, scope: str
) -> str:
    """A one-time authorization code bound to the client, redirect URI and PKCE challenge."""
    code = secrets.token_urlsafe(32)
    await repository.add_code(
        session,
        AuthorizationCode(
            code_hash=token_digest(code),
            client_id=client.client_id,
            user_id=user.id,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            scope=scope,
            expires_at=utcnow() + dt.timedelta(seconds=ctx.code_ttl_seconds),
        ),
    )
    return code


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def authorization_code_grant(
    session: AsyncSession, ctx: AuthContext, client: Client, code: str, redirect_uri: str | None, verifier: str | None
) -> IssuedTokens:
    """Exchange a code for tokens: same client, same redirect URI, and the verifier of its challenge."""
    stored = await repository.take_code(session, token_digest(code))
    if stored is None or stored.client_id != client.client_id:
        raise invalid_grant("The authorization code is invalid, expired or already used.")
    if redirect_uri != stored.redirect_uri:
        raise invalid_grant("redirect_uri does not match the authorization request.")
    if not verifier or not VERIFIER.match(verifier) or not hmac.compare_digest(s256(verifier), stored.code_challenge):
        raise invalid_grant("The PKCE code_verifier does not match the code_challenge.")
    user = await repository.user_by_id(session, stored.user_id)
    if user is None or user.disabled:
        raise invalid_grant("The account is disabled.")
    return await issue_for_user(session, ctx, user, client.client_id, stored.scope)


async def refresh_grant(
    session: AsyncSession, ctx: AuthContext, client: Client | None, refresh: str, requested: str | None
) -> IssuedTokens:
    """Rotate a refresh token; a token used twice revokes its whole family (RFC 9700 4.14.2)."""
    stored = await repository.refresh_token_by_hash(session, token_digest(refresh))
    if stored is None or stored.expires_at <= utcnow():
        raise invalid_grant("The refresh token is invalid or expired.")
    if client is not None and client.client_id != stored.client_id:
        raise invalid_grant("The refresh token was issued to another client.")
    if client is None:
        # A confidential client's refresh tokens are bound to its secret (RFC 6749 6): no secret, no refresh.
        owner = await repository.client_by_client_id(session, stored.client_id)
        if owner is not None and owner.is_confidential:
            raise invalid_client("This refresh token needs its client's authentication.")
    if stored.revoked_at is not None or not await repository.mark_refresh_used(session, stored.id):
        await revoke_family(session, ctx, stored.family_id)
        raise invalid_grant("The refresh token was already used; every token of this sign-in is now revoked.")
    user = await repository.user_by_id(session, stored.user_id)
    if user is None or user.disabled:
        raise invalid_grant("The account is disabled.")
    allowed = [s for s in stored.scope.split() if s in role_scopes(user.roles)]
    scope = narrow_scope(requested, allowed)
    return await issue_for_user(session, ctx, user, stored.client_id, scope, family_id=stored.family_id)


async def revoke_family(session: AsyncSession, ctx: AuthContext, family_id: str) -> None:
    """Revoke a sign-in: its refresh tokens and every access token minted from them."""
    await repository.revoke_family(session, family_id)
    expires = utcnow() + dt.timedelta(seconds=ctx.issuer.ttl_seconds + 60)
    ctx.revocations.add(await repository.add_revocation(session, "family", family_id, expires))


async def revoke_subject(session: AsyncSession, ctx: AuthContext, subject: str) -> None:
    """Revoke every token a subject holds now (account disabled, rights changed, secret rotated)."""
    if subject.startswith("user:"):
        await repository.revoke_user_refresh_tokens(session, subject.removeprefix("user:"))
    expires = utcnow() + dt.timedelta(seconds=ctx.issuer.ttl_seconds + 60)
    ctx.revocations.add(await repository.add_revocation(session, "subject", subject, expires))


async def revoke_access_token(session: AsyncSession, ctx: AuthContext, jti: str, expires_at: int) -> None:
    """Revoke one access token until it would have expired anyway."""
    expires = dt.datetime.fromtimestamp(expires_at + 60, dt.UTC)
    ctx.revocations.add(await repository.add_revocation(session, "jti", jti, expires))


async def revoke_refresh_token(session: AsyncSession, ctx: AuthContext, refresh: str, client: Client | None) -> bool:
    """Revoke the sign-in a refresh token belongs to; False when the token is unknown."""
    stored = await repository.refresh_token_by_hash(session, token_digest(refresh))
    if stored is None or (client is not None and client.client_id != stored.client_id):
        return False
    await revoke_family(session, ctx, stored.family_id)
    return True
