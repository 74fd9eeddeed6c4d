"""Signed webhooks against a real receiver: the signature checked by an independent verifier, retries with backoff
until the receiver recovers, the delivery log, replicas that never send an event twice, a dispatcher process killed
after the change committed (the event is delivered once after the restart)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import signal
import subprocess
import sys
from typing import Any

from services.gateway.auth.models import User
from services.gateway.webhooks.dispatcher import Dispatcher
from services.gateway.webhooks.models import Webhook
from services.gateway.webhooks.service import owner_access, resolves_inside
from tests.gateway.events.conftest import ROOT, Receiver, Stack
from tests.gateway.events.test_feed import created


def verify(secret: str, headers: dict[str, str], body: bytes, now: float, tolerance: int = 300) -> bool:
    """What a receiver does (written here from the README, not from the product's code)."""
    timestamp = headers["Talenta-Timestamp"]
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    scheme, _, given = headers["Talenta-Signature"].partition("=")
    return scheme == "v1" and hmac.compare_digest(expected, given)


def dispatcher(stack: Stack, **overrides: Any) -> Dispatcher:
    settings = stack.app.state.gateway.settings.model_copy(update={"webhook_retry_base_seconds": 0.3, **overrides})
    state = stack.app.state.gateway
    return Dispatcher(stack.app.state.sessionmaker, {"registry": state.registry, "scoring": state.scoring}, settings)


async def until_quiet(*runners: Dispatcher, rounds: int = 80) -> None:
    """Dispatch rounds (replicas side by side) until the receiver has nothing more coming."""
    for _ in range(rounds):
        await asyncio.gather(*(runner.run_once() for runner in runners))
        await asyncio.sleep(0.1)


async def agency_with_hook(
    stack: Stack, receiver: Receiver, code: str
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    national = await stack.token(["national_admin"])
    agency = await created(stack, national, "/api/v1/agencies", {"code": code, "name": code})
    admin = await stack.token(["agency_admin"], agency_id=agency["id"])
    hook = await created(stack, admin, "/api/v1/webhooks", {"url": receiver.url, "events": ["employee.changed"]})
    return admin, agency, hook


async def test_signed_delivery_retried_until_the_receiver_recovers(stack: Stack, receiver: Receiver) -> None:
    admin, agency, hook = await agency_with_hook(stack, receiver, "pemkab-hook-retry")
    assert hook["secret"].startswith("whsec_")
    assert hook["agency_id"] == agency["id"]
    shown = await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin)
    assert "secret" not in shown.json()
    runner = dispatcher(stack)
    await until_quiet(runner, rounds=3)  # events before this one were fanned out already (none for this hook)
    receiver.script[:] = [500, 503]  # fails twice, then succeeds
    body = {"nip": "197901012005011001", "name": "Pegawai Webhook", "employment_type": "pns", "agency_id": agency["id"]}
    await created(stack, admin, "/api/v1/employees", body)
    try:
        for _ in range(100):
            await runner.run_once()
            if len(receiver.received) >= 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await runner.stop()
    requests = await receiver.wait_for(3)
    assert len(requests) == 3
    event_ids = {r["headers"]["Talenta-Event-Id"] for r in requests}
    assert len(event_ids) == 1
    assert {r["body"] for r in requests} == {requests[0]["body"]}  # the same bytes each time
    event = receiver.bodies()[0]
    assert (event["type"], event["data"]["nip"], event["agency_id"]) == ("employee.changed", body["nip"], agency["id"])
    assert event["id"] in event_ids
    now = dt.datetime.now(dt.UTC).timestamp()
    assert all(verify(hook["secret"], r["headers"], r["body"], now) for r in requests)
    assert not verify("whsec_wrong", requests[0]["headers"], requests[0]["body"], now)
    assert not verify(hook["secret"], requests[0]["headers"], requests[0]["body"] + b" ", now)
    log = await stack.client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin)
    assert log.status_code == 200, log.text
    [delivery] = log.json()["items"]
    assert (delivery["status"], delivery["attempts"], delivery["event_id"]) == ("delivered", 3, event["id"])
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 503, 200]
    times = [dt.datetime.fromisoformat(a["attempted_at"]) for a in delivery["attempt_log"]]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.3  # exponential backoff: the base ...
    assert gaps[1] >= 0.6  # ... then twice the base
    other = await stack.token(["agency_admin"], agency_id=agency["id"])
    assert (await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=other)).status_code == 404


