"""/v1/scoring-policies: the built-in policies and the versions agencies derive from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.scoring.dependencies import AccessDep, RegistryDep
from services.scoring.policies import service
from services.scoring.policies.schemas import PolicyCreate, PolicyRead
from services.scoring.responses import json_response

router = APIRouter(prefix="/v1/scoring-policies", tags=["policies"])


@router.get("", response_model=Page[PolicyRead], responses=problem_responses(401, 422))
async def list_policies(session: SessionDep, access: AccessDep, page: PageDep) -> Response:
    """List every policy version the caller may use: built-in, national and the agency's own."""
    rows, cursor = await service.list_policies(session, access, page)
    return json_response(Page[PolicyRead](items=[PolicyRead.of(row) for row in rows], next_cursor=cursor))


@router.get("/{policy_id}", response_model=PolicyRead, responses=problem_responses(401, 404, 422))
async def get_policy(
    policy_id: str,
    session: SessionDep,
    access: AccessDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000_000, description="A version (default: the latest)")] = None,
) -> Response:
    """Read a policy: its latest version, or the one asked for."""
    row = await service.get_policy(session, access, policy_id, version)
    return json_response(PolicyRead.of(row), version=row.version)


@router.post("", status_code=201, response_model=PolicyRead, responses=problem_responses(401, 403, 409, 422))
async def derive_policy(
    data: PolicyCreate, session: SessionDep, access: AccessDep, registry: RegistryDep, idem: IdempotencyDep
) -> Response:
    """Derive a policy (or a new version of your own) from another by overriding values; 422 if invalid."""
    if (replay := await idem.replay()) is not None:
        return replay
    row = await service.derive_policy(session, access, registry, data)
    headers = {"ETag": make_etag(row.version), "Location": f"/v1/scoring-policies/{row.id}?version={row.version}"}
    return await idem.respond(201, PolicyRead.of(row), headers)
