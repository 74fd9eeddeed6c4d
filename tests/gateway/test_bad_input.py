"""Bad input to the gateway's own endpoints is a 4xx problem (or an RFC 6749 error), never a 500."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import TokenFor, bearer

USERS, CLIENTS = "/api/v1/admin/users", "/api/v1/admin/clients"
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", USERS, {"content": b"[]"}),
    ("POST", USERS, {"content": b"null"}),
    ("POST", USERS, {"content": b"\xff\xfe"}),
    ("POST", USERS, {"json": {"username": "x y", "password": "a-long-password", "roles": ["viewer"]}}),
    ("POST", USERS, {"json": {"username": "ok.name", "password": "a-long-password", "roles": ["bogus"]}}),
    ("POST", USERS, {"json": {"username": "ok.name", "password": "a-long-password", "roles": []}}),
    (
        "POST",
        USERS,
        {
            "json": {
                "username": "ok.name",
                "password": "a-long-password",
                "roles": ["employee"],
                "agency_id": "pemkab-lampung-barat",
                "nip": "12ab",
            }
        },
    ),
    ("PATCH", f"{USERS}/nope", {"json": {"disabled": True}, "headers": {"If-Match": "garbage"}}),
    ("PATCH", f"{USERS}/nope", {"json": {"roles": None}}),
    ("GET", f"{USERS}?limit=0", {}),
    ("GET", f"{USERS}?limit=100000", {}),
    ("GET", f"{USERS}?cursor=%%%", {}),
    ("GET", f"{USERS}?cursor=" + base64.urlsafe_b64encode(b'{"a":1}').decode(), {}),
    (
        "POST",
        CLIENTS,
        {
            "json": {
                "name": "x",
                "confidential": False,
                "redirect_uris": ["http://[::1"],
                "agency_id": "pemkab-lampung-barat",
            }
        },
    ),
    ("POST", CLIENTS, {"json": {"name": "x", "scopes": ["root"]}}),
    ("POST", CLIENTS, {"json": {"name": "", "client_id": "bad id"}}),
    ("POST", f"{CLIENTS}/nope/secret", {}),
    ("GET", "/api/v1/audit-events?since=yesterday", {}),
    ("GET", "/api/v1/audit-events?cursor=" + base64.urlsafe_b64encode(b"[[1,2]]").decode(), {}),
    ("GET", "/api/v1/audit-events?cursor=" + base64.urlsafe_b64encode(b"[]").decode(), {}),
    ("GET", "/api/v1/audit-events?actor=" + "a" * 500, {}),
    ("GET", "/api/v1/employees/%00/history", {}),
    ("POST", "/api/v1/auth/revoke", {"data": {}}),
    ("POST", "/api/v1/auth/token", {"data": {"grant_type": "authorization_code", "code": "x", "client_id": "nope"}}),
    ("POST", "/api/v1/auth/token", {"data": {"grant_type": "refresh_token", "refresh_token": "rt_" + "x" * 900}}),
    ("GET", "/api/v1/auth/authorize?client_id=nope&redirect_uri=x", {}),
    ("POST", "/api/v1/auth/authorize", {"data": {"client_id": "nope"}}),
]


@pytest.fixture(scope="module")
async def national(token_for: TokenFor) -> dict[str, str]:
    return bearer(await token_for(["national_admin"], agency_id=None))


@pytest.mark.parametrize(("method", "path", "kwargs"), CASES, ids=[f"{m} {p[:60]}" for m, p, _ in CASES])
async def test_no_server_error(
    client: httpx.AsyncClient, national: dict[str, str], method: str, path: str, kwargs: dict[str, Any]
) -> None:
    headers = {**national, **kwargs.pop("headers", {})}
    if "content" in kwargs:
        headers["Content-Type"] = "application/json"
    response = await client.request(method, path, headers=headers, **kwargs)
    assert 400 <= response.status_code < 500, response.text
