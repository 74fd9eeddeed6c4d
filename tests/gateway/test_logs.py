"""No secrets, tokens or personal data in logs."""

from __future__ import annotations

import logging

import httpx
import pytest

from services.common.logging import JsonFormatter
from tests.gateway.conftest import PASSWORD, Accounts, bearer, password_token
from tests.gateway.stub import NIP_A, NIP_A2


async def test_logs_hold_no_token_password_or_nip(
    client: httpx.AsyncClient, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    username = await accounts.user(["national_admin"], agency_id=None)
    tokens = await password_token(client, username)
    headers = bearer(tokens["access_token"])
    await client.get(f"/api/v1/employees/{NIP_A}", headers=headers)
    await client.get("/api/v1/employees", headers=headers)
    await client.get(f"/api/v1/employees/{NIP_A2}", headers={"Authorization": "Bearer " + tokens["access_token"][:-4]})
    await client.post("/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": "x" * 9})
    formatter = JsonFormatter("gateway")
    lines = [formatter.format(record) for record in caplog.records]
    assert any('"route": "/api/v1/employees/{nip}"' in line or "/api/v1/employees/{nip}" in line for line in lines)
    text = "\n".join(lines)
    for secret in (tokens["access_token"], tokens["refresh_token"], PASSWORD, NIP_A, NIP_A2):
        assert secret not in text
