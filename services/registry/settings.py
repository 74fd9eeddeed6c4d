"""Settings of the registry service (env prefix `REGISTRY_`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings
from services.registry.positions.rules import POSITION_LEVELS

# DOMAIN.md "Competency: JPM": the standard level assumed for every competency of a position that has no
# standard of its own. Low confidence and agency-specific, hence a setting, not a rule.
DEFAULT_COMPETENCY_LEVELS: dict[str, int] = {
    "jpt_utama": 5,
    "jpt_madya": 5,
    "jpt_pratama": 4,
    "administrator": 3,
    "pengawas": 2,
    "pelaksana": 1,
    "ahli_utama": 4,
    "ahli_madya": 3,
    "ahli_muda": 2,
    "ahli_pertama": 1,
    "pemula": 1,
    "terampil": 1,
    "mahir": 1,
    "penyelia": 1,
}


_SIASN_SSO = "https://sso-siasn.bkn.go.id"


class RegistrySettings(ServiceSettings):
    """Registry settings; e.g. REGISTRY_DATABASE_URL, REGISTRY_DEFAULT_COMPETENCY_LEVELS (JSON object)."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    database_url: str = "sqlite+aiosqlite:///var/registry.db"
    # Reads are one round trip each; a ping per checkout would double them. A connection the server closed
    # is still refused at checkout (services.common.db), and connections are recycled periodically.
    db_pool_pre_ping: bool = False
    # Connections of the driver pool that serves GET /v1/employees/{nip} on PostgreSQL (0: use the engine).
    read_pool_size: int = Field(default=10, ge=0, le=200)
    default_competency_levels: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_COMPETENCY_LEVELS))
    # Bulk imports (services/registry/imports): where uploads wait for their job, and the limits.
    import_dir: str = "var/imports"
    max_import_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    import_batch_rows: int = Field(default=20_000, ge=100, le=1_000_000)
    import_max_stored_errors: int = Field(default=1000, ge=10, le=100_000)
    import_concurrency: int = Field(default=2, ge=1, le=32)
    import_stale_seconds: int = Field(default=120, ge=10)
    # SIASN (BKN) sync (services/registry/siasn): BKN's URLs, the key encrypting each agency's SIASN credentials at
    # rest (its demo value is refused outside local mode), and how hard one agency may call BKN.
    siasn_base_url: str = "https://apimws.bkn.go.id:8243/apisiasn/1.0"
    siasn_token_url: str = "https://apimws.bkn.go.id/oauth2/token"  # noqa: S105 - a URL, not a secret
    siasn_sso_token_url: str = f"{_SIASN_SSO}/auth/realms/public-siasn/protocol/openid-connect/token"
    siasn_credentials_key: SecretStr = Field(
        default=SecretStr("demo-siasn-credentials-key-change-me-0123456789"), min_length=32
    )
    siasn_concurrency: int = Field(default=8, ge=1, le=64)  # calls in flight to BKN per agency (this process)
    siasn_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    siasn_read_timeout_seconds: float = Field(default=30.0, gt=0)
    siasn_retries: int = Field(default=4, ge=0, le=10)  # per call, on 429, 5xx and connection failures
    siasn_backoff_seconds: float = Field(default=0.5, gt=0)
    siasn_max_retry_after_seconds: float = Field(default=60.0, gt=0)
    siasn_token_margin_seconds: int = Field(default=60, ge=0)  # refresh a token this long before it expires
    siasn_batch_size: int = Field(default=100, ge=1, le=5000)  # NIPs written per transaction
    siasn_max_nips: int = Field(default=50_000, ge=1)  # per sync request
    siasn_job_concurrency: int = Field(default=2, ge=1, le=16)

    @field_validator("default_competency_levels")
    @classmethod
    def _every_level_has_a_standard(cls, value: dict[str, int]) -> dict[str, int]:
        missing = sorted(set(POSITION_LEVELS) - set(value))
        unknown = sorted(set(value) - set(POSITION_LEVELS))
        if missing or unknown:
            raise ValueError(f"needs exactly the position levels; missing {missing}, unknown {unknown}")
        if any(not 1 <= level <= 5 for level in value.values()):
            raise ValueError("competency levels are 1 to 5")
        return value


@lru_cache
def get_settings() -> RegistrySettings:
    """The process's registry settings, read once from the environment."""
    return RegistrySettings()
