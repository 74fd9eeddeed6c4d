"""Request and response bodies of the SIASN routes: credentials (write-only) and sync jobs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator

from services.registry.schemas import InputModel, ReadModel

SECRET_FIELDS = ("consumer_key", "consumer_secret", "sso_username", "sso_password", "sso_token")
SyncStatus = Literal["queued", "running", "completed", "failed"]
Outcome = Literal["created", "updated", "unchanged", "not_found", "invalid", "failed"]
OUTCOMES: tuple[str, ...] = ("created", "updated", "unchanged", "not_found", "invalid", "failed")


class CredentialsWrite(InputModel):
    """An agency's SIASN credentials as BKN issued them; secrets are stored encrypted and never answered."""

    consumer_key: SecretStr = Field(min_length=1, max_length=500)
    consumer_secret: SecretStr = Field(min_length=1, max_length=500)
    sso_client_id: str | None = Field(default=None, max_length=100, description="Keycloak client id")
    sso_username: SecretStr | None = Field(default=None, max_length=200)
    sso_password: SecretStr | None = Field(default=None, max_length=500)
    sso_token: SecretStr | None = Field(default=None, max_length=8000, description="A pre-issued SSO token")
    instansi_id: str = Field(min_length=1, max_length=64, description="SIASN's instansiKerjaId of the agency")

    @model_validator(mode="after")
    def _one_sso_way(self) -> CredentialsWrite:
        password_grant = self.sso_username is not None and self.sso_password is not None
        if (self.sso_username is None) != (self.sso_password is None):
            raise ValueError("sso_username and sso_password go together")
        if password_grant and not self.sso_client_id:
            raise ValueError("sso_client_id is needed for the password grant")
        if not password_grant and self.sso_token is None:
            raise ValueError("give sso_username and sso_password, or a pre-issued sso_token")
        return self


class CredentialsRead(ReadModel):
    """What is known of an agency's SIASN credentials: which fields are set, when and by whom; never values."""

    agency_id: str
    fields_set: list[str]
    sso_client_id: str | None
    instansi_id: str | None
    updated_at: dt.datetime
    updated_by: str


class SyncCreate(InputModel):
    """A sync of some NIPs, or of an agency's current employees."""

    nips: list[Annotated[str, Field(pattern=r"^[0-9]{18}$")]] | None = Field(
        default=None, min_length=1, description="NIPs to fetch (18 digits each)"
    )
    agency_id: str | None = Field(default=None, max_length=100, description="Agency (id or code)")

    @model_validator(mode="after")
    def _something(self) -> SyncCreate:
        if self.nips is None and self.agency_id is None:
            raise ValueError("give nips or agency_id")
        return self


class SyncItemRead(ReadModel):
    """What the sync did with one NIP."""

    nip: str
    outcome: Outcome
    field: str | None = Field(description="The SIASN field that failed validation (invalid)")
    reason: str | None = Field(description="Why it is invalid, or the upstream error (failed)")
    fetched_at: dt.datetime | None


class SyncRead(ReadModel):
    """A SIASN sync job, with the counts of its per-NIP outcomes and a page of them."""

    id: str
    agency_id: str
    scope: Literal["nips", "agency"]
    status: SyncStatus
    progress: float = Field(ge=0, le=1)
    nips_total: int | None
    counts: dict[str, int]
    detail: str | None = Field(description="Why a failed job failed")
    created_at: dt.datetime
    created_by: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    items: list[SyncItemRead] = Field(default_factory=list, description="Outcomes by NIP (paged: `?limit=&cursor=`)")
    next_cursor: str | None = None
