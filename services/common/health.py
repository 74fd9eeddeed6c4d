"""`/healthz` (the process is alive) and `/readyz` (its database and dependencies answer)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from services.common.errors import ServiceUnavailable, problem_response, problem_responses

ReadinessCheck = Callable[[Request], Awaitable[None]]
logger = logging.getLogger("talenta.health")


class Health(BaseModel):
    """The answer of a health probe."""

    status: str
    service: str
    checks: dict[str, str] = {}


def health_router(checks: dict[str, ReadinessCheck], timeout_seconds: float = 3.0) -> APIRouter:
    """Health routes; `checks` name what `/readyz` must reach (database, downstream services ...)."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=Health, summary="Liveness")
    async def healthz(request: Request) -> Health:
        """Alive: the process answers. Does not touch the database."""
        return Health(status="ok", service=request.app.state.settings.service_name)

    @router.get(
        "/readyz",
        response_model=Health,
        summary="Readiness",
        responses={503: {**problem_responses(503)[503], "description": "A dependency is unreachable"}},
    )
    async def readyz(request: Request) -> Health | Response:
        """Ready: the database and every dependency this service needs answer."""
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(request), timeout_seconds)
                results[name] = "ok"
            except Exception as exc:  # a failed check is an answer, not an error of this route
                logger.warning("readiness check failed", extra={"check": name, "error": type(exc).__name__})
                results[name] = f"unavailable: {type(exc).__name__}"
        if all(v == "ok" for v in results.values()):
            return Health(status="ok", service=request.app.state.settings.service_name, checks=results)
        failing = ", ".join(k for k, v in results.items() if v != "ok")
        problem = ServiceUnavailable(f"Not ready: {failing} unreachable", code="not_ready", extra={"checks": results})
        return problem_response(problem.to_problem())

    return router
