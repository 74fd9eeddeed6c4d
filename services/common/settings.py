"""The settings base every service extends: environment, database, service token, logging, limits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["local", "test", "staging", "production"]

# Secrets that ship in the repository for `make run` and the tests. They are public knowledge, so a
# deployment that still uses one of them must refuse to start.
DEMO_SECRETS = frozenset(
    {
        "demo-service-token-secret-change-me-0123456789",
        "demo-siasn-credentials-key-change-me-0123456789",
        "demo-webhook-secret-change-me",
    }
)


class ServiceSettings(BaseSettings):
    """Settings shared by all services; each service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "talenta"
    environment: Environment = "local"
    database_url: str = "sqlite+aiosqlite:///var/talenta.db"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # Behind PgBouncer in transaction mode asyncpg must not keep prepared statements: set 0 there.
    db_statement_cache_size: int = Field(default=100, ge=0)
    # True: a round trip on every connection checkout proves it alive. False: a checkout only refuses
    # connections the driver already knows are closed (no round trip), and connections are recycled
    # after db_pool_recycle_seconds; a hot read path can then skip the ping.
    db_pool_pre_ping: bool = True
    db_pool_recycle_seconds: int = Field(default=1800, ge=-1)
    # Shared by every service of one deployment: the gateway and scoring sign with it, the others verify.
    service_token_secret: SecretStr = Field(
        default=SecretStr("demo-service-token-secret-change-me-0123456789"), min_length=32
    )
    # During a rotation the old secret still verifies (set it here) until every caller signs with the new one.
    service_token_previous_secret: SecretStr | None = None
    service_token_ttl_seconds: int = Field(default=60, ge=5, le=900)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_json_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Tracing is on when an OTLP endpoint is set (e.g. http://otel-collector:4318).
    otel_endpoint: str | None = None
    # Services with an outbox (registry, scoring) delete events older than this, checking every interval.
    outbox_retention_days: int = Field(default=90, ge=1)
    outbox_purge_interval_seconds: float = Field(default=3600.0, gt=0)

    def service_token_secrets(self) -> tuple[str, ...]:
        """The secrets that verify incoming service tokens: the current one first, then the previous one."""
        secrets = [self.service_token_secret.get_secret_value()]
        if self.service_token_previous_secret is not None:
            secrets.append(self.service_token_previous_secret.get_secret_value())
        return tuple(secrets)

    @property
    def is_local(self) -> bool:
        """True in local/demo and test mode, where demo accounts and secrets are allowed."""
        return self.environment in ("local", "test")

    @model_validator(mode="after")
    def _refuse_demo_secrets_outside_local(self) -> ServiceSettings:
        if self.is_local:
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value() in DEMO_SECRETS:
                raise ValueError(
                    f"{name} is a published demo secret; set a real one for environment={self.environment}"
                )
        return self
