"""The embedded backend of `make run`: the same migrations and flows on SQLite."""

from __future__ import annotations

import asyncio
import pathlib
from typing import Any

from services.common.migrations import upgrade_to_head
from tests.gateway.conftest import GATEWAY_DIR, Accounts, bearer, password_token, running, settings_for
from tests.gateway.stub import NIP_A


async def test_grants_forwarding_and_audit_on_sqlite(tmp_path: pathlib.Path, stubs: dict[str, Any]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await asyncio.to_thread(upgrade_to_head, GATEWAY_DIR, url)
    async with running(settings_for(url, stubs)) as (app, client):
        username = await Accounts(app).user(["agency_admin"])
        tokens = await password_token(client, username)
        rotated = await client.post(
            "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        )
        assert rotated.status_code == 200
        replay = await client.post(
            "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        )
        assert replay.status_code == 400
        admin = await password_token(client, await Accounts(app).user(["national_admin"], agency_id=None))
        read = await client.get(f"/api/v1/employees/{NIP_A}", headers=bearer(admin["access_token"]))
        assert read.status_code == 200
        events = await client.get(f"/api/v1/audit-events?nip={NIP_A}", headers=bearer(admin["access_token"]))
        assert [e["action"] for e in events.json()["items"]] == ["employees.read"]
