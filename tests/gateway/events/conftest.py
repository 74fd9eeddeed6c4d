"""A real stack for events and webhooks: registry and scoring apps on real ports (their own migrated databases),
the gateway in-process on its own database, and a webhook receiver (an HTTP server on a free port)."""

from __future__ import annotations

import asyncio
import http.server
import json
import pathlib
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common.migrations import upgrade_to_head
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from services.scoring.app import create_app as create_scoring
from services.scoring.settings import ScoringSettings
from tests.conftest import recreate_database
from tests.gateway.conftest import Accounts, bearer, password_token, running, settings_for
from tests.gateway.stub import free_port, serve

ROOT = pathlib.Path(__file__).resolve().parents[3]
SECRET = "demo-service-token-secret-change-me-0123456789"


@dataclass
class Stack:
    """URLs and databases of the running stack, and the gateway."""

    registry_url: str
    scoring_url: str
    gateway_db: str
    app: FastAPI
    client: httpx.AsyncClient
    accounts: Accounts

    async def token(self, roles: list[str], agency_id: str | None = None, nip: str | None = None) -> dict[str, str]:
        username = await self.accounts.user(roles, agency_id, nip)
        return bearer((await password_token(self.client, username))["access_token"])


@pytest.fixture(scope="package")
async def stack() -> AsyncIterator[Stack]:
    registry_db = await recreate_database("talenta_test_national_gw_registry")
    scoring_db = await recreate_database("talenta_test_national_gw_scoring")
    gateway_db = await recreate_database("talenta_test_national_gw")
    for name, url in (("registry", registry_db), ("scoring", scoring_db), ("gateway", gateway_db)):
        await asyncio.to_thread(upgrade_to_head, ROOT / "services" / name, url)
    registry = create_registry(RegistrySettings(environment="test", database_url=registry_db, log_format="text"))
    async with serve(registry) as registry_url:
        scoring = create_scoring(
            ScoringSettings(
                environment="test",
                database_url=scoring_db,
                registry_url=registry_url,
                log_format="text",
                worker_poll_seconds=0.05,
            )
        )
        async with serve(scoring) as scoring_url:
            stubs = {"registry_url": registry_url, "scoring_url": scoring_url}
            settings = settings_for(gateway_db, stubs, rate_limit_per_second=10_000, rate_limit_burst=10_000)
            async with running(settings) as (app, client):
                yield Stack(registry_url, scoring_url, gateway_db, app, client, Accounts(app))


@dataclass
class Receiver:
    """A webhook receiver: answers the statuses queued in `script` (then 200) and keeps every request."""

    url: str
    script: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]

    async def wait_for(self, count: int, seconds: float = 30) -> list[dict[str, Any]]:
        """Wait until `count` requests arrived; answers them."""
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.received) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} deliveries after {seconds} s")
            await asyncio.sleep(0.05)
        with self.lock:
            return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hooks/talenta")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.received.append({"headers": dict(self.headers.items()), "body": body})
                status = state.script.pop(0) if state.script else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
