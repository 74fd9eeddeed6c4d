"""/v1/imports: bulk CSV/NDJSON imports into an agency, run as jobs (202 + Location, then poll)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from starlette.background import BackgroundTask
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import Idempotency
from services.common.service_token import Caller
from services.registry.dependencies import ScopeDep, SettingsDep
from services.registry.imports import service
from services.registry.imports.dependencies import RunnerDep
from services.registry.imports.formats import formats_markdown
from services.registry.imports.models import ImportJob
from services.registry.imports.runner import ImportRunner
from services.registry.imports.schemas import ImportKind, ImportMode, ImportRead
from services.registry.responses import json_response

router = APIRouter(prefix="/v1/imports", tags=["imports"])


def render(job: ImportJob, runner: ImportRunner) -> ImportRead:
    """The job as answered, with the live progress when this process runs it."""
    read = ImportRead.model_validate(
        {**{c: getattr(job, c) for c in ImportRead.model_fields if hasattr(job, c)},
         "errors": job.errors or [], "errors_truncated": len(job.errors or []) < job.error_count}
    )  # fmt: skip
    live = runner.progress_of(job.id)
    if live is not None and job.status in ("queued", "running"):
        read.progress = max(read.progress, live)
    return read


# An agency id (UUID) or code: letters, digits and dashes only, so nothing stranger reaches a query.
AGENCY_REF = r"^[A-Za-z0-9-]+$"


@router.post(
    "",
    status_code=202,
    response_model=ImportRead,
    responses=problem_responses(401, 403, 413, 415, 422),
    description="Upload a CSV or NDJSON file to import into an agency; answers the queued job at once (202, "
    "`Location` to poll). The file's type, encoding, size and columns are checked before answering; its rows "
    "are checked and written by the job.\n\n" + formats_markdown(),
)
async def start_import(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    caller: Caller,
    settings: SettingsDep,
    runner: RunnerDep,
    file: Annotated[UploadFile, File(description="The CSV or NDJSON file (UTF-8)")],
    kind: Annotated[ImportKind, Form(description="What the file holds")],
    agency_id: Annotated[
        str, Form(max_length=100, pattern=AGENCY_REF, description="The agency to import into (id or code)")
    ],
    mode: Annotated[ImportMode, Form(description="atomic: all rows or none; partial: the good rows")] = "atomic",
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
) -> Response:
    """Start an import job for an uploaded file."""
    agency = await service.import_agency(session, scope, agency_id)
    import_id = service.new_import_id()
    stored = await service.receive_file(settings, file.file, import_id, kind)
    try:
        fingerprint = hashlib.sha256(f"POST /v1/imports {kind} {agency} {mode} {stored.sha256}".encode()).hexdigest()
        table = request.app.state.idempotency_table
        idem = Idempotency(session, table, caller.subject, idempotency_key, fingerprint)
        if (replay := await idem.replay()) is not None:
            stored.path.unlink(missing_ok=True)
            return replay
        job = await service.create_import(
            session, scope, stored, import_id=import_id, agency_id=agency, kind=kind, mode=mode,
            file_name=file.filename, owner=runner.owner,
        )  # fmt: skip
        response = await idem.respond(202, render(job, runner), {"Location": f"/v1/imports/{job.id}"})
    except BaseException:
        stored.path.unlink(missing_ok=True)
        raise
    response.background = BackgroundTask(runner.launch, job.id)
    return response


@router.get("/{import_id}", response_model=ImportRead, responses=problem_responses(401, 404))
async def get_import(import_id: str, session: SessionDep, scope: ScopeDep, runner: RunnerDep) -> Response:
    """Read an import job: status, progress, row counts and the rows' errors."""
    job = await service.get_import(session, scope, import_id)
    return json_response(render(job, runner))
