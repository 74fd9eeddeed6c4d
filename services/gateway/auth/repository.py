"""All SQL of authentication: users, clients, signing keys, refresh tokens, codes and revocations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.gateway.auth.keys import NewKey, StoredKey
from services.gateway.auth.models import AuthorizationCode, Client, RefreshToken, Revocation, SigningKey, User
from services.gateway.auth.revocation import RevocationEntry


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    """The user with this username (case-insensitive), if any."""
    result = await session.execute(select(User).where(func.lower(User.username) == username.lower()))
    return result.scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: str) -> User | None:
    """The user with this id, if any."""
    return await session.get(User, user_id)


async def client_by_client_id(session: AsyncSession, client_id: str) -> Client | None:
    """The client with this public client id, if any."""
    result = await session.execute(select(Client).where(Client.client_id == client_id))
    return result.scalar_one_or_none()


async def record_login_failure(session: AsyncSession, user: User, lockout_after: int, lockout_seconds: int) -> None:
    """Count a failed password; lock the account after `lockout_after` consecutive failures."""
    user.failed_logins += 1
    if user.failed_logins >= lockout_after:
        user.locked_until = utcnow() + dt.timedelta(seconds=lockout_seconds)
        user.failed_logins = 0
    await session.flush()


async def record_login_success(session: AsyncSession, user: User) -> None:
    """Reset the failure count after a good password."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    await session.flush()


async def stored_keys(session: AsyncSession) -> list[StoredKey]:
    """Every signing key row."""
    rows = (await session.execute(select(SigningKey))).scalars().all()
    return [
        StoredKey(r.kid, r.algorithm, r.public_jwk, r.private_key_encrypted, r.created_at, r.retired_at) for r in rows
    ]


async def add_key(session: AsyncSession, key: NewKey, retire_others: bool) -> None:
    """Store a new signing key; retiring the others makes it the one that signs."""
    now = utcnow()
    if retire_others:
        await session.execute(update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now))
    session.add(
        SigningKey(
            kid=key.kid,
            algorithm=key.algorithm,
            public_jwk=key.public_jwk,
            private_key_encrypted=key.private_key_encrypted,
            created_at=now,
        )
    )
    await session.flush()


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    """Store a refresh token (hashed)."""
    session.add(token)
    await session.flush()


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """The refresh token with this hash, if any."""
    result = await session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    return result.scalar_one_or_none()


async def mark_refresh_used(session: AsyncSession, token_id: str) -> bool:
    """Mark a refresh token used; False when it already was (a concurrent or replayed use)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=utcnow())
        .returning(RefreshToken.id)
    )
    return result.first() is not None


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    """Revoke every refresh token of a family."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_user_refresh_tokens(session: AsyncSession, user_id: str) -> None:
    """Revoke every refresh token of a user (account disabled or its rights changed)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def add_code(session: AsyncSession, code: AuthorizationCode) -> None:
    """Store an authorization code (hashed)."""
    session.add(code)
    await session.flush()


async def take_code(session: AsyncSession, code_hash: str) -> AuthorizationCode | None:
    """The unexpired, unused code with this hash, marked used in the same statement (single use)."""
    now = utcnow()
    result = await session.execute(
        update(AuthorizationCode)
        .where(
            AuthorizationCode.code_hash == code_hash,
            AuthorizationCode.used_at.is_(None),
            AuthorizationCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(AuthorizationCode)
    )
    return result.scalar_one_or_none()


async def add_revocation(session: AsyncSession, kind: str, value: str, expires_at: dt.datetime) -> RevocationEntry:
    """Record a revocation; other replicas pick it up from here."""
    row = Revocation(kind=kind, value=value, revoked_at=utcnow(), expires_at=expires_at)
    session.add(row)
    await session.flush()
    return RevocationEntry(row.kind, row.value, row.revoked_at, row.expires_at)


async def revocations_since(session: AsyncSession, since: dt.datetime | None) -> list[RevocationEntry]:
    """Unexpired revocations made at or after `since` (all of them when None)."""
    query = select(Revocation).where(Revocation.expires_at > utcnow())
    if since is not None:
        query = query.where(Revocation.revoked_at >= since)
    rows = (await session.execute(query)).scalars().all()
    return [RevocationEntry(r.kind, r.value, r.revoked_at, r.expires_at) for r in rows]


async def purge_expired(session: AsyncSession) -> None:
    """Delete revocations, codes and refresh tokens nobody can use any more."""
    now = utcnow()
    await session.execute(delete(Revocation).where(Revocation.expires_at <= now))
    await session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at <= now))
    await session.execute(delete(RefreshToken).where(or_(RefreshToken.expires_at <= now - dt.timedelta(days=1))))
