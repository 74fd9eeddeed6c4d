"""The forwarded resource routes, generated from the route table with full OpenAPI descriptions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from services.common.errors import problem_responses
from services.gateway.auth.dependencies import authenticate
from services.gateway.downstream.proxy import forward
from services.gateway.downstream.routes import Route
from services.gateway.downstream.routes_national import NATIONAL_ROUTES
from services.gateway.downstream.routes_registry import REGISTRY_ROUTES
from services.gateway.downstream.routes_talent import TALENT_ROUTES

ROUTES = REGISTRY_ROUTES + TALENT_ROUTES + NATIONAL_ROUTES
_PATH_PARAM = re.compile(r"\{([^}]+)\}")
_PARAM_DOCS = {
    "nip": ("18-digit NIP", "198609262015051001"),
    "agency_id": ("Agency id or code", "pemkab-lampung-barat"),
    "year": ("Rating year", "2025"),
}
_RESPONSE_HEADERS = {
    "ETag": {"description": "Version of the resource; send it back in If-Match", "schema": {"type": "string"}},
    "Location": {"description": "The created resource, or the job to poll", "schema": {"type": "string"}},
    "X-Request-ID": {"description": "Request id (echoed if sent)", "schema": {"type": "string"}},
}
_WRITE_HEADERS = {
    "PATCH": [("If-Match", True, "ETag of the version being changed (428 without, 412 if stale)")],
    "DELETE": [("If-Match", True, "ETag of the version being deleted (428 without, 412 if stale)")],
    "PUT": [("If-Match", False, "Needed when replacing an existing record")],
    "POST": [("Idempotency-Key", False, "A replay returns the first response; another body with it is 422")],
}


def _parameters(route: Route) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name in _PATH_PARAM.findall(route.path):
        description, example = _PARAM_DOCS.get(name, (name.replace("_", " "), None))
        param: dict[str, Any] = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": description,
        }
        if example:
            param["example"] = example
        params.append(param)
    for query in route.query:
        params.append(
            {
                "name": query.name,
                "in": "query",
                "required": False,
                "schema": {"type": query.type},
                "description": query.description,
            }
        )
    for header, required, description in _WRITE_HEADERS.get(route.method, []):
        params.append(
            {
                "name": header,
                "in": "header",
                "required": required,
                "schema": {"type": "string"},
                "description": description,
            }
        )
    return params


def _responses(route: Route) -> dict[int | str, dict[str, Any]]:
    success: dict[str, Any] = {"description": route.summary, "headers": _RESPONSE_HEADERS}
    if route.response is not None:
        success["model"] = route.response
    elif route.media_type in ("image/svg+xml", "text/csv"):
        success["content"] = {route.media_type: {"schema": {"type": "string"}}}
    errors = [401, 403, 404, 422, 429, 503, 504]
    if route.method in ("PATCH", "DELETE", "PUT"):
        errors += [412, 428]
    if route.method in ("POST", "PUT", "PATCH"):
        errors += [409, 413]
    if route.media_type == "multipart/form-data":
        errors += [415]  # a file that is not CSV or NDJSON text
    errors += [status for status in route.also_answers if status >= 400 and status not in errors]
    successes: dict[int | str, dict[str, Any]] = {
        status: dict(success) for status in (route.status, *route.also_answers) if status < 400
    }
    return {**successes, **problem_responses(*sorted(errors))}


def operation_id(route: Route) -> str:
    """A stable, readable operationId for client generators, e.g. `get_employees_nip_history`."""
    words = re.sub(r"[^a-z0-9]+", "_", route.path.removeprefix("/api/v1/").lower()).strip("_")
    return f"{route.method.lower()}_{words}"


class ForwardedRoute(APIRoute):
    """A route table row: documented by FastAPI like any route, served by its endpoint as a plain ASGI app.

    The endpoint takes the Request and returns the Response, so FastAPI's per-request machinery (solving the
    parameters, serialising a return value, the exit stacks for dependencies with yield, a second exception
    wrapper) had nothing to do but still cost about a tenth of a forwarded GET (python -m tests.perf gateway).
    An error still reaches the app's handlers, through Starlette's ExceptionMiddleware, as from any route."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.app = self._serve

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)


def _endpoint(route: Route) -> Any:
    async def endpoint(request: Request) -> Response:
        # Authenticated by a direct call, not a dependency (see ForwardedRoute). OpenAPI's security comes from
        # services.gateway.openapi.
        return await forward(request, await authenticate(request), route)

    needs = " or ".join(f"`{permission}`" for permission in (route.permission, *route.also))
    endpoint.__doc__ = f"{route.description or route.summary}. Needs {needs}."
    return endpoint


def build_router() -> APIRouter:
    """An APIRouter with one forwarding route per row of the route table."""
    router = APIRouter(route_class=ForwardedRoute)
    for route in ROUTES:
        extra: dict[str, Any] = {"parameters": _parameters(route)}
        if route.request is not None:
            extra["requestBody"] = {
                "required": True,
                "content": {route.media_type: {"schema": {"$ref": f"#/components/schemas/{route.request.__name__}"}}},
            }
            extra["x-request-model"] = route.request.__name__
        router.add_api_route(
            route.path,
            _endpoint(route),
            methods=[route.method],
            status_code=route.status,
            summary=route.summary,
            tags=[route.tag],
            response_class=Response,
            responses=_responses(route),
            openapi_extra=extra,
            name=f"{route.method.lower()}_{route.path}",
            operation_id=operation_id(route),
        )
    return router


REQUEST_MODELS = {route.request.__name__: route.request for route in ROUTES if route.request is not None}
