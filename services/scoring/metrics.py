"""Scoring's own Prometheus metrics: review queue depth, reviews by status, job outcomes and durations."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.scoring.reviews.models import QUEUED, STATUSES

_JOB_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class ScoringMetrics:
    """Metrics registered on the app's registry (served by its /metrics)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.jobs = Counter(
            "scoring_review_jobs_total",
            "Review job attempts by outcome (completed, retried, failed, lease_lost, released)",
            ["outcome"],
            registry=registry,
        )
        self.durations = Histogram(
            "scoring_review_duration_seconds",
            "Time of completed review jobs by phase (export, compute, write, total)",
            ["phase"],
            buckets=_JOB_BUCKETS,
            registry=registry,
        )
        self.reviews = Gauge("scoring_reviews", "Reviews by status", ["status"], registry=registry)
        self.queue_depth = Gauge(
            "scoring_review_queue_depth", "Reviews queued and waiting for a worker", registry=registry
        )

    def observe_counts(self, counts: Mapping[str, int]) -> None:
        """Set the gauges from a count of reviews by status."""
        for status in STATUSES:
            self.reviews.labels(status).set(counts.get(status, 0))
        self.queue_depth.set(counts.get(QUEUED, 0))

    def observe_job(self, export: float, compute: float, write: float) -> None:
        """Record a completed review's phases."""
        for phase, seconds in (("export", export), ("compute", compute), ("write", write)):
            self.durations.labels(phase).observe(seconds)
        self.durations.labels("total").observe(export + compute + write)
