"""The demo seed: local only, idempotent, agency codes resolved through the registry."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from services.common.migrations import upgrade_to_head
from services.gateway.demo import DEMO_CLIENTS, DEMO_USERS
from services.gateway.seed import NotLocal, seed
from services.gateway.settings import GatewaySettings
from tests.conftest import recreate_database
from tests.gateway.conftest import GATEWAY_DIR, bearer, client_token, password_token, running, settings_for
from tests.gateway.stub import AGENCY_A, AGENCY_B


async def test_seed_is_idempotent_and_accounts_work(gateway_db: str, stubs: dict[str, Any]) -> None:
    settings = settings_for(gateway_db, stubs)
    first = await seed(settings)
    second = await seed(settings)
    assert second == []
    assert set(first) == {u.username for u in DEMO_USERS} | {c.client_id for c in DEMO_CLIENTS}
    async with running(settings) as (_, client):
        tokens = await password_token(client, "pegawai.lampungbarat", "demo-employee")
        me = (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).json()
        assert me["nip"] == "198609262015051001"
        assert me["agency_id"] == AGENCY_A
        admin = await password_token(client, "tanggamus.admin", "demo-agency-admin")
        assert (await client.get("/api/v1/me", headers=bearer(admin["access_token"]))).json()["agency_id"] == AGENCY_B
        token = await client_token(client, "demo-integration", "demo-integration-secret")
        scope = (await client.get("/api/v1/me", headers=bearer(token))).json()["scope"]
        assert scope == "employees:read talent:read succession:read"


async def test_seed_refused_outside_local() -> None:
    settings = GatewaySettings(
        environment="staging", service_token_secret="s" * 40, signing_key_secret="k" * 40, database_url="sqlite://"
    )
    with pytest.raises(NotLocal):
        await seed(settings)


async def test_demo_credentials_refused_outside_local(stubs: dict[str, Any]) -> None:
    # Its own database: keys encrypted under the demo secret cannot be read with a staging secret.
    db = await recreate_database("talenta_test_gateway_staging")
    await asyncio.to_thread(upgrade_to_head, GATEWAY_DIR, db)
    await seed(settings_for(db, stubs))
    settings = settings_for(
        db,
        stubs,
        environment="staging",
        service_token_secret="s" * 40,
        signing_key_secret="k" * 40,
        password_grant_enabled=True,
    )
    async with running(settings) as (_, client):
        person = await client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": "national.admin", "password": "demo-national-admin"},
        )
        assert (person.status_code, person.json()["error"]) == (400, "invalid_grant")
        machine = await client.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=("demo-integration", "demo-integration-secret"),
        )
        assert machine.status_code == 401
        assert isinstance(client, httpx.AsyncClient)
