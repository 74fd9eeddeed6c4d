"""API.md's role and scope table as data: which principal may do what, and how far it reaches.

Read it beside the table "What each role may do" of shared/docs/API.md: one permission per row (split
where a row has an exception, e.g. assessors calibrate but do not run reviews), each carried for
machine clients by the scope in its first column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.gateway.auth.principal import Principal


class Reach(StrEnum):
    """How far a granted permission reaches."""

    ALL = "all"  # every agency
    AGENCY = "agency"  # the principal's own agency (others answer 404, as if missing)
    SELF = "self"  # the principal's own records (their linked NIP)


@dataclass(frozen=True)
class Grant:
    """A permission granted to a role, with its reach; `minimised` answers drop email and phone."""

    reach: Reach
    minimised: bool = False


ALL, AGENCY, SELF = Grant(Reach.ALL), Grant(Reach.AGENCY), Grant(Reach.SELF)
AGENCY_MINIMISED = Grant(Reach.AGENCY, minimised=True)
ROLES = ("national_admin", "agency_admin", "assessor", "viewer", "employee")
SCOPES = (
    "employees:read",
    "employees:write",
    "assessments:write",
    "talent:read",
    "talent:write",
    "succession:read",
    "audit:read",
    "national:read",  # national views (talent pool, 9-box, data quality across agencies) for national clients
    "admin",  # gateway extension: manage users and clients (admins; machine clients only when granted)
)


@dataclass(frozen=True)
class Rule:
    """One permission: the scope that carries it and each role's grant."""

    scope: str
    roles: dict[str, Grant]
    national_only: bool = False  # machine clients need a national (agency-less) registration


# permission -> rule.  Columns of API.md: national_admin | agency_admin | assessor | viewer | employee
PERMISSIONS: dict[str, Rule] = {
    "employees:read": Rule(
        "employees:read",
        {
            "national_admin": ALL,
            "agency_admin": AGENCY,
            "assessor": AGENCY,
            "viewer": AGENCY_MINIMISED,
            "employee": SELF,
        },
    ),
    "employees:write": Rule("employees:write", {"national_admin": ALL, "agency_admin": AGENCY}),
    # Transfers move people between agencies, and agencies are national master data: national_admin only.
    "employees:transfer": Rule("employees:write", {"national_admin": ALL}, national_only=True),
    "agencies:write": Rule("employees:write", {"national_admin": ALL}, national_only=True),
    "assessments:write": Rule("assessments:write", {"national_admin": ALL, "agency_admin": AGENCY, "assessor": AGENCY}),
    "talent:read": Rule(
        "talent:read",
        {"national_admin": ALL, "agency_admin": AGENCY, "assessor": AGENCY, "viewer": AGENCY, "employee": SELF},
    ),
    "talent:write": Rule("talent:write", {"national_admin": ALL, "agency_admin": AGENCY}),
    "talent:calibrate": Rule("talent:write", {"national_admin": ALL, "agency_admin": AGENCY, "assessor": AGENCY}),
    "succession:read": Rule("succession:read", {"national_admin": ALL, "agency_admin": AGENCY, "assessor": AGENCY}),
    "audit:read": Rule("audit:read", {"national_admin": ALL, "agency_admin": AGENCY}),
    "admin:manage": Rule("admin", {"national_admin": ALL, "agency_admin": AGENCY}),
    # National views; routes that have them fall back to talent:read, which shows the caller's own agency.
    "national:read": Rule("national:read", {"national_admin": ALL}, national_only=True),
}


def role_scopes(roles: tuple[str, ...] | list[str]) -> list[str]:
    """The scopes a person's roles can use (their tokens' default `scope`)."""
    granted = {rule.scope for rule in PERMISSIONS.values() if any(r in rule.roles for r in roles)}
    return [s for s in SCOPES if s in granted]


def decide(principal: Principal, permission: str) -> Grant | None:
    """The grant `principal` holds for `permission`, or None when it has none."""
    rule = PERMISSIONS[permission]
    if rule.scope not in principal.scopes:
        return None
    if principal.kind == "client":
        if principal.agency_id is None:
            return Grant(Reach.ALL, minimised="employees:write" not in principal.scopes)
        if rule.national_only:
            return None
        return Grant(Reach.AGENCY, minimised="employees:write" not in principal.scopes)
    grants = [rule.roles[r] for r in principal.roles if r in rule.roles]
    if not grants:
        return None
    order = {Reach.ALL: 0, Reach.AGENCY: 1, Reach.SELF: 2}
    return min(grants, key=lambda g: (order[g.reach], g.minimised))


def sees_personal_data(principal: Principal) -> bool:
    """False when answers to this principal drop e-mail and phone (viewers, clients without writes)."""
    grant = decide(principal, "employees:read")
    if grant is None:
        return principal.kind == "user" and "employee" in principal.roles
    return not grant.minimised
