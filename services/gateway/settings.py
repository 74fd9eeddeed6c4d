"""Gateway settings (`GATEWAY_` environment variables): issuer, downstream URLs, limits, key protection."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.http import ClientOptions
from services.common.settings import ServiceSettings

# Published in the repository for `make run` and the tests; refused outside local/test mode.
DEMO_SIGNING_KEY_SECRET = "demo-gateway-signing-key-secret-change-me-0123456789"  # noqa: S105


class GatewaySettings(ServiceSettings):
    """Everything the gateway reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    registry_url: str = "http://127.0.0.1:8001"
    scoring_url: str = "http://127.0.0.1:8002"
    # Set to share rate limits (and revocations) between replicas, e.g. redis://127.0.0.1:6379/0.
    redis_url: str | None = None

    issuer: str = "http://127.0.0.1:8000"
    audience: str = "talenta-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    authorization_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    # None: on in local/test mode only (API.md: first-party tools; off in production unless enabled).
    password_grant_enabled: bool | None = None
    signing_algorithm: Literal["EdDSA", "RS256"] = "EdDSA"
    # Encrypts the private signing keys stored in the gateway database (AES-GCM, key derived by HKDF).
    signing_key_secret: SecretStr = Field(default=SecretStr(DEMO_SIGNING_KEY_SECRET), min_length=32)
    # How often each replica re-reads signing keys and revocations from the database.
    key_refresh_seconds: float = Field(default=30.0, gt=0)
    revocation_refresh_seconds: float = Field(default=2.0, gt=0)

    token_failures_per_minute: int = Field(default=10, ge=1)
    lockout_threshold: int = Field(default=20, ge=1)  # consecutive failed passwords before a lockout
    lockout_seconds: int = Field(default=900, ge=1)
    rate_limit_per_second: float = Field(default=50.0, gt=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    agency_cache_seconds: float = Field(default=60.0, ge=0)
    max_import_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)

    # Webhooks: signing secrets are kept encrypted with a key derived from this (default: from signing_key_secret,
    # under another HKDF label); the dispatcher pulls the services' feeds from stored cursors and delivers (any
    # number of replicas may run it: deliveries are claimed with FOR UPDATE SKIP LOCKED). Retries back off
    # exponentially for a window.
    webhook_secret_key: SecretStr | None = Field(default=None, min_length=32)
    run_dispatcher: bool = True
    dispatcher_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_claim_seconds: float = Field(default=60.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=10.0, ge=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=86400.0, gt=0)
    webhook_batch: int = Field(default=100, ge=1, le=1000)
    webhook_concurrency: int = Field(default=10, ge=1, le=100)
    # How long the audit writer waits, under load only, for more requests to share a commit (0: never waits).
    audit_commit_delay_seconds: float = Field(default=0.001, ge=0, le=0.05)

    # The gateway hop, measured by tests/gateway/perf_transport.py: aiohttp ~3-4x httpx's requests per second, and
    # http1 (buffered calls on services.common.http1's pool, the rest through aiohttp) ~1.8x aiohttp's at one in flight.
    http_transport: Literal["httpx", "aiohttp", "http1"] = "http1"
    downstream_connect_timeout_seconds: float = Field(default=1.0, gt=0)
    downstream_read_timeout_seconds: float = Field(default=10.0, gt=0)
    downstream_retries: int = Field(default=2, ge=0, le=5)
    downstream_backoff_seconds: float = Field(default=0.05, ge=0)
    downstream_breaker_failures: int = Field(default=5, ge=1)
    downstream_breaker_reset_seconds: float = Field(default=5.0, gt=0)
    downstream_max_connections: int = Field(default=200, ge=1)

    def webhook_key(self) -> str:
        """The secret the webhook secrets' encryption key is derived from."""
        return (self.webhook_secret_key or self.signing_key_secret).get_secret_value()

    @property
    def password_grant(self) -> bool:
        """Whether `grant_type=password` is accepted."""
        return self.is_local if self.password_grant_enabled is None else self.password_grant_enabled

    def client_options(self, base_url: str) -> ClientOptions:
        """Options of the pooled client for one downstream service."""
        return ClientOptions(
            base_url=base_url,
            connect_timeout=self.downstream_connect_timeout_seconds,
            read_timeout=self.downstream_read_timeout_seconds,
            retries=self.downstream_retries,
            backoff_seconds=self.downstream_backoff_seconds,
            breaker_failures=self.downstream_breaker_failures,
            breaker_reset_seconds=self.downstream_breaker_reset_seconds,
            max_connections=self.downstream_max_connections,
            transport=self.http_transport,
        )

    @model_validator(mode="after")
    def _refuse_demo_signing_secret(self) -> GatewaySettings:
        if not self.is_local and self.signing_key_secret.get_secret_value() == DEMO_SIGNING_KEY_SECRET:
            raise ValueError(
                f"signing_key_secret is a published demo secret; set a real one for environment={self.environment}"
            )
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    """The gateway's settings, read once from the environment."""
    return GatewaySettings()
