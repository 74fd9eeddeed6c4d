"""GET /v1/employees/{nip} through the app's own lifespan on PostgreSQL: the driver pool answers exactly
what the ORM path answers, and scope, minimising and soft deletes still apply."""

from __future__ import annotations

import httpx

from services.registry.app import create_app
from services.registry.readpool import open_read_pool
from tests.registry.conftest import Api, agency_admin, migrated_database, settings_for
from tests.registry.factory import make_employee, make_org, nip, ok


async def test_employee_reads_through_the_driver_pool() -> None:
    url = await migrated_database("talenta_test_registry_readpool")
    app = create_app(settings_for(url))
    async with app.router.lifespan_context(app):
        assert app.state.read_pool is not None  # the path under test
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            api = Api(client)
            org = await make_org(api)
            created = await make_employee(
                api, nip(), org.a["id"], position_id=org.jpt["id"], rank="IV/a", email="x@a.go.id", phone="0812345678"
            )
            read = await api.get(f"/v1/employees/{created['nip']}")
            assert read.json() == created  # same fields, types and formats as the ORM-built answer
            assert read.headers["etag"] == '"1"'
            minimised = await ok(
                await api.as_(agency_admin(org.a["id"], personal_data=False)).get(f"/v1/employees/{created['nip']}"),
                200,
            )
            assert "email" not in minimised
            assert minimised["name"] == created["name"]
            assert (await api.as_(agency_admin(org.b["id"])).get(f"/v1/employees/{created['nip']}")).status_code == 404
            assert (await api.delete(f"/v1/employees/{created['nip']}", headers={"If-Match": '"1"'})).status_code == 204
            assert (await api.get(f"/v1/employees/{created['nip']}")).status_code == 404


async def test_releasing_a_read_connection_costs_no_round_trip() -> None:
    """asyncpg's default reset on release (RESET ALL and friends) is a round trip as long as the read itself;
    the read pool's connections hold no session state, so releasing one sends nothing."""
    url = await migrated_database("talenta_test_registry_readpool")
    pool = await open_read_pool(settings_for(url).model_copy(update={"read_pool_size": 1}))
    assert pool is not None
    sent: list[str] = []
    try:
        async with pool.acquire() as connection:
            connection.add_query_logger(lambda record: sent.append(record.query))
            await connection.fetchval("SELECT 1")
        async with pool.acquire() as connection:  # the same connection (the pool holds one), released again
            await connection.fetchval("SELECT 2")
    finally:
        await pool.close()
    assert sent == ["SELECT 1", "SELECT 2"]
