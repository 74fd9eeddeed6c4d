"""The OpenAPI document: the API contract check, schemas of forwarded bodies, security, problem answers."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import httpx
from fastapi import FastAPI

from tests.contract_checker import checker


def test_contract_check_passes(app: FastAPI, tmp_path: pathlib.Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(app.openapi()))
    result = subprocess.run([sys.executable, str(checker()), str(spec)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_document_is_served_and_complete(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert {"oauth2", "bearerAuth"} <= set(spec["components"]["securitySchemes"])
    flows = spec["components"]["securitySchemes"]["oauth2"]["flows"]
    assert {"clientCredentials", "authorizationCode"} <= set(flows)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), (method, path)
            if path.startswith("/api/v1/") and not path.startswith("/api/v1/auth/"):
                assert operation["security"], (method, path)
                assert "401" in operation["responses"], (method, path)
                problem = operation["responses"]["401"]["content"]["application/problem+json"]
                assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
            body = operation.get("requestBody")
            if body:
                for media in body["content"].values():
                    ref = media["schema"].get("$ref")
                    if ref:
                        assert ref.rsplit("/", 1)[1] in schemas, (method, path, ref)
    employee = spec["paths"]["/api/v1/employees/{nip}"]["get"]
    assert any(p["name"] == "nip" and p["in"] == "path" for p in employee["parameters"])
    patch = spec["paths"]["/api/v1/employees/{nip}"]["patch"]
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert schemas["EmployeeCreate"]["additionalProperties"] is False
    assert "multipart/form-data" in spec["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    assert (await client.get("/docs")).status_code == 200


def test_operation_ids_are_unique(app: FastAPI) -> None:
    ids = [op["operationId"] for item in app.openapi()["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "get_employees_nip" in ids