async def test_webhook_management(stack: Stack, receiver: Receiver) -> None:
    admin, _, hook = await agency_with_hook(stack, receiver, "pemkab-hook-crud")
    path = f"/api/v1/webhooks/{hook['id']}"
    assert (await stack.client.patch(path, json={"active": False}, headers=admin)).status_code == 428
    etag = (await stack.client.get(path, headers=admin)).headers["etag"]
    changed = await stack.client.patch(path, json={"active": False}, headers={**admin, "If-Match": etag})
    assert (changed.status_code, changed.json()["active"]) == (200, False)
    listed = (await stack.client.get("/api/v1/webhooks", headers=admin)).json()["items"]
    assert [w["id"] for w in listed] == [hook["id"]]
    viewer = await stack.token(["viewer"], agency_id=hook["agency_id"])
    refused = await stack.client.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["succession.changed"]}, headers=viewer
    )
    assert refused.status_code == 422  # a viewer may not see succession
    for bad in ({"url": "ftp://x.example/h", "events": ["employee.changed"]}, {"url": receiver.url, "events": []}):
        assert (await stack.client.post("/api/v1/webhooks", json=bad, headers=admin)).status_code == 422
    employee = await stack.token(["employee"], agency_id=hook["agency_id"], nip="198609262015051001")
    body = {"url": receiver.url, "events": ["employee.changed"]}
    assert (await stack.client.post("/api/v1/webhooks", json=body, headers=employee)).status_code == 403
    etag = changed.headers["etag"]
    assert (await stack.client.delete(path, headers={**admin, "If-Match": etag})).status_code == 204
    assert (await stack.client.get(path, headers=admin)).status_code == 404


async def test_two_dispatchers_send_each_event_once(stack: Stack, receiver: Receiver) -> None:
    admin, agency, _ = await agency_with_hook(stack, receiver, "pemkab-hook-replicas")
    first, second = dispatcher(stack), dispatcher(stack)
    await until_quiet(first, rounds=3)
    for seq in range(12):
        body = {"nip": f"19800101200501100{seq % 10}"[:15] + f"{seq:03d}", "name": "P", "employment_type": "pns",
                "agency_id": agency["id"]}  # fmt: skip
        await created(stack, admin, "/api/v1/employees", body)
    try:
        await until_quiet(first, second, rounds=30)
    finally:
        await first.stop()
        await second.stop()
    ids = [r["headers"]["Talenta-Event-Id"] for r in receiver.received]
    assert len(ids) == 12
    assert len(set(ids)) == 12


async def test_dispatcher_process_killed_after_commit(stack: Stack, receiver: Receiver) -> None:
    admin, agency, _ = await agency_with_hook(stack, receiver, "pemkab-hook-crash")
    warm = dispatcher(stack)
    await until_quiet(warm, rounds=3)  # earlier tests' events are behind the cursor now
    await warm.stop()
    env = {
        **os.environ,
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_DATABASE_URL": stack.gateway_db,
        "GATEWAY_REGISTRY_URL": stack.registry_url,
        "GATEWAY_SCORING_URL": stack.scoring_url,
        "GATEWAY_DISPATCHER_POLL_SECONDS": "0.1",
        "GATEWAY_LOG_FORMAT": "text",
    }

    def start() -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "services.gateway.webhooks"]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    first = start()
    try:
        person = {"name": "P", "employment_type": "pns", "agency_id": agency["id"]}
        await created(stack, admin, "/api/v1/employees", {"nip": "198202022006041001", **person})
        await receiver.wait_for(1)
        first.send_signal(signal.SIGSTOP)  # frozen: it cannot see what commits next
        await created(stack, admin, "/api/v1/employees", {"nip": "198202022006041002", **person})
        first.kill()  # dies without ever having read the second event
        await asyncio.to_thread(first.wait, 10)
        await asyncio.sleep(0.5)
        assert len(receiver.received) == 1
        second = start()
        try:
            await receiver.wait_for(2)
            await asyncio.sleep(1.5)  # many more rounds: nothing is sent again
        finally:
            second.terminate()
            # SIGTERM: it finishes its round and exits cleanly. Waited for in a thread: the registry and scoring
            # it may be reading the feed from are served by this test's event loop, which must keep running.
            assert await asyncio.to_thread(second.wait, 10) == 0
    finally:
        if first.poll() is None:
            first.kill()
    nips = [body["data"]["nip"] for body in receiver.bodies()]
    assert nips == ["198202022006041001", "198202022006041002"]


