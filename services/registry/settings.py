"""Settings of the registry service (env prefix `REGISTRY_`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
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


class RegistrySettings(ServiceSettings):
    """Registry settings; e.g. REGISTRY_DATABASE_URL, REGISTRY_DEFAULT_COMPETENCY_LEVELS (JSON object)."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    database_url: str = "sqlite+aiosqlite:///var/registry.db"
    default_competency_levels: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_COMPETENCY_LEVELS))
    # Bulk imports (services/registry/imports): where uploads wait for their job, and the limits.
    import_dir: str = "var/imports"
    max_import_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    import_batch_rows: int = Field(default=20_000, ge=100, le=1_000_000)
    import_max_stored_errors: int = Field(default=1000, ge=10, le=100_000)
    import_concurrency: int = Field(default=2, ge=1, le=32)
    import_stale_seconds: int = Field(default=120, ge=10)

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
