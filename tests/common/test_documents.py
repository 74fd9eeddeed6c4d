"""Every service's OpenAPI documents the error answers any of its routes can give, as problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.gateway.app import create_app as gateway_app
from services.registry.app import create_app as registry_app
from services.scoring.app import create_app as scoring_app

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module", params=["registry", "scoring", "gateway"])
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    factory = {"registry": registry_app, "scoring": scoring_app, "gateway": gateway_app}[request.param]
    app: FastAPI = factory()
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_input_can_be_refused_and_bodies_can_be_too_large(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        if operation.get("parameters") or operation.get("requestBody"):
            assert PROBLEM in responses["422"]["content"], (method, path)  # a NUL, if nothing else
        if operation.get("requestBody"):
            assert "413" in responses, (method, path)
        if path not in ("/healthz", "/metrics"):
            assert PROBLEM in responses["503"]["content"], (method, path)  # the database may be away


def test_a_put_that_creates_documents_its_201() -> None:
    put = registry_app().openapi()["paths"]["/v1/agencies/{agency_id}/siasn-credentials"]["put"]
    assert {"200", "201"} <= set(put["responses"])
