"""The one way a Talenta service app is assembled: errors, middleware, health and metrics alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from services.common.errors import install_error_handlers
from services.common.health import ReadinessCheck, health_router
from services.common.heap import long_lived_frozen
from services.common.logging import configure_logging
from services.common.metrics import Metrics, driver_pool_use, engine_pool_use, metrics_router
from services.common.middleware import BodyLimitMiddleware, RequestContextMiddleware
from services.common.nul import RefuseNulMiddleware
from services.common.openapi import install_problem_openapi
from services.common.settings import ServiceSettings
from services.common.tracing import TracingMiddleware

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    lifespan: Lifespan,
    routers: Sequence[APIRouter],
    readiness_checks: dict[str, ReadinessCheck],
    body_limit_for: Callable[[str], int] | None = None,
    upload_paths: frozenset[str] = frozenset(),
    openapi_tags: list[dict[str, Any]] | None = None,
    version: str = "1.0.0",
) -> FastAPI:
    """A FastAPI app with the common error handling, request ids, logs, metrics and health routes."""
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=_frozen_once_started(lifespan),
        openapi_tags=openapi_tags,
        # FastAPI's own telemetry turns on with any tracer provider and puts the raw path (NIPs) on its spans;
        # ours (TracingMiddleware) names route templates only, and Prometheus has the metrics.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.metrics = Metrics(settings.service_name)
    # Pools are read at scrape time: the engine's, and a driver pool a service keeps beside it (`read_pool`).
    app.state.metrics.pools.watch("engine", lambda: engine_pool_use(getattr(app.state, "engine", None)))
    app.state.metrics.pools.watch("read", lambda: driver_pool_use(getattr(app.state, "read_pool", None)))
    install_error_handlers(app)
    install_problem_openapi(app)
    # The routers' routes go straight into the app's route list, in order: the service's own (busiest first)
    # before the probes and the scrape. FastAPI's include_router would keep each router as a node matched twice
    # per request (17% of the Python calls of a registry GET); none of ours has a prefix, tags or dependencies
    # to add at inclusion, and the OpenAPI document is the same either way.
    for router in (*routers, health_router(readiness_checks), metrics_router()):
        app.router.routes.extend(router.routes)
    limit = body_limit_for or (lambda _path: settings.max_json_body_bytes)
    # Added innermost first: the request context wraps everything, so even a 413 has a request id, and the
    # NUL check reads a JSON body inside the body limit.
    app.add_middleware(RefuseNulMiddleware, routes=lambda: app.router.routes)
    app.add_middleware(BodyLimitMiddleware, limit_for=limit, uploads=upload_paths)
    if settings.otel_endpoint:
        app.add_middleware(TracingMiddleware, service=settings.service_name, endpoint=settings.otel_endpoint)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    return app


def _frozen_once_started(lifespan: Lifespan) -> Lifespan:
    """The service's lifespan; once it has started, what it built stays out of the garbage collector's passes."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app):
            with long_lived_frozen():
                yield

    return run
