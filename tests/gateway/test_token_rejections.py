"""Every forged, stale or misdirected access token is refused with 401 and WWW-Authenticate: Bearer."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI

from services.gateway.auth.tokens import mint_access_token
from tests.gateway.conftest import TokenFor, bearer, running, settings_for


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(app: FastAPI, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    issuer = app.state.gateway.auth.issuer
    return {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": "user:x",
        "iat": now,
        "exp": now + 300,
        "jti": "j-" + str(now),
        "client_id": "first-party",
        "scope": "employees:read",
        "roles": ["national_admin"],
        "agency_id": None,
        **overrides,
    }


def _sign(app: FastAPI, claims: dict[str, Any]) -> str:
    ring = app.state.gateway.auth.ring
    kid, alg, private = ring.signing
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid, "typ": "at+jwt"})


async def _assert_rejected(client: httpx.AsyncClient, token: str | None, code: str = "invalid_token") -> None:
    headers = bearer(token) if token is not None else {}
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_well_formed_token_is_accepted(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers=bearer(_sign(app, _claims(app))))
    assert response.status_code == 200


async def test_no_token(client: httpx.AsyncClient) -> None:
    await _assert_rejected(client, None, "missing_token")
    response = await client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


async def test_expired(app: FastAPI, client: httpx.AsyncClient) -> None:
    now = int(time.time())
    await _assert_rejected(client, _sign(app, _claims(app, iat=now - 1000, exp=now - 100)))


@pytest.mark.parametrize("claim", ["aud", "iss"])
async def test_wrong_audience_or_issuer(app: FastAPI, client: httpx.AsyncClient, claim: str) -> None:
    await _assert_rejected(client, _sign(app, _claims(app, **{claim: "https://elsewhere.example"})))


async def test_missing_required_claim(app: FastAPI, client: httpx.AsyncClient) -> None:
    claims = _claims(app)
    del claims["jti"]
    await _assert_rejected(client, _sign(app, claims))


async def test_alg_none(app: FastAPI, client: httpx.AsyncClient) -> None:
    kid = app.state.gateway.auth.ring.signing[0]
    header = _b64(b'{"alg":"none","typ":"at+jwt","kid":"' + kid.encode() + b'"}')
    payload = _b64(jwt.utils.force_bytes(json.dumps(_claims(app))))
    await _assert_rejected(client, f"{header}.{payload}.")


async def test_hs256_signed_with_the_public_key(app: FastAPI, client: httpx.AsyncClient) -> None:
    ring = app.state.gateway.auth.ring
    kid = ring.signing[0]
    public = ring.verifying[kid].public_key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk_x = ring.verifying[kid].jwk["x"].encode()
    for secret in (pem, jwk_x):
        header = _b64(b'{"alg":"HS256","typ":"at+jwt","kid":"' + kid.encode() + b'"}')
        payload = _b64(json.dumps(_claims(app)).encode())
        signature = _b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        await _assert_rejected(client, f"{header}.{payload}.{signature}")


async def test_tampered_payload(app: FastAPI, client: httpx.AsyncClient) -> None:
    token = _sign(app, _claims(app, roles=["viewer"]))
    header, _, signature = token.split(".")
    forged = _b64(json.dumps(_claims(app, roles=["national_admin"])).encode())
    await _assert_rejected(client, f"{header}.{forged}.{signature}")


async def test_signed_by_a_foreign_key_with_our_kid(app: FastAPI, client: httpx.AsyncClient) -> None:
    kid = app.state.gateway.auth.ring.signing[0]
    token = jwt.encode(
        _claims(app), ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"}
    )
    await _assert_rejected(client, token)


async def test_wrong_typ_and_unknown_kid(app: FastAPI, client: httpx.AsyncClient) -> None:
    kid, alg, private = app.state.gateway.auth.ring.signing
    await _assert_rejected(client, jwt.encode(_claims(app), private, algorithm=alg, headers={"kid": kid, "typ": "JWT"}))
    await _assert_rejected(
        client, jwt.encode(_claims(app), private, algorithm=alg, headers={"kid": "nope", "typ": "at+jwt"})
    )


async def test_revoked_token_on_another_replica(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor, gateway_db: str, stubs: dict[str, Any]
) -> None:
    """A revocation made through one replica reaches another within its refresh interval."""
    token = await token_for(["viewer"])
    settings = settings_for(gateway_db, stubs, revocation_refresh_seconds=0.2)
    async with running(settings) as (_, other):
        assert (await other.get("/api/v1/me", headers=bearer(token))).status_code == 200
        assert (await client.post("/api/v1/auth/revoke", data={"token": token})).status_code == 200
        await asyncio.sleep(0.6)
        await _assert_rejected(other, token)
    await _assert_rejected(client, token)


def test_mint_uses_the_configured_lifetime(app: FastAPI) -> None:
    ctx = app.state.gateway.auth
    token, _, expires_in = mint_access_token(ctx.ring, ctx.issuer, {"sub": "user:x", "client_id": "c"})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert expires_in == claims["exp"] - claims["iat"] <= 900


async def test_verified_tokens_are_cached_but_revocation_still_applies(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(["viewer"])
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200
    assert app.state.gateway.auth.verified.get(token) is not None
    assert (await client.post("/api/v1/auth/revoke", data={"token": token})).status_code == 200
    await _assert_rejected(client, token)


async def test_oversized_or_malformed_tokens(client: httpx.AsyncClient) -> None:
    await _assert_rejected(client, "a" * 10_000)
    await _assert_rejected(client, "not.a.token!")
    await _assert_rejected(client, "e30.e30")
