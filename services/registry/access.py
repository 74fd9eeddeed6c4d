"""Who may see what (DESIGN.md "Internal calls and identity"): agency scope, own-record principals, minimising."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Forbidden
from services.common.service_token import CallerIdentity

EMPLOYEE_ONLY_ROLES = ("employee",)


@dataclass(frozen=True)
class Scope:
    """The caller of one request, reduced to what the registry's rules need."""

    actor: str  # written to created_by / updated_by
    agency_id: str | None  # the caller's agency id; None = national (every agency)
    own_nip: str | None  # an employee principal sees only this person ("" = nobody)
    caller_nip: str | None  # the person behind the call, if any (self-assessment rule)
    personal_data: bool  # False: answers drop email and phone

    @property
    def is_national(self) -> bool:
        """True when the caller acts on every agency."""
        return self.agency_id is None

    @property
    def employee_only(self) -> bool:
        """True for an employee principal, who may see only their own record."""
        return self.own_nip is not None

    def sees_agency(self, agency_id: str) -> bool:
        """Whether the caller may see things of `agency_id` (else they are answered as missing)."""
        return self.agency_id is None or self.agency_id == agency_id

    def sees_employee(self, agency_id: str, nip: str) -> bool:
        """Whether the caller may see this person: agency scope, and an employee principal only themselves."""
        return self.sees_agency(agency_id) and (self.own_nip is None or self.own_nip == nip)

    def require_national(self, what: str) -> None:
        """403 unless the caller is national."""
        if not self.is_national:
            raise Forbidden(f"Only a national principal may {what}.", code="national_only")

    def forbid_self_assessment(self, nip: str) -> None:
        """Nobody records their own rating, assessment, sanction or award (API.md)."""
        if self.caller_nip is not None and self.caller_nip == nip:
            raise Forbidden("Nobody may record their own assessment.", code="self_assessment_forbidden")


def scope_of(caller: CallerIdentity, agency_id: str | None) -> Scope:
    """The scope of a verified caller whose agency (id or code in the token) resolved to `agency_id`."""
    employee_only = tuple(caller.roles) == EMPLOYEE_ONLY_ROLES
    return Scope(
        actor=caller.actor,
        agency_id=agency_id,
        own_nip=(caller.nip or "") if employee_only else None,
        caller_nip=caller.nip,
        personal_data=caller.personal_data,
    )
