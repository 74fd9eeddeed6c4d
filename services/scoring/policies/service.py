"""Policy use cases: built-ins stored on start, derived versions per agency, and the engine's view of a row."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import Conflict, FieldError, ValidationFailed, field_error
from services.common.pagination import PageParams, make_page
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.agencies import body_agency
from services.scoring.errors import invalid_field, not_found
from services.scoring.policies.models import ScoringPolicy
from services.scoring.policies.repository import PolicyRepository
from services.scoring.policies.schemas import PolicyCreate
from services.scoring.registry import Registry


@functools.lru_cache(maxsize=256)
def _parsed(document: str) -> engine.Policy:
    return engine.policy_from_json(document)


def engine_policy(row: ScoringPolicy) -> engine.Policy:
    """The engine's Policy of a stored version (parsed once per document: versions never change)."""
    return _parsed(row.document)


def builtin_rows() -> list[dict[str, Any]]:
    """The engine's built-in policies as rows."""
    return [
        {
            "id": policy.id,
            "version": policy.version,
            "name": policy.name,
            "based_on": policy.based_on,
            "owner_agency_id": None,
            "builtin": True,
            "document": engine.policy_to_json(policy),
            "created_at": utcnow(),
            "created_by": "system",
        }
        for policy in engine.BUILTIN_POLICIES.values()
    ]


async def ensure_builtin_policies(session: AsyncSession) -> None:
    """Store the engine's built-in policy versions that are not stored yet (idempotent, replica-safe)."""
    await PolicyRepository(session).insert_missing(builtin_rows())


def visible(row: ScoringPolicy, agency_id: str | None) -> bool:
    """Whether a policy may be seen (and used) by `agency_id` (None: national, sees all)."""
    return agency_id is None or row.owner_agency_id is None or row.owner_agency_id == agency_id


async def get_policy(session: AsyncSession, access: Access, policy_id: str, version: int | None) -> ScoringPolicy:
    """A policy version the caller may see (latest when no version); 404 otherwise."""
    row = await PolicyRepository(session).get(policy_id, version)
    if row is None or not visible(row, access.agency_id):
        key = policy_id if version is None else f"{policy_id}@{version}"
        raise not_found("policy", key)
    return row


async def list_policies(
    session: AsyncSession, access: Access, page: PageParams
) -> tuple[list[ScoringPolicy], str | None]:
    """Every policy version the caller may see, in (id, version) order."""
    after = page.after
    if after is not None and not (
        len(after) == 2 and isinstance(after[0], str) and isinstance(after[1], int) and not isinstance(after[1], bool)
    ):
        raise invalid_field(["query", "cursor"], "not a cursor this API issued")
    rows = await PolicyRepository(session).list(visible_to=access.agency_id, after=after, limit=page.limit + 1)
    return make_page(rows, page, lambda row: [row.id, row.version])


def _split_ref(ref: str) -> tuple[str, int | None]:
    policy_id, _, version = ref.partition("@")
    return policy_id, int(version) if version else None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    if not slug:
        raise invalid_field(["body", "id"], "give an id: the name makes none", code="policy_id_required")
    return slug


def _derive_errors(exc: ValueError) -> list[FieldError]:
    if isinstance(exc, ValidationError):
        return [field_error(["body", "overrides", *err["loc"]], err["msg"]) for err in exc.errors()]
    return [field_error(["body", "overrides"], str(exc))]


async def derive_policy(session: AsyncSession, access: Access, registry: Registry, data: PolicyCreate) -> ScoringPolicy:
    """A new policy (or a new version of the owner's own) derived from a visible one; 422 if the result is invalid."""
    access.require_staff()
    base_id, base_version = _split_ref(data.derive_from)
    repository = PolicyRepository(session)
    base = await repository.get(base_id, base_version)
    if base is None or not visible(base, access.agency_id):
        raise invalid_field(["body", "derive_from"], f"no policy {data.derive_from!r}", code="unknown_policy")
    owner = None
    if data.agency_id is not None or not access.is_national:
        owner = (await body_agency(registry, access, data.agency_id, ["body", "agency_id"])).id
    new_id = data.id or (base.id if not base.builtin and base.owner_agency_id == owner else _slug(data.name))
    if new_id in engine.BUILTIN_POLICIES:
        raise Conflict(f"{new_id} is a built-in policy; derive under another id.", code="builtin_policy_id")
    latest = await repository.get(new_id)
    if latest is not None and latest.owner_agency_id != owner:
        raise Conflict(f"The policy id {new_id!r} belongs to another owner; choose another.", code="policy_id_taken")
    version = 1 if latest is None else latest.version + 1
    try:
        policy = engine.derive(engine_policy(base), data.overrides, new_id, version=version, name=data.name)
    except ValueError as exc:
        raise ValidationFailed(
            "The derived policy is invalid.", code="invalid_policy", errors=_derive_errors(exc)
        ) from None
    row = ScoringPolicy(
        id=policy.id,
        version=policy.version,
        name=policy.name,
        based_on=policy.based_on,
        owner_agency_id=owner,
        builtin=False,
        document=engine.policy_to_json(policy),
        created_at=utcnow(),
        created_by=access.actor,
    )
    return await repository.add(row)
