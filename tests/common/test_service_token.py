"""Service tokens: signed, short-lived, audience-bound; a rotation keeps the previous secret valid."""

from __future__ import annotations

import time

import jwt
import pytest

from services.common.errors import Unauthorized
from services.common.service_token import CallerIdentity, mint_service_token, verify_service_token

SECRET = "s" * 40
OLD_SECRET = "o" * 40
IDENTITY = CallerIdentity(
    service="gateway",
    subject="user:1",
    agency_id="a1",
    roles=("viewer",),
    scopes=("employees:read",),
    nip=None,
    personal_data=False,
)


def test_round_trip_keeps_the_identity() -> None:
    token = mint_service_token(SECRET, "gateway", "registry", IDENTITY)
    assert verify_service_token(token, SECRET, "registry") == IDENTITY


def test_wrong_audience_is_refused() -> None:
    token = mint_service_token(SECRET, "gateway", "scoring", IDENTITY)
    with pytest.raises(Unauthorized, match="(?i)audience"):
        verify_service_token(token, SECRET, "registry")


def test_expired_token_is_refused() -> None:
    token = mint_service_token(SECRET, "gateway", "registry", IDENTITY, ttl=-1)
    with pytest.raises(Unauthorized, match="expired"):
        verify_service_token(token, SECRET, "registry")


def test_tampered_or_foreign_token_is_refused() -> None:
    token = mint_service_token("x" * 40, "gateway", "registry", IDENTITY)
    with pytest.raises(Unauthorized):
        verify_service_token(token, SECRET, "registry")
    header, payload, signature = mint_service_token(SECRET, "gateway", "registry", IDENTITY).split(".")
    forged = jwt.encode(
        {"sub": "user:2", "aud": "registry", "iss": "gateway", "iat": int(time.time()), "exp": int(time.time()) + 60},
        "k" * 40,
        algorithm="HS256",
    ).split(".")[1]
    with pytest.raises(Unauthorized):
        verify_service_token(f"{header}.{forged}.{signature}", SECRET, "registry")


def test_alg_none_is_refused() -> None:
    unsigned = jwt.encode(
        {"sub": "user:1", "aud": "registry", "iss": "gateway", "iat": int(time.time()), "exp": int(time.time()) + 60},
        None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        verify_service_token(unsigned, SECRET, "registry")


def test_previous_secret_verifies_during_rotation() -> None:
    old = mint_service_token(OLD_SECRET, "gateway", "registry", IDENTITY)
    assert verify_service_token(old, (SECRET, OLD_SECRET), "registry").subject == "user:1"
    with pytest.raises(Unauthorized):
        verify_service_token(old, (SECRET,), "registry")
