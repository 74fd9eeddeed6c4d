"""SIASN sync use cases: start a job (agency scope), read it with a page of outcomes, and run it to its end."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.common.errors import Forbidden
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.agencies.service import resolve_body_agency
from services.registry.errors import invalid_body_field, not_found
from services.registry.imports.upsert import WriteContext
from services.registry.paging import after_id
from services.registry.settings import RegistrySettings
from services.registry.siasn.client import SiasnClient
from services.registry.siasn.job import Fetched, JobState, SyncFailed, fetch_all, sync_units, write_all
from services.registry.siasn.models import SiasnSync, SiasnSyncItem
from services.registry.siasn.repository import SiasnRepository
from services.registry.siasn.schemas import OUTCOMES, SyncCreate
from services.registry.siasn.tokens import SiasnAuthError

logger = logging.getLogger("talenta.registry.siasn")
DIED = "The registry process running this sync stopped before it ended; start a new sync."
ClientFor = Callable[[str], Awaitable[tuple[SiasnClient, str]]]  # agency id -> (client, instansi id)
Progress = Callable[[float], Awaitable[None]]


async def create_sync(
    session: AsyncSession, scope: Scope, settings: RegistrySettings, body: SyncCreate, owner: str
) -> SiasnSync:
    """Record a queued sync of some NIPs or of an agency (the runner starts it once this commits)."""
    if scope.employee_only:
        raise Forbidden("Employee accounts cannot start SIASN syncs.", code="siasn_forbidden")
    agency_id = await resolve_body_agency(session, scope, body.agency_id)
    nips = list(dict.fromkeys(body.nips)) if body.nips is not None else None
    if nips is not None and len(nips) > settings.siasn_max_nips:
        raise invalid_body_field("nips", f"at most {settings.siasn_max_nips} NIPs per sync", code="too_many_nips")
    job = SiasnSync(
        agency_id=agency_id,
        scope="nips" if nips is not None else "agency",
        requested=nips,
        status="queued",
        progress=0.0,
        nips_total=len(nips) if nips is not None else None,
        counts=dict.fromkeys(OUTCOMES, 0),
        owner=owner,
        heartbeat_at=utcnow(),
        created_by=scope.actor,
        updated_by=scope.actor,
    )
    await SiasnRepository(session).save(job)
    return job


async def get_sync(
    session: AsyncSession, scope: Scope, sync_id: str, page: PageParams
) -> tuple[SiasnSync, list[SiasnSyncItem], str | None]:
    """A sync the caller may see (404 otherwise) and a page of its per-NIP outcomes."""
    repository = SiasnRepository(session)
    job = await repository.sync(sync_id)
    if job is None or not scope.sees_agency(job.agency_id) or scope.employee_only:
        raise not_found("siasn_sync", sync_id)
    rows = await repository.items(sync_id, after_id(page), page.limit + 1)
    items, cursor = make_page(rows, page, lambda item: [item.nip])
    return job, items, cursor


async def execute_sync(
    maker: async_sessionmaker[AsyncSession],
    settings: RegistrySettings,
    sync_id: str,
    client_for: ClientFor,
    progress: Progress,
) -> None:
    """Run a queued job to its end and record how it ended (failed with the reason when it cannot go on)."""
    async with maker() as session:
        repository = SiasnRepository(session)
        job = await repository.sync(sync_id)
        if job is None or job.status != "queued":
            return
        nips = job.requested if job.requested is not None else await repository.agency_nips(job.agency_id)
        await repository.update_job(sync_id, status="running", started_at=utcnow(), nips_total=len(nips))
        await session.commit()
        agency_id, actor = job.agency_id, job.created_by
    state = JobState(total=len(nips))
    try:
        client, instansi_id = await client_for(agency_id)
        context = WriteContext(agency_id, actor, source="siasn")
        units = await sync_units(maker, client, context, instansi_id)
        results: asyncio.Queue[Fetched | None] = asyncio.Queue(maxsize=2 * settings.siasn_batch_size)
        fetching = asyncio.create_task(fetch_all(client, nips, instansi_id, units, results))
        try:
            await write_all(maker, context, sync_id, units, results, state, settings.siasn_batch_size, progress)
        finally:
            if not fetching.done():
                fetching.cancel()
        await fetching
        final: dict[str, object] = {"status": "completed", "progress": 1.0}
    except (SyncFailed, SiasnAuthError) as exc:
        final = {"status": "failed", "detail": str(exc)}
    except Exception:
        logger.exception("siasn sync failed", extra={"sync_id": sync_id})
        final = {"status": "failed", "detail": "The sync stopped on an internal error; what it wrote is kept."}
    except asyncio.CancelledError:
        await _finish(maker, sync_id, {"status": "failed", "detail": DIED}, state)
        raise
    await _finish(maker, sync_id, final, state)


async def _finish(
    maker: async_sessionmaker[AsyncSession], sync_id: str, values: dict[str, object], state: JobState
) -> None:
    async with maker() as session:
        repository = SiasnRepository(session)
        counts = await repository.outcome_counts(sync_id)
        await repository.update_job(sync_id, **values, counts=dict.fromkeys(OUTCOMES, 0) | counts, finished_at=utcnow())
        await session.commit()
    logger.info("siasn sync ended", extra={"sync_id": sync_id, "status": values["status"], "nips": state.total})
