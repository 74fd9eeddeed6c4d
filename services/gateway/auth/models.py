"""Tables of authentication: people, machine clients, signing keys, refresh tokens, codes, revocations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime, utcnow
from services.common.ids import new_id
from services.gateway.models import Base


class User(AuditColumns, Base):
    """A person who signs in: roles, the agency they act for, and for `employee` accounts their NIP."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    agency_id: Mapped[str | None] = mapped_column(String(64), index=True)
    nip: Mapped[str | None] = mapped_column(String(18), index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Client(AuditColumns, Base):
    """An OAuth client: a confidential system (client credentials) or a public app (PKCE)."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str | None] = mapped_column(String(255))  # None for public clients
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    agency_id: Mapped[str | None] = mapped_column(String(64), index=True)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def is_confidential(self) -> bool:
        """Confidential clients hold a secret and may use client_credentials."""
        return self.secret_hash is not None


class SigningKey(Base):
    """An asymmetric key pair; the newest unretired key signs, every unexpired one verifies."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, str]] = mapped_column(JSON)
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # After retirement the key only verifies, until the last token it signed has expired.
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    """One refresh token (stored hashed); tokens rotated from one sign-in share a family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuthorizationCode(Base):
    """A one-time code of the authorization-code flow, bound to its PKCE challenge and redirect URI."""

    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Revocation(Base):
    """A revoked access token (`jti`), refresh family (`family`) or subject (`subject`, tokens issued before)."""

    __tablename__ = "revocations"
    __table_args__ = (Index("ix_revocations_revoked_at", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Kept until every access token it can concern has expired anyway.
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
