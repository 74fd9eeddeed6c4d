"""Prometheus metrics: one registry per app, HTTP request metrics, database pool use, and a `/metrics` route."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
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
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.in_flight = Gauge("http_requests_in_flight", "Requests being served", registry=self.registry)
        self.pools = PoolCollector()
        self.registry.register(self.pools)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        # The labelled children, found once per (method, route template, status): a bounded set, and
        # prometheus_client's own look-up (label checks, a lock) cost more than the counting.
        children = self._children.get((method, route, status))
        if children is None:
            children = self._children[(method, route, status)] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric in this registry."""
        return generate_latest(self.registry)


@dataclass(frozen=True)
class PoolUse:
    """Connections of one pool at one moment: in use, open and idle, and the most it may open."""

    in_use: int
    idle: int
    limit: int


PoolReader = Callable[[], PoolUse | None]


class PoolCollector(Collector):
    """Database pool use, read from the pools at scrape time (pools are created in lifespans, after metrics).

    Alert when `db_pool_connections{state="in_use"}` nears `db_pool_max_connections`: requests then wait
    for a connection (up to the pool timeout) before they reach the database."""

    def __init__(self) -> None:
        self._readers: dict[str, PoolReader] = {}

    def watch(self, name: str, reader: PoolReader) -> None:
        """Report the pool `reader` describes under `pool=name` (None from the reader: not open now)."""
        self._readers[name] = reader

    def describe(self) -> Iterator[Metric]:
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        connections, limits = self._families()
        for name, reader in self._readers.items():
            use = reader()
            if use is None:
                continue
            connections.add_metric([name, "in_use"], use.in_use)
            connections.add_metric([name, "idle"], use.idle)
            limits.add_metric([name], use.limit)
        yield connections
        yield limits

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily("db_pool_connections", "Database connections by pool, state", labels=["pool", "state"]),
            GaugeMetricFamily("db_pool_max_connections", "The most connections a pool opens", labels=["pool"]),
        )


def engine_pool_use(engine: Any) -> PoolUse | None:
    """The use of a SQLAlchemy engine's queue pool (None without one, e.g. before the lifespan made it)."""
    pool = getattr(engine, "pool", None)
    if pool is None or not hasattr(pool, "checkedout"):
        return None
    # QueuePool publishes no getter for its overflow allowance; the attribute has been stable since 0.x.
    limit = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
    return PoolUse(in_use=pool.checkedout(), idle=pool.checkedin(), limit=limit)


def driver_pool_use(pool: Any) -> PoolUse | None:
    """The use of an asyncpg pool (a service's own pool beside its engine)."""
    if pool is None:
        return None
    idle = pool.get_idle_size()
    return PoolUse(in_use=pool.get_size() - idle, idle=idle, limit=pool.get_max_size())


def metrics_router() -> APIRouter:
    """`GET /metrics` for the app's `state.metrics`."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", include_in_schema=True, response_class=Response, summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics of this process (text exposition format)."""
        registry_metrics: Metrics = request.app.state.metrics
        return Response(registry_metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router
