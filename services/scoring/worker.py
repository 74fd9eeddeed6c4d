"""`python -m services.scoring.worker`: a review worker process (no API routes).

It serves only /healthz, /readyz and /metrics on SCORING_WORKER_PORT (the Kubernetes probes and Prometheus
use them). On SIGTERM it stops claiming reviews and finishes or releases the current one within
SCORING_SHUTDOWN_GRACE_SECONDS.
"""

from __future__ import annotations

import httpx
import uvicorn
from fastapi import FastAPI

from services.common.app import create_service_app
from services.scoring.app import READINESS, lifespan_with
from services.scoring.metrics import ScoringMetrics
from services.scoring.settings import ScoringSettings, get_settings


def create_worker_app(
    settings: ScoringSettings | None = None, *, registry_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The worker process's app: a review worker in its lifespan, and the health and metrics routes."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Talenta scoring worker",
        description="Runs queued talent reviews; serves health and metrics only.",
        lifespan=lifespan_with(lambda _settings: True),
        routers=[],
        readiness_checks=READINESS,
    )
    app.state.registry_transport = registry_transport
    app.state.scoring_metrics = ScoringMetrics(app.state.metrics.registry)
    app.state.worker = None
    return app


def main() -> None:
    """Run one worker process until SIGTERM or Ctrl-C."""
    settings = get_settings()
    uvicorn.run(
        create_worker_app(settings),
        host=settings.worker_host,
        port=settings.worker_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) + 5,
    )


if __name__ == "__main__":
    main()
