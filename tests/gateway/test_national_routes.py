"""The national views through the gateway: national:read (national admins and national clients) sees every agency,
talent:read principals get their own agency through the same routes, others are refused; OpenAPI documents them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.webhooks.service import check_endpoint
from tests.gateway.conftest import Accounts, TokenFor, bearer, client_token
from tests.gateway.stub import AGENCY_A

ROUTES = (
    "/api/v1/talent-pool?ready_for=jpt_pratama&readiness=ready_now",
    "/api/v1/nine-box?period=2025",
    "/api/v1/nine-box.svg?period=2025",
    "/api/v1/data-quality?period=2025",
    f"/api/v1/agencies/{AGENCY_A}/data-quality?period=2025",
)


async def _identity(client: httpx.AsyncClient, stubs: dict[str, Any], path: str, headers: dict[str, str]) -> Any:
    answer = await client.get(path, headers=headers)
    if answer.status_code != 200:
        return answer.status_code
    call = stubs["scoring"].state.calls[-1]
    assert call["path"] == path.split("?")[0].removeprefix("/api")
    assert call["query"] == path.partition("?")[2]
    return call["identity"]["agency_id"]


@pytest.mark.parametrize("path", ROUTES)
async def test_who_sees_what(
    client: httpx.AsyncClient, stubs: dict[str, Any], accounts: Accounts, token_for: TokenFor, path: str
) -> None:
    national = bearer(await token_for(["national_admin"], agency_id=None))
    assert await _identity(client, stubs, path, national) is None  # every agency
    for role in ("agency_admin", "assessor", "viewer"):
        agency = bearer(await token_for([role], agency_id=AGENCY_A))
        assert await _identity(client, stubs, path, agency) == AGENCY_A  # their own, through the same route
    assert await _identity(client, stubs, path, bearer(await token_for(["employee"], nip="198609262015051001"))) == 403
    machine = await accounts.client(["national:read"], agency_id=None)
    assert await _identity(client, stubs, path, bearer(await client_token(client, machine))) is None
    narrow = await accounts.client(["employees:read"], agency_id=None)
    assert await _identity(client, stubs, path, bearer(await client_token(client, narrow))) == 403
    # national:read is national only: an agency's client needs talent:read, and reaches its own agency.
    agency_client = await accounts.client(["national:read"], agency_id=AGENCY_A)
    assert await _identity(client, stubs, path, bearer(await client_token(client, agency_client))) == 403
    talent_client = await accounts.client(["talent:read"], agency_id=AGENCY_A)
    assert await _identity(client, stubs, path, bearer(await client_token(client, talent_client))) == AGENCY_A


async def test_openapi_describes_the_new_routes(app: FastAPI) -> None:
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    pool = spec["paths"]["/api/v1/talent-pool"]["get"]
    assert pool["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("TalentPoolPage")
    assert "ready_for" in pool["description"]
    assert "default competency standard" in pool["description"]
    wanted = {"box", "position_type", "rank", "agency_id", "region", "education_level", "ready_for", "readiness"}
    assert {p["name"] for p in pool["parameters"]} >= wanted | {"cursor"}
    for path in ("/api/v1/nine-box", "/api/v1/data-quality", "/api/v1/agencies/{agency_id}/data-quality"):
        assert "$ref" in spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "image/svg+xml" in spec["paths"]["/api/v1/nine-box.svg"]["get"]["responses"]["200"]["content"]
    assert {"TalentPoolMember", "NationalNineBox", "NationalQualityReport", "EventFeed", "WebhookWithSecret",
            "DeliveryRead"} <= set(schemas)  # fmt: skip
    assert "agency_id" in schemas["SuccessorCandidate"]["properties"]
    for path, methods in (
        ("/api/v1/events", {"get"}),
        ("/api/v1/webhooks", {"get", "post"}),
        ("/api/v1/webhooks/{webhook_id}", {"get", "patch", "delete"}),
        ("/api/v1/webhooks/{webhook_id}/deliveries", {"get"}),
    ):
        assert set(spec["paths"][path]) == methods
    scopes = spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
    assert "national:read" in scopes


def test_webhook_endpoints_need_https_outside_local_mode() -> None:
    loc: list[str | int] = ["body", "url"]
    assert check_endpoint("https://hr.example.go.id/hook", False, loc)
    assert check_endpoint("http://127.0.0.1:9000/hook", True, loc)  # local/test mode only
    for bad in (
        "http://hr.example.go.id/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://user:pw@hr.example.go.id/hook",
        "ftp://hr.example.go.id/hook",
        "https:///nohost",
    ):
        with pytest.raises(Exception, match="url"):
            check_endpoint(bad, False, loc)
