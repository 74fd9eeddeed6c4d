"""The registry app: ASN master data (agencies, units, positions, employees and their records) under /v1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from services.common.app import create_service_app
from services.common.db import (
    check_database,
    create_database_engine,
    create_sessionmaker,
    is_postgres,
    warn_unless_bytewise_collation,
)
from services.common.outbox_keeper import OutboxKeeper
from services.registry.agencies.router import router as agencies_router
from services.registry.assessments.router import router as assessments_router
from services.registry.base import idempotency_keys, outbox_events
from services.registry.employees.router import router as employees_router
from services.registry.events.router import router as events_router
from services.registry.exports.router import router as exports_router
from services.registry.imports.router import router as imports_router
from services.registry.imports.runner import ImportRunner
from services.registry.positions.router import router as positions_router
from services.registry.quality.router import router as quality_router
from services.registry.ratings.router import router as ratings_router
from services.registry.readpool import open_read_pool
from services.registry.records.router import router as records_router
from services.registry.settings import RegistrySettings, get_settings
from services.registry.siasn.router import router as siasn_router
from services.registry.siasn.runner import SyncRunner, http_client
from services.registry.units.router import router as units_router

# Routes are matched in order, router by router: the busiest (employee reads) go first.
ROUTERS = [
    employees_router,
    ratings_router,
    assessments_router,
    records_router,
    imports_router,
    exports_router,
    siasn_router,
    positions_router,
    units_router,
    quality_router,
    agencies_router,
    events_router,
]
OPENAPI_TAGS = [
    {"name": "agencies", "description": "Agencies (instansi), named by id or code."},
    {"name": "units", "description": "The organisation tree of each agency."},
    {"name": "positions", "description": "Positions, their level, key flag and competency standard."},
    {"name": "employees", "description": "Civil servants (ASN) keyed by NIP, with dated histories."},
    {"name": "performance ratings", "description": "Yearly SKP ratings and their predikat (PermenPANRB 6/2022)."},
    {"name": "assessments", "description": "Competency (with JPM) and potential assessments."},
    {"name": "awards and sanctions", "description": "Awards and disciplinary sanctions (PP 94/2021)."},
    {"name": "imports", "description": "Bulk CSV/NDJSON imports, run as jobs."},
    {"name": "scoring inputs", "description": "The streamed CSV the scoring service reads (internal)."},
    {"name": "siasn", "description": "Sync from BKN's SIASN (jobs), and each agency's SIASN credentials."},
    {"name": "data quality", "description": "Share of active people whose scoring inputs are complete, and why not."},
    {"name": "events", "description": "The outbox feed (`employee.changed`) the gateway merges (internal)."},
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the database engine and sessions for the app's life; dispose of them at shutdown."""
    engine = create_database_engine(app.state.settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    if is_postgres(engine):
        await warn_unless_bytewise_collation(engine)
        # Read-only requests need no transaction: autocommit saves the BEGIN and COMMIT round trips.
        app.state.read_sessionmaker = create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
        app.state.read_pool = await open_read_pool(app.state.settings)
    runner = app.state.import_runner = ImportRunner(app.state, app.state.settings)
    await runner.start()
    app.state.siasn_http = http_client(app.state.settings)
    siasn = app.state.siasn_runner = SyncRunner(app.state, app.state.settings)
    await siasn.start()
    settings = app.state.settings
    keeper = OutboxKeeper(
        app.state.sessionmaker, outbox_events, settings.outbox_retention_days, settings.outbox_purge_interval_seconds
    )
    keeper.start()
    try:
        yield
    finally:
        await keeper.stop()
        await siasn.stop()
        await app.state.siasn_http.aclose()
        await runner.stop()
        if getattr(app.state, "read_pool", None) is not None:
            await app.state.read_pool.close()
        await engine.dispose()


async def database_ready(request: Request) -> None:
    """Readiness: the registry database answers."""
    await check_database(request.app.state.engine)


def body_limits(settings: RegistrySettings) -> Callable[[str], int]:
    """Request body limits: uploads to /v1/imports up to the import limit (plus multipart framing), JSON 1 MB."""
    upload = settings.max_import_bytes + 64 * 1024
    return lambda path: upload if path == "/v1/imports" else settings.max_json_body_bytes


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    """The registry service app (settings from the environment unless given)."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Talenta registry",
        description="The system of record for agencies, units, positions and civil servants (ASN), keyed by NIP.",
        lifespan=lifespan,
        routers=ROUTERS,
        readiness_checks={"database": database_ready},
        openapi_tags=OPENAPI_TAGS,
        body_limit_for=body_limits(settings),
        upload_paths=frozenset({"/v1/imports"}),
    )
    app.state.idempotency_table = idempotency_keys
    return app
