"""Use cases of an agency's SIASN credentials: store them encrypted, answer only metadata, load them for a sync."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Forbidden, NotFound
from services.registry.access import Scope
from services.registry.agencies.service import get_visible_agency
from services.registry.settings import RegistrySettings
from services.registry.siasn.crypto import seal, unseal
from services.registry.siasn.models import SiasnCredentials
from services.registry.siasn.repository import SiasnRepository
from services.registry.siasn.schemas import SECRET_FIELDS, CredentialsWrite
from services.registry.siasn.tokens import Credentials


async def _agency(session: AsyncSession, scope: Scope, agency_ref: str) -> str:
    if scope.employee_only:
        raise Forbidden("Employee accounts cannot manage SIASN credentials.", code="siasn_forbidden")
    return (await get_visible_agency(session, scope, agency_ref)).id


async def put_credentials(
    session: AsyncSession, scope: Scope, settings: RegistrySettings, agency_ref: str, data: CredentialsWrite
) -> tuple[SiasnCredentials, bool]:
    """Replace the agency's credentials (encrypted with the deployment's key); True when they were created."""
    agency_id = await _agency(session, scope, agency_ref)
    secrets = {name: value.get_secret_value() for name in SECRET_FIELDS if (value := getattr(data, name)) is not None}
    repository = SiasnRepository(session)
    row = await repository.credentials(agency_id)
    created = row is None
    if row is None:
        row = SiasnCredentials(agency_id=agency_id, created_by=scope.actor)
    row.secrets = seal(settings.siasn_credentials_key, secrets)
    row.fields_set = sorted(secrets)
    row.sso_client_id = data.sso_client_id
    row.instansi_id = data.instansi_id
    row.updated_by = scope.actor
    if not created:
        row.version += 1
    await repository.save(row)
    return row, created


async def get_credentials(session: AsyncSession, scope: Scope, agency_ref: str) -> SiasnCredentials:
    """The agency's credentials row (metadata is answered from it, never the secrets)."""
    agency_id = await _agency(session, scope, agency_ref)
    row = await SiasnRepository(session).credentials(agency_id)
    if row is None:
        raise NotFound("This agency has no SIASN credentials yet.", code="siasn_credentials_not_found")
    return row


def decrypt(settings: RegistrySettings, row: SiasnCredentials) -> Credentials:
    """The agency's credentials in clear, for its SIASN client only."""
    values = unseal(settings.siasn_credentials_key, row.secrets)
    return Credentials(
        consumer_key=values["consumer_key"],
        consumer_secret=values["consumer_secret"],
        sso_client_id=row.sso_client_id,
        sso_username=values.get("sso_username"),
        sso_password=values.get("sso_password"),
        sso_token=values.get("sso_token"),
    )
