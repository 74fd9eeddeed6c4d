"""User administration: who may create or change which account (agency admins stay in their agency)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, Forbidden, NotFound, invalid
from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.gateway.audit.service import cursor_id
from services.gateway.auth.context import AuthContext
from services.gateway.auth.models import User
from services.gateway.auth.passwords import hash_secret
from services.gateway.auth.principal import Principal
from services.gateway.auth.service import revoke_subject
from services.gateway.permissions import Grant, Reach, decide
from services.gateway.users import repository
from services.gateway.users.schemas import UserCreate, UserUpdate


def admin_grant(principal: Principal) -> Grant:
    """The caller's reach over users and clients (403 without one)."""
    grant = decide(principal, "admin:manage")
    if grant is None:
        raise Forbidden("Managing users and clients needs an administrator.", code="insufficient_permission")
    return grant


def managed_agency(grant: Grant, principal: Principal) -> str | None:
    """The agency an admin is confined to (None: all)."""
    return None if grant.reach is Reach.ALL else principal.agency_id


def check_assignment(
    grant: Grant, principal: Principal, roles: list[str], agency_id: str | None, nip: str | None
) -> None:
    """Refuse role/agency combinations the caller may not grant, or that make no sense."""
    if grant.reach is not Reach.ALL:
        if "national_admin" in roles:
            raise Forbidden("Only a national admin grants national_admin.", code="cannot_grant_role")
        if agency_id != principal.agency_id:
            raise Forbidden("Agency admins manage accounts of their own agency only.", code="other_agency")
    if "national_admin" in roles and agency_id is not None:
        raise invalid(["body", "agency_id"], "a national_admin belongs to no agency")
    if any(r != "national_admin" for r in roles) and agency_id is None:
        raise invalid(["body", "agency_id"], "required for agency roles")
    if "employee" in roles and nip is None:
        raise invalid(["body", "nip"], "an employee account is linked to a NIP")


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate, agency_id: str | None) -> User:
    """Create an account."""
    grant = admin_grant(principal)
    check_assignment(grant, principal, list(data.roles), agency_id, data.nip)
    user = User(
        username=data.username,
        password_hash=await hash_secret(data.password),
        roles=list(data.roles),
        agency_id=agency_id,
        nip=data.nip,
        created_by=principal.subject,
        updated_by=principal.subject,
    )
    if not await repository.add_user(session, user):
        raise Conflict("That username is taken.", code="username_taken")
    return user


async def get_user(session: AsyncSession, principal: Principal, user_id: str) -> User:
    """An account the caller manages (404 for others, as if missing)."""
    grant = admin_grant(principal)
    user = await repository.get_user(session, user_id)
    agency = managed_agency(grant, principal)
    if user is None or (agency is not None and user.agency_id != agency):
        raise NotFound("No such user.", code="user_not_found")
    return user


async def list_users(session: AsyncSession, principal: Principal, params: PageParams) -> tuple[list[User], str | None]:
    """The accounts the caller manages."""
    agency = managed_agency(admin_grant(principal), principal)
    after = cursor_id(params)
    rows = await repository.list_users(session, params.limit, after, agency)
    return make_page(rows, params, key=lambda u: [u.id])


async def update_user(
    session: AsyncSession,
    ctx: AuthContext,
    principal: Principal,
    user_id: str,
    data: UserUpdate,
    agency_id: str | None,
    if_match: str | None,
) -> User:
    """Change an account; a change of rights or a disable revokes its tokens at once."""
    user = await get_user(session, principal, user_id)
    require_if_match(if_match, user.version)
    fields = data.model_fields_set
    roles: list[str] = list(data.roles) if data.roles is not None else list(user.roles)
    new_agency = agency_id if "agency_id" in fields else user.agency_id
    nip = data.nip if "nip" in fields else user.nip
    check_assignment(admin_grant(principal), principal, roles, new_agency, nip)
    rights_changed = roles != user.roles or new_agency != user.agency_id or nip != user.nip
    user.roles, user.agency_id, user.nip = roles, new_agency, nip
    if data.password is not None:
        user.password_hash = await hash_secret(data.password)
        user.failed_logins, user.locked_until = 0, None
    disabling = data.disabled is True and not user.disabled
    if data.disabled is not None:
        user.disabled = data.disabled
    user.version += 1
    user.updated_by = principal.subject
    await repository.save(session)
    if rights_changed or disabling or data.password is not None:
        await revoke_subject(session, ctx, f"user:{user.id}")
    return user