async def test_gives_up_after_the_retry_window(stack: Stack, receiver: Receiver) -> None:
    admin, agency, hook = await agency_with_hook(stack, receiver, "pemkab-hook-window")
    runner = dispatcher(stack, webhook_retry_base_seconds=0.2, webhook_retry_window_seconds=1.0)
    await until_quiet(runner, rounds=3)
    receiver.script[:] = [500] * 50  # never recovers
    person = {"nip": "198303032007051001", "name": "P", "employment_type": "pns", "agency_id": agency["id"]}
    await created(stack, admin, "/api/v1/employees", person)
    try:
        await until_quiet(runner, rounds=30)
    finally:
        await runner.stop()
    [delivery] = (await stack.client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin)).json()["items"]
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] is None
    assert 2 <= delivery["attempts"] == len(delivery["attempt_log"]) <= 4  # 0.2, 0.4, 0.8 s ... past 1 s: given up
    assert {a["status_code"] for a in delivery["attempt_log"]} == {500}


async def test_a_name_that_resolves_inside_is_never_sent_to_outside_local_mode(
    stack: Stack, receiver: Receiver
) -> None:
    national = await stack.token(["national_admin"])
    agency = await created(stack, national, "/api/v1/agencies", {"code": "pemkab-hook-inside", "name": "Inside"})
    admin = await stack.token(["agency_admin"], agency_id=agency["id"])
    url = receiver.url.replace("127.0.0.1", "localhost")  # a name, as a rebound DNS record would be
    hook = await created(stack, admin, "/api/v1/webhooks", {"url": url, "events": ["employee.changed"]})
    runner = dispatcher(stack, environment="production")  # registered in local mode, delivered as in production
    await until_quiet(runner, rounds=3)
    person = {"nip": "198404042008041001", "name": "P", "employment_type": "pns", "agency_id": agency["id"]}
    await created(stack, admin, "/api/v1/employees", person)
    try:
        await until_quiet(runner, rounds=10)
    finally:
        await runner.stop()
    assert receiver.received == []
    [delivery] = (await stack.client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin)).json()["items"]
    assert delivery["status"] == "pending"
    assert {(a["status_code"], a["error"]) for a in delivery["attempt_log"]} == {(None, "private_address")}


async def test_resolves_inside() -> None:
    assert await resolves_inside("https://localhost:8443/hook")
    assert await resolves_inside("https://10.1.2.3/hook")
    assert await resolves_inside("https://[::1]/hook")
    assert await resolves_inside("https://169.254.169.254/latest/meta-data")  # cloud metadata
    assert not await resolves_inside("https://8.8.8.8/hook")  # a global literal: no DNS asked


async def test_an_owner_narrowed_since_registering_receives_only_what_they_may_still_see(
    stack: Stack, receiver: Receiver
) -> None:
    _, agency, hook = await agency_with_hook(stack, receiver, "pemkab-hook-narrowed")
    national = await stack.token(["national_admin"])
    runner = dispatcher(stack)

    async def set_owner_roles(roles: list[str]) -> None:
        async with stack.app.state.sessionmaker() as session:
            webhook = await session.get(Webhook, hook["id"])
            assert webhook is not None
            owner = await session.get(User, webhook.owner.removeprefix("user:"))
            assert owner is not None
            owner.roles = roles
            await session.commit()

    async def new_employee(seq: str) -> None:
        body = {"nip": f"197902022005011{seq}", "name": "P", "employment_type": "pns", "agency_id": agency["id"]}
        await created(stack, national, "/api/v1/employees", body)

    try:
        await until_quiet(runner, rounds=3)
        await set_owner_roles(["employee"])  # their own records only: no agency event is theirs to receive
        await new_employee("001")
        await until_quiet(runner, rounds=10)
        assert receiver.received == []
        await set_owner_roles(["agency_admin"])
        await new_employee("002")
        await until_quiet(runner, rounds=10)
    finally:
        await runner.stop()
    assert [event["data"]["nip"] for event in receiver.bodies()] == ["197902022005011002"]


def test_an_owner_without_an_account_receives_nothing() -> None:
    assert owner_access(None).types == ()
