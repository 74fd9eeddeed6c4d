"""RFC 9068 access tokens: minted with the ring's signing key, verified per RFC 8725."""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from services.common.errors import Unauthorized
from services.gateway.auth.keys import SUPPORTED_ALGORITHMS, KeyRing
from services.gateway.auth.principal import Principal
from services.gateway.auth.revocation import RevocationCache

ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
LEEWAY_SECONDS = 5
MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True)
class TokenIssuer:
    """Issuer, audience and lifetime of the access tokens this gateway mints."""

    issuer: str
    audience: str
    ttl_seconds: int


def mint_access_token(ring: KeyRing, issuer: TokenIssuer, principal_claims: dict[str, Any]) -> tuple[str, str, int]:
    """Sign an access token; answer (token, jti, expires_in)."""
    if ring.signing is None:
        raise RuntimeError("no signing key loaded")
    kid, algorithm, private = ring.signing
    now = int(time.time())
    jti = uuid.uuid4().hex
    claims = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "iat": now,
        "nbf": now,
        "exp": now + issuer.ttl_seconds,
        "jti": jti,
        **principal_claims,
    }
    token = jwt.encode(claims, private, algorithm=algorithm, headers={"kid": kid, "typ": "at+jwt"})
    return token, jti, issuer.ttl_seconds


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(detail, code="invalid_token")


_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, shape-checked in C (pyjwt re-scans every character in Python)."""
    if len(token) > MAX_TOKEN_LENGTH or not _COMPACT_JWS.match(token):
        raise _invalid("The access token is malformed.")
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise _invalid("The access token is malformed.") from exc
    if not isinstance(header, dict):
        raise _invalid("The access token is malformed.")
    return header


def _checked_header(token: str) -> tuple[str, str]:
    header = unverified_header(token)
    alg, kid, typ = header.get("alg"), header.get("kid"), header.get("typ")
    # RFC 8725 3.1: an allow-list, so `none` and HMAC algorithms never reach signature checking.
    if alg not in SUPPORTED_ALGORITHMS:
        raise _invalid("The access token's algorithm is not accepted.")
    if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
        raise _invalid("The token is not an access token (typ must be at+jwt).")
    if not isinstance(kid, str):
        raise _invalid("The access token names no key.")
    return str(alg), kid


class VerifiedTokens:
    """Tokens whose signature and claims were already checked, until they expire (bounded, LRU).

    A client sends the same access token for up to 15 minutes; verifying it once saves an Ed25519
    check and pyjwt's parsing on every later request. Revocation is still checked on every request."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self._entries: OrderedDict[str, Principal] = OrderedDict()
        self._max = max_entries

    def get(self, token: str) -> Principal | None:
        """The cached principal, if the token was verified and has not expired."""
        principal = self._entries.get(token)
        if principal is None:
            return None
        if principal.expires_at + LEEWAY_SECONDS < time.time():
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal) -> None:
        """Remember a verified token."""
        self._entries[token] = principal
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)


def verify_access_token(
    token: str,
    ring: KeyRing,
    issuer: TokenIssuer,
    revocations: RevocationCache,
    verified: VerifiedTokens | None = None,
) -> Principal:
    """The principal of a valid token; Unauthorized for anything else (expired, forged, revoked ...)."""
    cached = verified.get(token) if verified is not None else None
    if cached is not None:
        if revocations.is_revoked(cached.jti, cached.family_id, cached.subject, cached.issued_at):
            raise _invalid("The access token has been revoked.")
        return cached
    principal = _verify(token, ring, issuer, revocations)
    if verified is not None:
        verified.put(token, principal)
    return principal


def _verify(token: str, ring: KeyRing, issuer: TokenIssuer, revocations: RevocationCache) -> Principal:
    alg, kid = _checked_header(token)
    key = ring.key_for(kid)
    if key is None:
        raise _invalid("The access token was signed by an unknown or expired key.")
    if key.algorithm != alg:  # a key is used with its own algorithm only (RFC 8725 3.1)
        raise _invalid("The access token's algorithm does not match its key.")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.algorithm],
            audience=issuer.audience,
            issuer=issuer.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti", "client_id"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _invalid("The access token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise _invalid(f"The access token is invalid: {exc}") from exc
    principal = principal_from_claims(claims)
    if revocations.is_revoked(principal.jti, principal.family_id, principal.subject, principal.issued_at):
        raise _invalid("The access token has been revoked.")
    return principal


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build the principal from verified claims."""
    subject = str(claims["sub"])
    kind: Literal["user", "client"] = "client" if subject.startswith("client:") else "user"
    return Principal(
        subject=subject,
        kind=kind,
        client_id=str(claims["client_id"]),
        roles=tuple(claims.get("roles") or ()),
        scopes=tuple(str(claims.get("scope") or "").split()),
        agency_id=claims.get("agency_id"),
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        issued_at=int(claims["iat"]),
        username=claims.get("username"),
        user_id=subject.removeprefix("user:") if kind == "user" else None,
        nip=claims.get("nip"),
        family_id=claims.get("sid"),
    )
