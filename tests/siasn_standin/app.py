"""The SIASN stand-in: BKN's token endpoints and SIASN's paths, tokens, headers, envelope and 404 body.

One ASGI app serves the three hosts' paths: `POST /oauth2/token` (the apimws gateway: client credentials over
HTTP Basic), `POST /auth/realms/public-siasn/protocol/openid-connect/token` (Keycloak: password grant), and
`GET /apisiasn/1.0/...` (needs `Authorization: Bearer <gateway token>` and `Auth: bearer <SSO token>`).
It can be told to misbehave through `Faults` (in-process) or `POST /_admin/faults` (as a process)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.siasn_standin.data import StandinData
from tests.siasn_standin.faults import Faults

API = "/apisiasn/1.0"
NOT_FOUND = {"code": 0, "data": "Data tidak ditemukan"}
GATEWAY_FAULT = {
    "fault": {
        "code": 900901,
        "message": "Invalid Credentials",
        "description": "Invalid Credentials. Make sure you have given the correct access token",
    }
}
SSO_REJECTED = {"code": 0, "data": "Token SSO tidak valid atau sudah kedaluwarsa"}
HISTORY = {"rw-golongan", "rw-jabatan", "rw-pendidikan", "rw-diklat", "rw-skp22", "rw-hukdis"}


class Standin:
    """State of one stand-in: who may get tokens, the tokens issued, the data, faults, and what was asked."""

    def __init__(
        self,
        data: StandinData,
        *,
        consumers: dict[str, str] | None = None,
        users: dict[str, str] | None = None,
        static_sso_tokens: set[str] | None = None,
        token_lifetime: int = 3600,
        latency: float = 0.0,
    ) -> None:
        self.data = data
        self.consumers = consumers or {}
        self.users = users or {}
        self.static_sso_tokens = static_sso_tokens or set()
        self.token_lifetime = token_lifetime
        self.faults = Faults(latency=latency)
        self.gateway_tokens: dict[str, float] = {}
        self.sso_tokens: dict[str, float] = {}
        self.calls: list[dict[str, Any]] = []  # every data call: path and the two auth headers
        self.token_requests = {"gateway": 0, "sso": 0}
        self.in_flight = 0
        self.max_in_flight = 0

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on (401 until the client fetches new ones)."""
        self.gateway_tokens.clear()
        self.sso_tokens.clear()

    def _issue(self, store: dict[str, float]) -> str:
        token = secrets.token_urlsafe(24)
        store[token] = time.monotonic() + self.token_lifetime
        return token

    @staticmethod
    def _valid(store: dict[str, float], token: str | None) -> bool:
        return token is not None and store.get(token, 0.0) > time.monotonic()

    async def gateway_token(self, request: Request) -> Response:
        """WSO2 API Manager's token endpoint: client credentials, the consumer key and secret over HTTP Basic."""
        form = await request.form()
        user, password = _basic(request.headers.get("authorization"))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if user is None or self.consumers.get(user) != password:
            return JSONResponse({"error": "invalid_client", "error_description": "Client Authentication failed."}, 401)
        self.token_requests["gateway"] += 1
        token = self._issue(self.gateway_tokens)
        return JSONResponse(
            {"access_token": token, "scope": "default", "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    async def sso_token(self, request: Request) -> Response:
        """Keycloak's token endpoint of realm public-siasn: the password grant of an agency's SIASN account."""
        form = await request.form()
        if form.get("grant_type") != "password" or not form.get("client_id"):
            return JSONResponse({"error": "invalid_request", "error_description": "Missing form parameter"}, 400)
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        if self.users.get(username) != password:
            return JSONResponse({"error": "invalid_grant", "error_description": "Invalid user credentials"}, 401)
        self.token_requests["sso"] += 1
        token = self._issue(self.sso_tokens)
        return JSONResponse({
            "access_token": token, "expires_in": self.token_lifetime, "refresh_expires_in": self.token_lifetime,
            "refresh_token": secrets.token_urlsafe(24), "token_type": "Bearer", "not-before-policy": 0,
            "session_state": secrets.token_hex(8), "scope": "profile email",
        })  # fmt: skip

    async def api(self, request: Request) -> Response:
        """A SIASN data call: both tokens checked, faults applied, then the envelope."""
        path = request.url.path[len(API) :]
        authorization = request.headers.get("authorization", "")
        auth = request.headers.get("auth", "")
        self.calls.append({"path": path, "authorization": authorization, "auth": auth})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.faults.delay_for(path))
            if not authorization.startswith("Bearer ") or not self._valid(self.gateway_tokens, authorization[7:]):
                return JSONResponse(GATEWAY_FAULT, status_code=401)
            sso = auth[7:] if auth.lower().startswith("bearer ") else None
            if sso not in self.static_sso_tokens and not self._valid(self.sso_tokens, sso):
                return JSONResponse(SSO_REJECTED, status_code=401)
            failure = self.faults.failure_for(path)
            if failure is not None:
                return failure
            return self._answer(path)
        finally:
            self.in_flight -= 1

    def _answer(self, path: str) -> Response:
        if path == "/referensi/ref-unor":
            return JSONResponse({"code": 1, "data": self.data.units})
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "pns":
            return JSONResponse(NOT_FOUND, status_code=404)
        _, endpoint, nip = parts
        person = self.data.people.get(nip)
        if person is None or endpoint not in person:
            return JSONResponse(NOT_FOUND, status_code=404)
        found = self.faults.record_for(nip, endpoint, person[endpoint])
        if endpoint in HISTORY and not found:
            return JSONResponse(NOT_FOUND, status_code=404)  # SIASN answers an empty history as not found
        return JSONResponse({"code": 1, "data": found})

    async def admin_faults(self, request: Request) -> Response:
        """Change the faults of a running stand-in (demos and benchmarks)."""
        body = await request.json()
        if body.get("expire_tokens"):
            self.expire_tokens()
        self.faults.configure(body)
        return JSONResponse({"ok": True, "max_in_flight": self.max_in_flight, "calls": len(self.calls)})

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/oauth2/token", self.gateway_token, methods=["POST"]),
                Route("/auth/realms/public-siasn/protocol/openid-connect/token", self.sso_token, methods=["POST"]),
                Route(API + "/{path:path}", self.api, methods=["GET"]),
                Route("/_admin/faults", self.admin_faults, methods=["POST"]),
            ]
        )


def _basic(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, password
