"""The SIASN client of one agency: both tokens on every call, bounded retries, and a concurrency limit.

Every data call carries `Authorization: Bearer <gateway token>` (client credentials with the agency's consumer
key and secret, HTTP Basic, at the apimws `/oauth2/token`) and `Auth: bearer <SSO token>` (Keycloak realm
`public-siasn`, password grant, or a pre-issued token). 429 and 5xx are retried with exponential backoff
(honouring `Retry-After`), at most `retries` times; at most `concurrency` calls of the agency are in flight."""

from __future__ import annotations

import asyncio
import logging
import math
import random
from dataclasses import dataclass
from typing import Any

import httpx

from services.registry.settings import RegistrySettings
from services.registry.siasn.tokens import Credentials, SiasnAuthError, SiasnError, SiasnUnavailable, TokenCache

logger = logging.getLogger("talenta.registry.siasn")
RETRIED = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class ClientConfig:
    """Where BKN is and how hard to try; from the registry settings."""

    base_url: str
    token_url: str
    sso_token_url: str
    concurrency: int = 8
    retries: int = 4
    backoff_seconds: float = 0.5
    max_retry_after_seconds: float = 60.0
    token_margin_seconds: float = 60.0

    @classmethod
    def of(cls, settings: RegistrySettings, concurrency: int | None = None) -> ClientConfig:
        """The configuration the settings give (optionally another concurrency, for benchmarks)."""
        return cls(
            base_url=settings.siasn_base_url.rstrip("/"),
            token_url=settings.siasn_token_url,
            sso_token_url=settings.siasn_sso_token_url,
            concurrency=concurrency or settings.siasn_concurrency,
            retries=settings.siasn_retries,
            backoff_seconds=settings.siasn_backoff_seconds,
            max_retry_after_seconds=settings.siasn_max_retry_after_seconds,
            token_margin_seconds=settings.siasn_token_margin_seconds,
        )


def endpoint_of(path: str) -> str:
    """A path without its NIP, for logs and errors ("/pns/data-utama/1986..." -> "pns/data-utama")."""
    parts = path.strip("/").split("/")
    return "/".join(parts[:2])


class SiasnClient:
    """Calls SIASN for one agency; the HTTP pool is shared and owned by the app."""

    def __init__(self, http: httpx.AsyncClient, config: ClientConfig, credentials: Credentials) -> None:
        self.http = http
        self.config = config
        self.credentials = credentials
        self.slots = asyncio.Semaphore(config.concurrency)
        self.gateway = TokenCache(self._gateway_token, config.token_margin_seconds)
        if credentials.sso_token and not credentials.sso_password:
            token = credentials.sso_token
            self.sso = TokenCache(lambda: _fixed(token), 0, refreshable=False)
        else:
            self.sso = TokenCache(self._sso_token, config.token_margin_seconds)

    async def get(self, path: str) -> Any | None:
        """The `data` of a SIASN answer; None when SIASN answers 404 (not found)."""
        attempt, refreshed = 0, set[str]()
        while True:
            gateway, sso = await self.gateway.get(), await self.sso.get()
            headers = {"Authorization": f"Bearer {gateway}", "Auth": f"bearer {sso}", "Accept": "application/json"}
            try:
                async with self.slots:
                    response = await self.http.get(self.config.base_url + path, headers=headers)
            except httpx.TransportError as exc:
                if attempt >= self.config.retries:
                    raise SiasnUnavailable(
                        f"{endpoint_of(path)}: {type(exc).__name__} after {attempt} retries"
                    ) from exc
                attempt += 1
                await asyncio.sleep(self._backoff(attempt, None))
                continue
            status = response.status_code
            if status == 401 and (which := _refused_token(response)) not in refreshed:
                refreshed.add(which)  # each token is renewed at most once per call
                await (self.gateway.refresh(gateway) if which == "gateway" else self.sso.refresh(sso))
                logger.info("siasn token refreshed after 401", extra={"token": which})
                continue
            if status in RETRIED and attempt < self.config.retries:
                attempt += 1
                await asyncio.sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            return self._data(path, response, attempt)

    def _data(self, path: str, response: httpx.Response, attempt: int) -> Any | None:
        status, where = response.status_code, endpoint_of(path)
        if status == 404:
            return None
        if status == 401:
            raise SiasnAuthError(f"{where}: SIASN refused fresh tokens (HTTP 401)")
        if status in RETRIED:
            raise SiasnUnavailable(f"{where}: HTTP {status} after {attempt} retries")
        if status != 200:
            raise SiasnError(f"{where}: HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            raise SiasnError(f"{where}: the answer is not JSON") from None
        if not isinstance(body, dict) or str(body.get("code")) != "1" or "data" not in body:
            raise SiasnError(f"{where}: the answer is not SIASN's envelope {{code: 1, data}}")
        return body["data"]

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after), self.config.max_retry_after_seconds)
        base = self.config.backoff_seconds * 2 ** (attempt - 1)
        return float(min(base + random.uniform(0, base), self.config.max_retry_after_seconds))  # noqa: S311 - jitter

    async def _gateway_token(self) -> tuple[str, float]:
        auth = (self.credentials.consumer_key, self.credentials.consumer_secret)
        return await self._token(self.config.token_url, {"grant_type": "client_credentials"}, auth, "gateway")

    async def _sso_token(self) -> tuple[str, float]:
        c = self.credentials
        if not (c.sso_username and c.sso_password and c.sso_client_id):
            raise SiasnAuthError(
                "the agency's SIASN credentials have no SSO token nor SSO client id, user and password"
            )
        form = {"grant_type": "password", "client_id": c.sso_client_id, "username": c.sso_username,
                "password": c.sso_password}  # fmt: skip
        return await self._token(self.config.sso_token_url, form, None, "SSO")

    async def _token(
        self, url: str, form: dict[str, str], auth: tuple[str, str] | None, which: str
    ) -> tuple[str, float]:
        for attempt in range(self.config.retries + 1):
            try:
                if auth is None:
                    response = await self.http.post(url, data=form)
                else:
                    response = await self.http.post(url, data=form, auth=auth)
            except httpx.TransportError as exc:
                if attempt == self.config.retries:
                    raise SiasnUnavailable(f"the {which} token endpoint is unreachable") from exc
                await asyncio.sleep(self._backoff(attempt + 1, None))
                continue
            if response.status_code in RETRIED and attempt < self.config.retries:
                await asyncio.sleep(self._backoff(attempt + 1, response.headers.get("retry-after")))
                continue
            if response.status_code in (400, 401, 403):
                raise SiasnAuthError(f"the {which} token endpoint refused the agency's credentials")
            if response.status_code != 200:
                raise SiasnUnavailable(f"the {which} token endpoint answered HTTP {response.status_code}")
            body = response.json()
            token, lifetime = body.get("access_token"), body.get("expires_in", 3600)
            if not isinstance(token, str) or not token:
                raise SiasnError(f"the {which} token endpoint answered no access_token")
            return token, float(lifetime)
        raise SiasnUnavailable(f"the {which} token endpoint kept failing")  # pragma: no cover - loop always returns


def _refused_token(response: httpx.Response) -> str:
    """Which token a 401 refused: the API gateway (WSO2) answers a bad gateway token with a `fault`."""
    try:
        body = response.json()
    except ValueError:
        return "sso"
    return "gateway" if isinstance(body, dict) and "fault" in body else "sso"


async def _fixed(token: str) -> tuple[str, float]:
    return token, math.inf
