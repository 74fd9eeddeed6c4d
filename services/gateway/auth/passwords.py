"""Password and client-secret hashing with argon2id, run off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended profile (64 MiB, 3 passes): memory-hard yet cheap enough per sign-in.
_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
# Verified against when a username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def hash_secret(secret: str) -> str:
    """An argon2id hash of a password or client secret."""
    return await asyncio.to_thread(_hasher.hash, secret)


async def verify_secret(secret: str, hashed: str | None) -> bool:
    """True when `secret` matches `hashed`; takes equally long when there is no hash."""
    try:
        return await asyncio.to_thread(_hasher.verify, hashed or _DUMMY_HASH, secret) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    """A fresh high-entropy client secret (shown once)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a random bearer value (refresh token, code): enough for 256-bit random inputs."""
    return hashlib.sha256(token.encode()).hexdigest()
