"""Who may see what (DESIGN.md "Internal calls and identity"): agency scope and own-record principals."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Forbidden
from services.common.ids import is_uuid
from services.common.service_token import CallerIdentity
from services.scoring.registry import Registry

EMPLOYEE_ONLY_ROLES = ("employee",)


@dataclass(frozen=True)
class Access:
    """The caller of one request, with its agency resolved to an id (None = national)."""

    identity: CallerIdentity
    agency_id: str | None

    @property
    def actor(self) -> str:
        """What is written in created_by columns."""
        return self.identity.actor

    @property
    def is_national(self) -> bool:
        """True when the caller acts on every agency."""
        return self.agency_id is None

    @property
    def employee_only(self) -> bool:
        """An `employee` principal: they reach only their own placement and talent."""
        return tuple(self.identity.roles) == EMPLOYEE_ONLY_ROLES

    @property
    def caller_nip(self) -> str | None:
        """The person behind the call, if any (nobody calibrates their own placement)."""
        return self.identity.nip

    def sees_agency(self, agency_id: str) -> bool:
        """Whether the caller may see things of `agency_id` (else they are answered as missing)."""
        return self.agency_id is None or self.agency_id == agency_id

    def sees_person(self, agency_id: str, nip: str) -> bool:
        """Agency scope, and an employee principal only themselves."""
        return self.sees_agency(agency_id) and (not self.employee_only or self.identity.nip == nip)

    def require_staff(self) -> None:
        """403 for an employee principal on routes about other people or the agency as a whole."""
        if self.employee_only:
            raise Forbidden("This account may only read its own placement and talent.", code="own_records_only")


async def access_of(identity: CallerIdentity, registry: Registry) -> Access:
    """The access of a verified caller; a token naming its agency by code is resolved (unknown: sees nothing)."""
    agency_id = identity.agency_id
    if agency_id is not None and not is_uuid(agency_id):
        agency = await registry.agency(agency_id)
        agency_id = agency.id if agency is not None else f"unknown:{agency_id}"
    return Access(identity=identity, agency_id=agency_id)
