"""Import use cases: accept an upload (checked at once), read a job, and run a job to its end."""

from __future__ import annotations

import asyncio
import logging
import pathlib
import time
from typing import Any, BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.common.db_errors import is_database_unavailable
from services.common.errors import Forbidden
from services.common.ids import new_id
from services.registry.access import Scope
from services.registry.agencies.service import resolve_body_agency
from services.registry.errors import not_found
from services.registry.imports.feeder import Readers
from services.registry.imports.job import ImportFailed, JobSpec, Progress, run_job
from services.registry.imports.models import ImportJob
from services.registry.imports.repository import ImportRepository
from services.registry.imports.upload import StoredFile, display_name, store_upload
from services.registry.imports.upsert import WriteContext
from services.registry.settings import RegistrySettings

logger = logging.getLogger("talenta.registry.imports")
# A job's final state waits this long for a database that refuses it (a restart, a failover), rather than leave
# the job `running` until the keeper finds its heartbeat stale, minutes later.
FINISH_PATIENCE_SECONDS = 60.0
FINISH_RETRY_SECONDS = 0.5


def stored_path(settings: RegistrySettings, job: ImportJob) -> pathlib.Path:
    """Where a job's upload waits: a name we chose (the client's name never reaches the filesystem)."""
    return pathlib.Path(settings.import_dir) / f"{job.id}.{job.file_format}"


async def receive_file(settings: RegistrySettings, source: BinaryIO, import_id: str, kind: str) -> StoredFile:
    """Stream the upload to disk and check it (type, encoding, size, columns); 4xx when it cannot be imported."""
    directory = pathlib.Path(settings.import_dir)
    return await asyncio.to_thread(store_upload, source, directory, import_id, kind, settings.max_import_bytes)


async def import_agency(session: AsyncSession, scope: Scope, agency_ref: str) -> str:
    """The id of the agency an import writes into; 422 when unknown or outside the caller's scope."""
    if scope.employee_only:
        raise Forbidden("Employee accounts cannot import data.", code="imports_forbidden")
    return await resolve_body_agency(session, scope, agency_ref)


async def create_import(
    session: AsyncSession,
    scope: Scope,
    stored: StoredFile,
    *,
    import_id: str,
    agency_id: str,
    kind: str,
    mode: str,
    file_name: str | None,
    owner: str,
) -> ImportJob:
    """Record a queued job for a received file (the runner starts it once this transaction commits)."""
    job = ImportJob(
        id=import_id,
        agency_id=agency_id,
        kind=kind,
        mode=mode,
        file_format=stored.file_format,
        delimiter=stored.delimiter,
        file_name=display_name(file_name),
        file_sha256=stored.sha256,
        file_bytes=stored.size,
        status="queued",
        progress=0.0,
        errors=[],
        caller_nip=scope.caller_nip,
        owner=owner,
        heartbeat_at=utcnow(),
        created_by=scope.actor,
        updated_by=scope.actor,
    )
    return await ImportRepository(session).add(job)


def new_import_id() -> str:
    """The id of a new job (chosen before the upload is stored, which is named after it)."""
    return new_id()


async def get_import(session: AsyncSession, scope: Scope, import_id: str) -> ImportJob:
    """The job, if the caller's agency may see it; 404 otherwise (another agency's looks missing)."""
    job = await ImportRepository(session).get(import_id)
    if job is None or not scope.sees_agency(job.agency_id):
        raise not_found("import", import_id)
    return job


async def execute_import(
    maker: async_sessionmaker[AsyncSession],
    settings: RegistrySettings,
    import_id: str,
    owner: str,
    progress: Progress,
    readers: Readers | None = None,
) -> dict[str, Any]:
    """Run a queued job to its end and record the outcome; answers its final columns. `readers`: how the process's
    jobs share the interpreter (`feeder.Readers`); a job of its own without it."""
    async with maker() as session:
        job = await ImportRepository(session).get(import_id)
        if job is None:
            raise LookupError(import_id)
        now = utcnow()
        await ImportRepository(session).set(import_id, status="running", started_at=now, owner=owner, heartbeat_at=now)
        spec = JobSpec(
            import_id, job.kind, job.mode, job.agency_id, stored_path(settings, job), job.file_format,
            job.delimiter, job.file_bytes,
            WriteContext(agency_id=job.agency_id, actor=job.created_by, source="import", caller_nip=job.caller_nip),
        )  # fmt: skip
        await session.commit()
    try:
        cap, batch_rows = settings.import_max_stored_errors, settings.import_batch_rows
        final = await run_job(maker, spec, cap, batch_rows, progress, readers or Readers())
        if final["status"] == "completed":
            await progress(1.0)
    except ImportFailed as exc:
        final = {"status": "failed", "detail": str(exc), "rows_written": 0}
    except asyncio.CancelledError:
        await finish(maker, import_id, {"status": "failed", "detail": STOPPED, "rows_written": 0}, spec.path)
        raise
    except Exception as exc:
        if is_database_unavailable(exc):
            logger.warning("import stopped: database unavailable", extra={"import_id": import_id})
            final = {"status": "failed", "detail": DATABASE_LOST, "rows_written": 0}
        else:
            logger.exception("import failed unexpectedly", extra={"import_id": import_id})
            detail = (
                f"An unexpected error stopped the import; nothing was written. Quote import {import_id} to support."
            )
            final = {"status": "failed", "detail": detail, "rows_written": 0}
    await finish(maker, import_id, final, spec.path)
    return final


DATABASE_LOST = (
    "The database became unavailable while the import ran; nothing was written. Upload the file again once the"
    " registry answers (imports are idempotent)."
)
STOPPED = (
    "The registry stopped while the import ran; nothing was written. Upload the file again (imports are idempotent)."
)
DIED = (
    "The registry process running this import stopped (restart or crash); nothing was written. Upload the file again."
)


async def finish(
    maker: async_sessionmaker[AsyncSession], import_id: str, final: dict[str, Any], path: pathlib.Path
) -> None:
    """Record a job's final state and delete its upload (no personal data is kept on disk after the job)."""
    values = final | {"finished_at": utcnow()}
    if final["status"] == "completed":
        values["progress"] = 1.0
    try:
        await _record_final(maker, import_id, values)
    finally:
        await asyncio.to_thread(path.unlink, True)


async def _record_final(maker: async_sessionmaker[AsyncSession], import_id: str, values: dict[str, Any]) -> None:
    deadline = time.monotonic() + FINISH_PATIENCE_SECONDS
    while True:
        try:
            async with maker() as session:
                await ImportRepository(session).set(import_id, **values)
                await session.commit()
            return
        except Exception as exc:
            if not is_database_unavailable(exc) or time.monotonic() > deadline:
                raise
            logger.warning("import outcome waits for the database", extra={"import_id": import_id})
        await asyncio.sleep(FINISH_RETRY_SECONDS)
