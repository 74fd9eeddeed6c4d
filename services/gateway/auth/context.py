"""What the auth services need at hand: keys, revocations, limits and lifetimes (built in the lifespan)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.auth import repository
from services.gateway.auth.keys import KeyCipher, KeyRing, generate_key
from services.gateway.auth.revocation import RevocationCache
from services.gateway.auth.tokens import TokenIssuer, VerifiedTokens
from services.gateway.ratelimit.limiter import RateLimiter

# Revocations read again from a little before the last one seen: rows committed out of order still arrive.
REVOCATION_OVERLAP_SECONDS = 5.0


@dataclass
class AuthContext:
    """Per-app auth state shared by the token endpoint and the bearer verification."""

    ring: KeyRing
    issuer: TokenIssuer
    revocations: RevocationCache
    limiter: RateLimiter
    algorithm: str
    refresh_ttl_seconds: int
    code_ttl_seconds: int
    failures_per_minute: int
    lockout_threshold: int
    lockout_seconds: int
    password_grant: bool
    demo_allowed: bool = False  # the published demo credentials work in local/test mode only
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_reload: float = 0.0
    unknown_kids: dict[str, float] = field(default_factory=dict)
    verified: VerifiedTokens = field(default_factory=VerifiedTokens)


async def load_keys(session: AsyncSession, ctx: AuthContext) -> None:
    """Load the key ring from the database, creating the first key when there is none."""
    rows = await repository.stored_keys(session)
    if not any(r.retired_at is None for r in rows):
        await repository.add_key(session, generate_key(ctx.algorithm, ctx.ring.cipher), retire_others=False)
        rows = await repository.stored_keys(session)
    ctx.ring.load(rows)
    ctx.last_reload = time.monotonic()


async def rotate_key(session: AsyncSession, ctx: AuthContext) -> str:
    """Make a new key the signing key; the old ones keep verifying until their tokens expire."""
    key = generate_key(ctx.algorithm, ctx.ring.cipher)
    await repository.add_key(session, key, retire_others=True)
    ctx.ring.load(await repository.stored_keys(session))
    return key.kid


async def refresh_revocations(session: AsyncSession, ctx: AuthContext) -> int:
    """Apply revocations made since the last refresh (on any replica); answer how many were read."""
    since = ctx.revocations.last_seen
    if since is not None:
        since = since - dt.timedelta(seconds=REVOCATION_OVERLAP_SECONDS)
    entries = await repository.revocations_since(session, since)
    for entry in entries:
        ctx.revocations.add(entry)
    ctx.revocations.prune()
    return len(entries)


def new_cipher(secret: str) -> KeyCipher:
    """The cipher protecting private keys at rest."""
    return KeyCipher(secret)
