"""The audit trail: durable before the response, batched under load, queryable by admins and the person."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from services.common.errors import ServiceUnavailable
from services.gateway.audit.models import AuditEvent
from services.gateway.audit.service import build_events
from services.gateway.audit.writer import AuditWriter
from tests.gateway.conftest import Accounts, TokenFor, bearer, password_token
from tests.gateway.stub import AGENCY_B, NIP_A, NIP_A2, NIP_B


async def _events(app: FastAPI, request_id: str) -> list[AuditEvent]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(select(AuditEvent).where(AuditEvent.request_id == request_id))
        return list(result.scalars().all())


async def test_event_is_durable_when_the_response_arrives(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    username = await accounts.user(["agency_admin"])
    token = (await password_token(client, username))["access_token"]
    response = await client.get(f"/api/v1/employees/{NIP_A}", headers={**bearer(token), "X-Request-ID": "aud-1"})
    assert response.status_code == 200
    # Read straight after the response, from another connection: already committed.
    (event,) = await _events(app, "aud-1")
    assert (event.nip, event.action, event.outcome, event.status) == (NIP_A, "employees.read", "success", 200)
    assert event.actor_name == username
    assert event.client_id == "first-party"
    assert event.route == "/api/v1/employees/{nip}"
    assert event.method == "GET"


async def test_every_nip_in_a_list_answer_is_recorded(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(["national_admin"], agency_id=None)
    response = await client.get("/api/v1/employees", headers={**bearer(token), "X-Request-ID": "aud-list"})
    assert response.status_code == 200
    assert {e.nip for e in await _events(app, "aud-list")} == {NIP_A, NIP_A2, NIP_B}


async def test_denied_attempts_are_recorded(app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor) -> None:
    token = await token_for(["viewer"])
    response = await client.post(
        f"/api/v1/employees/{NIP_A}/competency-assessments",
        json={},
        headers={**bearer(token), "X-Request-ID": "aud-no"},
    )
    assert response.status_code == 403
    (event,) = await _events(app, "aud-no")
    assert (event.nip, event.outcome, event.status) == (NIP_A, "denied", 403)


async def test_auth_events_are_recorded(app: FastAPI, client: httpx.AsyncClient, accounts: Accounts) -> None:
    username = await accounts.user(["viewer"])
    bad = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": "wrong-one"},
        headers={"X-Request-ID": "aud-auth-bad"},
    )
    assert bad.status_code == 400
    (event,) = await _events(app, "aud-auth-bad")
    assert (event.action, event.outcome, event.actor, event.actor_name) == (
        "auth.token.password",
        "failure",
        "anonymous",
        username,
    )
    good = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": "correct-horse-battery"},
        headers={"X-Request-ID": "aud-auth-ok"},
    )
    assert good.status_code == 200
    (event,) = await _events(app, "aud-auth-ok")
    assert event.outcome == "success"
    assert event.actor.startswith("user:")
    assert good.json()["access_token"] not in str(vars(event))


async def test_concurrent_events_share_batches(app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor) -> None:
    token = await token_for(["national_admin"], agency_id=None)
    writer = app.state.gateway.audit
    batches, events = writer.batches_written, writer.events_written
    responses = await asyncio.gather(
        *(
            client.get(f"/api/v1/employees/{NIP_A}", headers={**bearer(token), "X-Request-ID": f"aud-b-{i}"})
            for i in range(60)
        )
    )
    assert all(r.status_code == 200 for r in responses)
    assert writer.events_written - events == 60
    assert writer.batches_written - batches < 60  # grouped: fewer transactions than events
    for i in range(0, 60, 7):
        assert len(await _events(app, f"aud-b-{i}")) == 1


async def test_under_load_the_writer_waits_for_more_but_never_holds_a_lone_request(app: FastAPI) -> None:
    writer = AuditWriter(app.state.engine, commit_delay_seconds=0.5)
    writer.start()
    loop = asyncio.get_running_loop()

    def events(request_id: str) -> list[dict[str, object]]:
        rows = build_events(principal=None, action="delay.test", method="GET", route="/r", status=200, nips=[NIP_A])
        return [{**row, "request_id": request_id} for row in rows]

    async def later(seconds: float, request_id: str) -> float:
        await asyncio.sleep(seconds)
        await writer.record(events(request_id))
        return loop.time()

    try:
        started = loop.time()
        await writer.record(events("aud-delay-alone"))
        assert loop.time() - started < 0.4  # the last write was nobody's: no wait
        await asyncio.gather(writer.record(events("aud-delay-a")), writer.record(events("aud-delay-b")))
        assert writer.batches_written == 2  # the two shared one write
        started = loop.time()
        done = await asyncio.gather(later(0, "aud-delay-c"), later(0.1, "aud-delay-d"))
        assert writer.batches_written == 3  # after a shared write, the next waited 0.5 s and took in the latecomer
        assert min(done) - started >= 0.49
        await writer.record(events("aud-delay-alone-again"))  # the last write was shared, so this one waits once
        started = loop.time()
        await writer.record(events("aud-delay-alone-last"))
        assert loop.time() - started < 0.4
        assert writer.batches_written == 5
    finally:
        await writer.aclose()
    assert len(await _events(app, "aud-delay-d")) == 1


async def test_admin_queries_are_agency_scoped(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    national = await token_for(["national_admin"], agency_id=None)
    await client.get(f"/api/v1/employees/{NIP_A2}", headers={**bearer(national), "X-Request-ID": "aud-scope"})
    admin_a, admin_b = await token_for(["agency_admin"]), await token_for(["agency_admin"], agency_id=AGENCY_B)
    seen_a = (await client.get(f"/api/v1/audit-events?nip={NIP_A2}", headers=bearer(admin_a))).json()["items"]
    seen_b = (await client.get(f"/api/v1/audit-events?nip={NIP_A2}", headers=bearer(admin_b))).json()["items"]
    assert any(e["request_id"] == "aud-scope" for e in seen_a)
    assert not any(e["request_id"] == "aud-scope" for e in seen_b)
    everything = (await client.get("/api/v1/audit-events?limit=2", headers=bearer(national))).json()
    assert len(everything["items"]) == 2
    assert everything["next_cursor"]
    page2 = await client.get(
        f"/api/v1/audit-events?limit=2&cursor={everything['next_cursor']}", headers=bearer(national)
    )
    assert page2.json()["items"][0]["id"] < everything["items"][-1]["id"]
    bad_nip = await client.get("/api/v1/audit-events?nip=123", headers=bearer(national))
    assert bad_nip.status_code == 422


async def test_employee_sees_who_read_their_data(client: httpx.AsyncClient, accounts: Accounts) -> None:
    reader = await accounts.user(["agency_admin"])
    reader_token = (await password_token(client, reader))["access_token"]
    await client.get(f"/api/v1/employees/{NIP_A}", headers={**bearer(reader_token), "X-Request-ID": "aud-me"})
    person = await accounts.user(["employee"], nip=NIP_A)
    token = (await password_token(client, person))["access_token"]
    log = await client.get("/api/v1/me/access-log?limit=500", headers=bearer(token))
    assert log.status_code == 200
    entry = next(e for e in log.json()["items"] if e["request_id"] == "aud-me")
    assert entry["actor_name"] == reader
    assert entry["client_id"] == "first-party"
    assert entry["action"] == "employees.read"


async def test_writer_survives_a_dropped_connection(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(["national_admin"], agency_id=None)
    assert (await client.get(f"/api/v1/employees/{NIP_A}", headers=bearer(token))).status_code == 200
    async with app.state.engine.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND datname = current_database() AND state = 'idle' AND application_name = 'gateway'"
            )
        )
    response = await client.get(f"/api/v1/employees/{NIP_A}", headers={**bearer(token), "X-Request-ID": "aud-re"})
    assert response.status_code == 200
    assert len(await _events(app, "aud-re")) == 1


async def test_a_bad_row_fails_only_its_own_request(app: FastAPI) -> None:
    writer = app.state.gateway.audit

    def events(action: str, request_id: str) -> list[dict[str, object]]:
        rows = build_events(principal=None, action=action, method="GET", route="/r", status=200, nips=[NIP_A])
        return [{**row, "request_id": request_id} for row in rows]

    results = await asyncio.gather(
        writer.record(events("ok.one", "aud-poison-1")),
        writer.record(events("x" * 500, "aud-poison-bad")),  # longer than its column: the insert fails
        writer.record(events("ok.two", "aud-poison-2")),
        return_exceptions=True,
    )
    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], ServiceUnavailable)
    assert len(await _events(app, "aud-poison-1")) == len(await _events(app, "aud-poison-2")) == 1
    assert await _events(app, "aud-poison-bad") == []


async def test_malformed_nip_in_path_is_422(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    token = await token_for(["national_admin"], agency_id=None)
    response = await client.get("/api/v1/employees/12345/history", headers=bearer(token))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "nip"]


async def test_since_is_an_iso_timestamp_in_range(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    """`0.5` was read as Unix time; a year-1 or year-9999 moment with an offset has no UTC in Python (a 500)."""
    national = bearer(await token_for(["national_admin"], agency_id=None))
    for since in ("0.5", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "yesterday"):
        answer = await client.get("/api/v1/audit-events", params={"since": since}, headers=national)
        assert (answer.status_code, answer.json()["errors"][0]["loc"]) == (422, ["query", "since"]), since
    for since in ("2025-01-01", "2025-01-01T07:00:00+07:00", "2025-01-01T00:00:00Z"):
        assert (await client.get("/api/v1/audit-events", params={"since": since}, headers=national)).status_code == 200


async def test_a_placements_download_is_a_read_of_every_nip_in_it(
    app: FastAPI, client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(["agency_admin"])
    response = await client.get(
        "/api/v1/talent-reviews/r1/placements.csv", headers={**bearer(token), "X-Request-ID": "aud-csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    events = await _events(app, "aud-csv")
    assert sorted(e.nip or "" for e in events) == sorted([NIP_A, NIP_A2])  # the header and a repeat add none
    assert {(e.action, e.outcome, e.status, e.route) for e in events} == {
        ("placements.export", "success", 200, "/api/v1/talent-reviews/{review_id}/placements.csv")
    }
