"""The e2e tests' client of the public API: demo accounts signed in on demand, polling, and small helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from services.common.service_token import CallerIdentity, mint_service_token
from services.common.settings import ServiceSettings
from services.gateway.demo import DEMO_CLIENTS, DEMO_USERS
from services.launcher.stack import SERVICES, Stack

PASSWORDS = {user.username: user.password for user in DEMO_USERS}
CLIENT_SECRETS = {client.client_id: client.secret for client in DEMO_CLIENTS if client.secret}
LAMPUNG_BARAT, TANGGAMUS = "pemkab-lampung-barat", "pemkab-tanggamus"
DEMO_EMPLOYEE_NIP = next(user.nip for user in DEMO_USERS if user.nip)
T = TypeVar("T")


class Api:
    """httpx over TCP to one gateway; `as_(account)` gives the Authorization header of a demo account."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self._tokens: dict[str, str] = {}

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def sign_in(self, username: str) -> dict[str, Any]:
        """A fresh token answer for a demo person (password grant, on in local mode)."""
        answer = await self.http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": PASSWORDS[username]},
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def client_token(self, client_id: str) -> dict[str, Any]:
        """A token answer for a demo machine client (client credentials, secret by HTTP Basic)."""
        answer = await self.http.post(
            "/api/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, CLIENT_SECRETS[client_id])
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def as_(self, account: str, **headers: str) -> dict[str, str]:
        """Headers with a bearer token of `account` (signed in once per session), plus `headers`."""
        if account not in self._tokens:
            answer = await (self.client_token(account) if account in CLIENT_SECRETS else self.sign_in(account))
            self._tokens[account] = answer["access_token"]
        extra = {name.replace("_", "-"): value for name, value in headers.items()}
        return {"Authorization": f"Bearer {self._tokens[account]}", **extra}

    async def request(
        self, account: str, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One call as `account`, with extra `headers`."""
        return await self.http.request(method, path, headers={**await self.as_(account), **(headers or {})}, **kwargs)

    async def get(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        """GET as `account`."""
        return await self.request(account, "GET", path, **kwargs)

    async def post(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        """POST as `account`."""
        return await self.request(account, "POST", path, **kwargs)

    async def put(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        """PUT as `account`."""
        return await self.request(account, "PUT", path, **kwargs)

    async def patch(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        """PATCH as `account`."""
        return await self.request(account, "PATCH", path, **kwargs)

    async def wait_for_job(self, account: str, location: str, seconds: float = 60) -> dict[str, Any]:
        """Poll a job's `Location` until it is completed or failed; answers the job resource."""

        async def read() -> dict[str, Any]:
            answer = await self.get(account, location)
            assert answer.status_code == 200, answer.text
            return dict(answer.json())

        return await until(read, lambda job: job["status"] in ("completed", "failed"), seconds)


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (the body in the failure message otherwise)."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """A problem+json answer with `status` (and `code`)."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


async def until(read: Callable[[], Awaitable[T]], done: Callable[[T], bool], seconds: float, every: float = 0.1) -> T:
    """Call `read` until `done` holds for its answer; fail after `seconds` with the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not done after {seconds} s: {value!r}"[:2000])
        await asyncio.sleep(every)


def service_headers(audience: str, identity: CallerIdentity | None = None) -> dict[str, str]:
    """Headers of an internal call to `audience` with the local demo service-token secret (operations tests)."""
    secret = ServiceSettings().service_token_secret.get_secret_value()
    who = identity or CallerIdentity(service="gateway", subject="user:e2e-operator", roles=("national_admin",))
    return {"Authorization": f"Bearer {mint_service_token(secret, 'gateway', audience, who)}"}


def start_demo(stack: Stack, *, agencies: int, people_per_agency: int, workers: tuple[str, ...] = ()) -> None:
    """Migrations, the registry's demo data, the three services (and `workers`), then the demo accounts."""
    stack.migrate()
    stack.run_step(
        "registry",
        ["-m", "services.registry.demo", "seed", "--people-per-agency", str(people_per_agency),
         "--agencies", str(agencies)],
    )  # fmt: skip
    for name in SERVICES:
        stack.start_service(name)
    for worker in workers:
        stack.start_worker(worker)
    stack.run_step("gateway", ["-m", "services.gateway.seed"])
