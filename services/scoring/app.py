"""The scoring app: policies, talent reviews (jobs), placements and succession under /v1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from fastapi import FastAPI, Request

from services.common.app import create_service_app
from services.common.db import check_database, create_database_engine, create_sessionmaker
from services.common.health import ReadinessCheck
from services.common.outbox_keeper import OutboxKeeper
from services.scoring.base import idempotency_keys, outbox_events
from services.scoring.events.router import router as events_router
from services.scoring.jobs.worker import ReviewWorker
from services.scoring.metrics import ScoringMetrics
from services.scoring.ninebox.router import router as ninebox_router
from services.scoring.placements.router import router as placements_router
from services.scoring.placements.talent_router import router as talent_router
from services.scoring.policies.router import router as policies_router
from services.scoring.policies.service import ensure_builtin_policies
from services.scoring.quality.router import router as quality_router
from services.scoring.registry import Registry, registry_client
from services.scoring.reviews.router import router as reviews_router
from services.scoring.settings import ScoringSettings, get_settings
from services.scoring.succession.router import router as succession_router
from services.scoring.talentpool.router import router as talentpool_router

ROUTERS = [
    placements_router,
    reviews_router,
    policies_router,
    succession_router,
    talent_router,
    talentpool_router,
    ninebox_router,
    quality_router,
    events_router,
]
OPENAPI_TAGS = [
    {"name": "policies", "description": "Scoring policies: built-in and derived, versioned, immutable."},
    {"name": "talent reviews", "description": "Review runs (jobs) of an agency for a period under a policy."},
    {"name": "placements", "description": "9-box placements, explanations, calibrations and the grid."},
    {"name": "succession", "description": "Successor shortlists and the agency's succession overview."},
    {"name": "talent", "description": "A person's placement history across reviews."},
    {"name": "talent pool", "description": "The talent pool across agencies, with readiness for a level."},
    {"name": "data quality", "description": "Complete scoring inputs per agency, under the policy's age limit."},
    {"name": "events", "description": "The outbox feed the gateway merges (internal)."},
]


def lifespan_with(
    run_worker: Callable[[ScoringSettings], bool],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan creating the database engine, the registry client and (when asked) a review worker."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings: ScoringSettings = app.state.settings
        engine = create_database_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.registry = Registry(registry_client(settings, app.state.registry_transport), settings)
        worker: ReviewWorker | None = None
        keeper = OutboxKeeper(
            app.state.sessionmaker,
            outbox_events,
            settings.outbox_retention_days,
            settings.outbox_purge_interval_seconds,
        )
        try:
            async with app.state.sessionmaker() as session, session.begin():
                await ensure_builtin_policies(session)
            if run_worker(settings):
                worker = ReviewWorker(app.state.sessionmaker, app.state.registry, settings, app.state.scoring_metrics)
                app.state.worker = worker
                worker.start()
            keeper.start()
            yield
        finally:
            await keeper.stop()
            if worker is not None:
                await worker.shutdown(settings.shutdown_grace_seconds)
                app.state.worker = None
            await app.state.registry.aclose()
            await engine.dispose()

    return lifespan


async def database_ready(request: Request) -> None:
    """Readiness: the scoring database answers."""
    await check_database(request.app.state.engine)


async def registry_ready(request: Request) -> None:
    """Readiness: the registry answers its own /readyz."""
    registry: Registry = request.app.state.registry
    await registry.ready()


READINESS: dict[str, ReadinessCheck] = {"database": database_ready, "registry": registry_ready}


def create_app(
    settings: ScoringSettings | None = None, *, registry_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The scoring service app (settings from the environment unless given)."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Talenta scoring",
        description="Scoring policies, talent reviews (9-box placements), calibrations and succession shortlists.",
        lifespan=lifespan_with(lambda s: s.run_worker),
        routers=ROUTERS,
        readiness_checks=READINESS,
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.idempotency_table = idempotency_keys
    app.state.registry_transport = registry_transport
    app.state.scoring_metrics = ScoringMetrics(app.state.metrics.registry)
    app.state.worker = None
    return app
