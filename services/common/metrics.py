"""Prometheus metrics: one registry per app, HTTP request metrics, and a `/metrics` route."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The metrics of one service; services add their own on `registry` (queue depth, jobs ...)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge("http_requests_in_flight", "Requests being served", registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric in this registry."""
        return generate_latest(self.registry)


def metrics_router() -> APIRouter:
    """`GET /metrics` for the app's `state.metrics`."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", include_in_schema=True, response_class=Response, summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics of this process (text exposition format)."""
        registry_metrics: Metrics = request.app.state.metrics
        return Response(registry_metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router
