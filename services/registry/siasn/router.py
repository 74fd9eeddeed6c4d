"""/v1/siasn/syncs (jobs: 202 + Location, then poll) and /v1/agencies/{id}/siasn-credentials (write-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import PageDep
from services.registry.dependencies import ScopeDep, SettingsDep
from services.registry.responses import json_response
from services.registry.siasn import credentials, service
from services.registry.siasn.models import SiasnSync, SiasnSyncItem
from services.registry.siasn.runner import SyncRunner
from services.registry.siasn.schemas import CredentialsRead, CredentialsWrite, SyncCreate, SyncItemRead, SyncRead

router = APIRouter(tags=["siasn"])


def get_sync_runner(request: Request) -> SyncRunner:
    """The app's sync runner (made on first use when no lifespan started one, as in in-process tests)."""
    runner: SyncRunner | None = getattr(request.app.state, "siasn_runner", None)
    if runner is None:
        runner = request.app.state.siasn_runner = SyncRunner(request.app.state, request.app.state.settings)
    return runner


RunnerDep = Annotated[SyncRunner, Depends(get_sync_runner)]


def render(job: SiasnSync, runner: SyncRunner, items: list[SiasnSyncItem], cursor: str | None) -> SyncRead:
    """The job as answered, with the live progress when this process runs it."""
    read = SyncRead.model_validate(job)
    read.items = [SyncItemRead.model_validate(item) for item in items]
    read.next_cursor = cursor
    live = runner.progress_of(job.id)
    if live is not None and job.status in ("queued", "running"):
        read.progress = max(read.progress, live)
    return read


@router.post("/v1/siasn/syncs", status_code=202, response_model=SyncRead, responses=problem_responses(401, 403, 422))
async def start_sync(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    runner: RunnerDep,
    idem: IdempotencyDep,
    body: SyncCreate,
) -> Response:
    """Start a SIASN sync of some NIPs (`nips`) or of an agency's current employees (`agency_id`)."""
    if (replay := await idem.replay()) is not None:
        return replay
    job = await service.create_sync(session, scope, settings, body, runner.owner)
    response = await idem.respond(202, render(job, runner, [], None), {"Location": f"/v1/siasn/syncs/{job.id}"})
    response.background = BackgroundTask(runner.launch, job.id)
    return response


@router.get("/v1/siasn/syncs/{sync_id}", response_model=SyncRead, responses=problem_responses(401, 404, 422))
async def get_sync(sync_id: str, session: SessionDep, scope: ScopeDep, runner: RunnerDep, page: PageDep) -> Response:
    """Read a sync: status, progress, counts, and its outcomes by NIP (`?limit=&cursor=`)."""
    job, items, cursor = await service.get_sync(session, scope, sync_id, page)
    return json_response(render(job, runner, items, cursor))


@router.put(
    "/v1/agencies/{agency_id}/siasn-credentials",
    response_model=CredentialsRead,
    responses={
        201: {"model": CredentialsRead, "description": "Set for the first time"},
        **problem_responses(401, 403, 404, 422),
    },
)
async def put_credentials(
    agency_id: str, body: CredentialsWrite, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> Response:
    """Set the agency's SIASN credentials (stored encrypted; the answer says which fields are set, never values)."""
    row, created = await credentials.put_credentials(session, scope, settings, agency_id, body)
    return json_response(CredentialsRead.model_validate(row), status_code=201 if created else 200)


@router.get(
    "/v1/agencies/{agency_id}/siasn-credentials",
    response_model=CredentialsRead,
    responses=problem_responses(401, 403, 404),
)
async def get_credentials(agency_id: str, session: SessionDep, scope: ScopeDep) -> Response:
    """Which SIASN credential fields the agency has set, when and by whom (never their values)."""
    return json_response(CredentialsRead.model_validate(await credentials.get_credentials(session, scope, agency_id)))
