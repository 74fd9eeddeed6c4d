"""The gateway's OpenAPI document: forwarded request bodies, security schemes, tags."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.common.openapi import install_problem_openapi
from services.gateway.auth.permissions_doc import SCOPE_DESCRIPTIONS
from services.gateway.downstream.router import REQUEST_MODELS

PUBLIC_PATHS = frozenset(
    {
        "/api/v1/auth/token",
        "/api/v1/auth/authorize",
        "/api/v1/auth/revoke",
        "/.well-known/jwks.json",
        "/healthz",
        "/readyz",
        "/metrics",
    }
)
OPENAPI_TAGS = [
    {"name": "auth", "description": "OAuth 2 token endpoint, sign-in page, revocation, JWKS, the caller"},
    {"name": "agencies", "description": "Agencies (instansi), named by id or code"},
    {"name": "units", "description": "Organisation units (a tree per agency)"},
    {"name": "positions", "description": "Positions, key positions and competency standards"},
    {"name": "employees", "description": "Civil servants keyed by NIP"},
    {
        "name": "assessments",
        "description": "Performance ratings, competency and potential assessments, awards, sanctions",
    },
    {"name": "imports", "description": "Bulk imports and SIASN syncs (202 jobs)"},
    {"name": "talent", "description": "Scoring policies, talent reviews, placements, the 9-box, calibration"},
    {"name": "succession", "description": "Successor shortlists and succession overviews"},
    {"name": "national", "description": "The national views: talent pool, 9-box and data quality across agencies"},
    {"name": "events", "description": "The event feed and signed webhooks (review, placement, employee, succession)"},
    {"name": "audit", "description": "Who read or changed whose data"},
    {"name": "admin", "description": "Users and clients of the gateway"},
    {"name": "operations", "description": "Health and metrics"},
]
BEARER: list[dict[str, list[str]]] = [{"oauth2": []}, {"bearerAuth": []}]


def _security_schemes() -> dict[str, Any]:
    token_url, authorize_url = "/api/v1/auth/token", "/api/v1/auth/authorize"
    return {
        "oauth2": {
            "type": "oauth2",
            "description": "Client credentials for systems; authorization code with PKCE (S256) for apps.",
            "flows": {
                "clientCredentials": {"tokenUrl": token_url, "scopes": SCOPE_DESCRIPTIONS},
                "authorizationCode": {
                    "authorizationUrl": authorize_url,
                    "tokenUrl": token_url,
                    "refreshUrl": token_url,
                    "scopes": SCOPE_DESCRIPTIONS,
                },
                "password": {"tokenUrl": token_url, "refreshUrl": token_url, "scopes": SCOPE_DESCRIPTIONS},
            },
        },
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (RFC 9068 at+jwt)"},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The full document: generated routes plus forwarded bodies' schemas and security."""
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, model in REQUEST_MODELS.items():
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(model_schema.pop("$defs", {}))
        schemas[name] = model_schema
    components["securitySchemes"] = _security_schemes()
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            operation.pop("x-request-model", None)
            if path not in PUBLIC_PATHS:
                operation["security"] = BEARER
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve `build_openapi` at /openapi.json (built once, error answers as the common rules document them)."""
    install_problem_openapi(app, build_openapi)
