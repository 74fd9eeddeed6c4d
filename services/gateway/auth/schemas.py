"""Answers of the OAuth and identity endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """RFC 6749 5.1 access token response."""

    access_token: str = Field(description="An RFC 9068 JWT (typ at+jwt), valid for `expires_in` seconds")
    token_type: str = Field(default="Bearer", examples=["Bearer"])
    expires_in: int = Field(examples=[900])
    scope: str = Field(examples=["employees:read talent:read"])
    refresh_token: str | None = Field(default=None, description="For people only; rotated on every use")


class OAuthErrorBody(BaseModel):
    """RFC 6749 5.2 error response of the token endpoint."""

    error: str = Field(examples=["invalid_grant"])
    error_description: str | None = None


class MeRead(BaseModel):
    """The caller, as their access token names them."""

    sub: str = Field(examples=["user:0193c3b0-7a2e-7cc1-9b1a-3f0e5d2a1c44"])
    username: str | None = Field(default=None, description="For people")
    client_id: str = Field(description="The client the token was issued to")
    roles: list[str] = Field(examples=[["agency_admin"]])
    scope: str
    agency_id: str | None = Field(description="Null for national principals")
    nip: str | None = Field(default=None, description="For employee accounts: the linked person")
    expires_at: int = Field(description="The token's expiry (Unix seconds)")


class JWKSet(BaseModel):
    """RFC 7517 JWK Set of the keys that verify access tokens."""

    keys: list[dict[str, Any]] = Field(
        examples=[
            [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                    "kid": "0193c3b0-...",
                    "alg": "EdDSA",
                    "use": "sig",
                }
            ]
        ]
    )
