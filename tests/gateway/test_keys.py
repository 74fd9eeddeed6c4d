"""Signing keys: encrypted at rest, published, rotated without downtime across replicas."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.gateway.auth.context import rotate_key
from services.gateway.auth.keys import KeyCipher, generate_key
from services.gateway.auth.models import SigningKey
from services.gateway.settings import GatewaySettings
from tests.gateway.conftest import TokenFor, bearer, running, settings_for


async def test_jwks_publishes_public_keys_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert key["kty"] == "OKP"
        assert key["crv"] == "Ed25519"
        assert key["alg"] == "EdDSA"
        assert "d" not in key  # no private part


async def test_private_keys_are_encrypted_at_rest(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        rows = (await session.execute(select(SigningKey))).scalars().all()
    for row in rows:
        assert b"PRIVATE KEY" not in row.private_key_encrypted
    with pytest.raises(Exception):  # noqa: B017 - any failure: the wrong secret cannot decrypt
        KeyCipher("another-secret-of-at-least-32-characters!").decrypt(rows[0].private_key_encrypted, rows[0].kid)


def test_key_bound_to_its_kid() -> None:
    cipher = KeyCipher("x" * 40)
    key = generate_key("EdDSA", cipher)
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM refuses a blob moved to another kid
        cipher.decrypt(key.private_key_encrypted, "other-kid")


async def test_rotation_keeps_old_tokens_valid_and_reaches_other_replicas(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor, gateway_db: str, stubs: dict[str, Any]
) -> None:
    old_token = await token_for(["viewer"])
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    settings = settings_for(gateway_db, stubs, key_refresh_seconds=3600)
    async with running(settings) as (_, other_replica):
        ctx = app.state.gateway.auth
        async with app.state.sessionmaker() as session:
            new_kid = await rotate_key(session, ctx)
            await session.commit()
        new_token = await token_for(["viewer"])
        assert jwt.get_unverified_header(new_token)["kid"] == new_kid != old_kid
        kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
        assert {old_kid, new_kid} <= kids
        assert (await client.get("/api/v1/me", headers=bearer(old_token))).status_code == 200
        assert (await client.get("/api/v1/me", headers=bearer(new_token))).status_code == 200
        # The other replica has not refreshed yet: the unknown kid makes it reload the keys once.
        assert (await other_replica.get("/api/v1/me", headers=bearer(new_token))).status_code == 200
        assert (await other_replica.get("/api/v1/me", headers=bearer(old_token))).status_code == 200


def test_demo_signing_secret_refused_outside_local() -> None:
    with pytest.raises(ValueError, match="demo secret"):
        GatewaySettings(environment="production", service_token_secret="y" * 40)
    settings = GatewaySettings(environment="production", service_token_secret="y" * 40, signing_key_secret="z" * 40)
    assert settings.password_grant is False
    assert GatewaySettings(environment="local").password_grant is True
