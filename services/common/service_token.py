"""Signed internal service tokens: who is calling (service and end principal), checked by every service.

The gateway (and scoring, when it calls the registry) sends `Authorization: Bearer <token>` on every
internal call. The token is a short-lived JWT signed with the deployment's shared service secret; its
audience is the service called, so a token for scoring is refused by the registry.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from services.common.errors import Unauthorized

ALGORITHM = "HS256"
NATIONAL_ROLES = frozenset({"national_admin"})


class CallerIdentity(BaseModel):
    """The end principal a request acts for, as the gateway authenticated it."""

    model_config = ConfigDict(frozen=True)

    service: str  # the calling service (token issuer)
    subject: str  # "user:<id>", "client:<id>" or "service:<name>"
    agency_id: str | None = None  # None only for national principals and services
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    client_id: str | None = None
    nip: str | None = None  # the person an `employee` account is linked to
    personal_data: bool = True  # False: answers drop e-mail and phone ("minimised")

    @property
    def is_national(self) -> bool:
        """True when the principal may act on every agency."""
        return self.agency_id is None

    def can_see_agency(self, agency_id: str) -> bool:
        """National principals see every agency; the rest only their own."""
        return self.agency_id is None or self.agency_id == agency_id

    @property
    def actor(self) -> str:
        """What is written in created_by/updated_by columns."""
        return self.subject


def system_identity(service: str) -> CallerIdentity:
    """The identity a service uses for its own work (national, full data), e.g. scoring reading inputs."""
    return CallerIdentity(service=service, subject=f"service:{service}", roles=("service",))


def mint_service_token(secret: str, issuer: str, audience: str, identity: CallerIdentity, ttl: int = 60) -> str:
    """Sign a token for one internal call (or a few, within `ttl` seconds)."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": identity.subject,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "agency_id": identity.agency_id,
        "roles": list(identity.roles),
        "scope": " ".join(identity.scopes),
        "client_id": identity.client_id,
        "nip": identity.nip,
        "pd": identity.personal_data,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": "svc+jwt"})


def verify_service_token(token: str, secret: str | tuple[str, ...], audience: str) -> CallerIdentity:
    """Check signature (with any of the given secrets), expiry and audience; answer the identity or raise 401."""
    return _identity(_verified_claims(token, secret, audience))


def _verified_claims(token: str, secret: str | tuple[str, ...], audience: str) -> dict[str, Any]:
    secrets = (secret,) if isinstance(secret, str) else secret
    claims = None
    for candidate in secrets:
        try:
            claims = jwt.decode(
                token,
                candidate,
                algorithms=[ALGORITHM],
                audience=audience,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
            break
        except jwt.InvalidSignatureError:
            continue  # signed with the other secret of a rotation, or forged
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"Invalid service token: {exc}", code="invalid_service_token") from exc
    if claims is None:
        raise Unauthorized("Invalid service token: signature verification failed", code="invalid_service_token")
    return claims


def _identity(claims: dict[str, Any]) -> CallerIdentity:
    return CallerIdentity(
        service=str(claims["iss"]),
        subject=str(claims["sub"]),
        agency_id=claims.get("agency_id"),
        roles=tuple(claims.get("roles") or ()),
        scopes=tuple((claims.get("scope") or "").split()),
        client_id=claims.get("client_id"),
        nip=claims.get("nip"),
        personal_data=bool(claims.get("pd", True)),
    )


class VerifiedTokens:
    """Tokens this process has verified, kept until they expire.

    Callers reuse one token per principal for half its TTL (services.common.http), so most requests carry a
    token seen before; checking its HMAC again would cost more than the rest of a simple read. A token string
    is only ever served from here before its own `exp`, and a changed byte is a different key."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, tuple[CallerIdentity, float]] = {}

    def get(self, token: str) -> CallerIdentity | None:
        """The identity of a token verified before and not yet expired."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry[1] <= time.time():
            self._entries.pop(token, None)
            return None
        return entry[0]

    def put(self, token: str, identity: CallerIdentity, expires_at: float) -> None:
        """Remember a verified token until `expires_at` (Unix seconds)."""
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; verification simply runs again
        self._entries[token] = (identity, expires_at)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "This internal API needs a service token (Authorization: Bearer ...).", code="missing_service_token"
        )
    return token.strip()


async def get_caller(request: Request) -> CallerIdentity:
    """FastAPI dependency: the verified caller of an internal API (401 without a valid token)."""
    token = _bearer(request)
    cache: VerifiedTokens | None = getattr(request.app.state, "verified_tokens", None)
    if cache is None:
        cache = request.app.state.verified_tokens = VerifiedTokens()
    identity = cache.get(token)
    if identity is None:
        settings = request.app.state.settings
        claims = _verified_claims(token, settings.service_token_secrets(), settings.service_name)
        identity = _identity(claims)
        cache.put(token, identity, float(claims["exp"]))
    return identity


Caller = Annotated[CallerIdentity, Depends(get_caller)]
