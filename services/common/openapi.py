"""The OpenAPI document's error answers as they are sent: problem+json, 422 and 503 included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.common.errors import PROBLEM_MEDIA_TYPE, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_UNCHECKED_PATHS = frozenset({"/healthz", "/metrics"})  # no database behind them
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Document as problem+json what any route may answer: 422 (FastAPI's own is plain JSON), 413 and 503."""
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses or operation.get("parameters") or operation.get("requestBody"):
                # Any input can be refused, if only for a NUL character (services.common.nul).
                responses["422"] = _problem("Invalid input")
            if operation.get("requestBody"):  # every body has a size limit (BodyLimitMiddleware)
                responses.setdefault("413", _problem("The body is larger than the limit"))
            if path not in _UNCHECKED_PATHS:
                responses.setdefault("503", _problem("A dependency (database or service) is unavailable; retry"))
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    return schema


def install_problem_openapi(app: FastAPI, build: Callable[[FastAPI], dict[str, Any]] | None = None) -> None:
    """Serve `build(app)` (default: FastAPI's own document) with `document_problems` applied, built once."""

    def default(app: FastAPI) -> dict[str, Any]:
        return get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes,
            tags=app.openapi_tags,
        )  # fmt: skip

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems((build or default)(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
