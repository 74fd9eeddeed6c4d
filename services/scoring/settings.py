"""Settings of the scoring service (env prefix `SCORING_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class ScoringSettings(ServiceSettings):
    """Scoring settings; e.g. SCORING_DATABASE_URL, SCORING_REGISTRY_URL, SCORING_RUN_WORKER."""

    model_config = SettingsConfigDict(env_prefix="SCORING_", extra="ignore", frozen=True)

    service_name: str = "scoring"
    database_url: str = "sqlite+aiosqlite:///var/scoring.db"
    # The registry: agencies and positions at request time, the scoring-inputs export for reviews.
    registry_url: str = "http://127.0.0.1:8001"
    registry_connect_timeout_seconds: float = Field(default=1.0, gt=0)
    registry_read_timeout_seconds: float = Field(default=10.0, gt=0)
    # The export of a large agency streams for a while: the longest wait between two chunks.
    registry_export_timeout_seconds: float = Field(default=300.0, gt=0)
    registry_retries: int = Field(default=2, ge=0, le=10)
    registry_transport: str = Field(default="httpx", pattern="^(httpx|aiohttp)$")
    agency_cache_seconds: float = Field(default=60.0, ge=0)
    # Reviews are jobs. true: this API process also runs a worker (the SQLite demo, small deployments);
    # false: workers run apart (`python -m services.scoring.worker`).
    run_worker: bool = True
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    lease_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    max_attempts: int = Field(default=3, ge=1, le=20)
    retry_backoff_seconds: float = Field(default=5.0, ge=0)
    # The registry unreachable, answering 503 or timing out (a restart, a database failover): a review waits it
    # out, retried every RETRY_BACKOFF_SECONDS without spending its attempts, this long after it was started.
    unavailable_patience_seconds: float = Field(default=600.0, ge=0)
    # On SIGTERM a worker stops claiming and lets its current review finish for this long, then releases it.
    shutdown_grace_seconds: float = Field(default=60.0, ge=0)
    # The worker process serves /healthz, /readyz and /metrics here (the Kubernetes probes use it).
    worker_host: str = "0.0.0.0"  # noqa: S104 - a container's probes reach it from outside
    worker_port: int = Field(default=8000, ge=1, le=65535)
    # Placements are written to SQLite in batches of this many rows (PostgreSQL uses COPY).
    sqlite_batch_rows: int = Field(default=5000, ge=100)

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> Self:
        if self.heartbeat_seconds >= self.lease_seconds:
            raise ValueError("heartbeat_seconds must be shorter than lease_seconds, or leases expire while alive")
        return self


@lru_cache
def get_settings() -> ScoringSettings:
    """The process's scoring settings, read once from the environment."""
    return ScoringSettings()
