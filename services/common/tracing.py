"""OpenTelemetry tracing across the gateway -> registry/scoring hops, on when an OTLP endpoint is set."""

from __future__ import annotations

from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.logging import current_request_id

_configured: set[str] = set()


def configure_tracing(service: str, endpoint: str) -> None:
    """Install a tracer provider exporting spans over OTLP/HTTP to `endpoint` (once per process)."""
    if service in _configured:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"talenta-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    _configured.add(service)


def inject_trace_headers(headers: dict[str, str]) -> None:
    """Add `traceparent` (and friends) for the current span to outgoing headers; no-op without tracing.

    Without tracing in this process there is no span to name (TracingMiddleware is installed only with it), and
    OpenTelemetry's propagators would still look up the context and baggage on every internal call."""
    if _configured:
        propagate.inject(headers)


class TracingMiddleware:
    """A server span per request, continuing the caller's trace from its `traceparent` header."""

    def __init__(self, app: ASGIApp, service: str, endpoint: str) -> None:
        configure_tracing(service, endpoint)
        self.app = app
        self.tracer = trace.get_tracer("talenta")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier: dict[str, Any] = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        context = propagate.extract(carrier)
        with self.tracer.start_as_current_span(scope["method"], context=context, kind=SpanKind.SERVER) as span:
            # The request id links a trace to the log lines of the same request, in every service.
            request_id = current_request_id()
            if request_id:
                span.set_attribute("talenta.request_id", request_id)
            status_holder = {"status": 500}

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                await send(message)

            await self.app(scope, receive, traced_send)
            route = getattr(scope.get("route"), "path", "unmatched")
            span.update_name(f"{scope['method']} {route}")
            span.set_attribute("http.route", str(route))
            span.set_attribute("http.response.status_code", status_holder["status"])
            if status_holder["status"] >= 500:
                span.set_status(Status(StatusCode.ERROR))
