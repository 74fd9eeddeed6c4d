"""The token endpoint: every grant, RFC 6749 errors, PKCE, refresh rotation and reuse, revocation, lockout."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from tests.gateway.conftest import PASSWORD, Accounts, bearer, client_token, password_token, running, settings_for
from tests.gateway.stub import AGENCY_A, NIP_A, free_port

TOKEN = "/api/v1/auth/token"
REDIRECT = "http://127.0.0.1:7777/callback"


async def test_client_credentials_by_basic_and_form(client: httpx.AsyncClient, accounts: Accounts) -> None:
    client_id = await accounts.client(["employees:read", "talent:read"])
    token = await client_token(client, client_id)
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "EdDSA"
    assert header["kid"]
    assert claims["client_id"] == client_id
    assert claims["sub"] == f"client:{client_id}"
    assert claims["scope"] == "employees:read talent:read"
    assert claims["agency_id"] == AGENCY_A
    assert claims["exp"] - claims["iat"] <= 900
    form = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "s3cret-value",
            "scope": "talent:read",
        },
    )
    assert form.status_code == 200
    assert form.json()["scope"] == "talent:read"
    assert "refresh_token" not in form.json()
    assert form.headers["cache-control"] == "no-store"


async def test_client_credentials_errors_are_rfc6749(client: httpx.AsyncClient, accounts: Accounts) -> None:
    client_id = await accounts.client(["employees:read"])
    wrong = await client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(client_id, "wrong"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")
    scope = await client.post(
        TOKEN, data={"grant_type": "client_credentials", "scope": "audit:read"}, auth=(client_id, "s3cret-value")
    )
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    unsupported = await client.post(TOKEN, data={"grant_type": "implicit"})
    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    missing = await client.post(TOKEN, data={})
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


async def test_password_grant_gives_role_claims_and_refresh(client: httpx.AsyncClient, accounts: Accounts) -> None:
    username = await accounts.user(["employee"], nip=NIP_A)
    tokens = await password_token(client, username)
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"].startswith("rt_")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["employee"]
    assert claims["nip"] == NIP_A
    assert claims["agency_id"] == AGENCY_A
    me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == username
    assert me.json()["nip"] == NIP_A
    bad = await client.post(TOKEN, data={"grant_type": "password", "username": username, "password": "nope-nope"})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_grant")


async def test_national_admin_has_no_agency(client: httpx.AsyncClient, accounts: Accounts) -> None:
    username = await accounts.user(["national_admin"], agency_id=None)
    tokens = await password_token(client, username)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["agency_id"] is None
    assert "audit:read" in claims["scope"].split()


async def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.AsyncClient, accounts: Accounts) -> None:
    username = await accounts.user(["viewer"])
    first = await password_token(client, username)
    second = await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(rotated["access_token"]))).status_code == 200
    replay = await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    # The whole family is gone: the rotated refresh token and the access tokens minted from it.
    again = await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]})
    assert again.status_code == 400
    me = await client.get("/api/v1/me", headers=bearer(rotated["access_token"]))
    assert me.status_code == 401
    assert me.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/api/v1/me", headers=bearer(first["access_token"]))).status_code == 401


async def test_revoke_access_and_refresh_tokens(client: httpx.AsyncClient, accounts: Accounts) -> None:
    username = await accounts.user(["viewer"])
    tokens = await password_token(client, username)
    assert (await client.post("/api/v1/auth/revoke", data={"token": tokens["access_token"]})).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401
    assert (await client.post("/api/v1/auth/revoke", data={"token": tokens["refresh_token"]})).status_code == 200
    refresh = await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 400
    assert (await client.post("/api/v1/auth/revoke", data={"token": "garbage"})).status_code == 200


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


async def _authorize(client: httpx.AsyncClient, client_id: str, challenge: str, username: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = await client.get("/api/v1/auth/authorize", params=params)
    assert page.status_code == 200
    assert "<form" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    form = {k: v for k, v in params.items() if k != "response_type"}
    answer = await client.post("/api/v1/auth/authorize", data={**form, "username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    assert location.geturl().startswith(REDIRECT)
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


async def test_authorization_code_with_pkce(client: httpx.AsyncClient, accounts: Accounts) -> None:
    app_id = await accounts.client([], secret=None, redirect_uris=[REDIRECT])
    username = await accounts.user(["assessor"])
    verifier, challenge = _pkce()
    code = await _authorize(client, app_id, challenge, username)
    exchange = {"grant_type": "authorization_code", "code": code, "client_id": app_id, "redirect_uri": REDIRECT}
    wrong_verifier = await client.post(TOKEN, data={**exchange, "code_verifier": _pkce()[0]})
    assert (wrong_verifier.status_code, wrong_verifier.json()["error"]) == (400, "invalid_grant")
    # A code is single-use: after the failed attempt it is spent.
    code = await _authorize(client, app_id, challenge, username)
    wrong_redirect = await client.post(
        TOKEN, data={**exchange, "code": code, "redirect_uri": "http://127.0.0.1:7777/other", "code_verifier": verifier}
    )
    assert wrong_redirect.status_code == 400
    code = await _authorize(client, app_id, challenge, username)
    good = await client.post(TOKEN, data={**exchange, "code": code, "code_verifier": verifier})
    assert good.status_code == 200, good.text
    assert good.json()["refresh_token"]
    claims = jwt.decode(good.json()["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == app_id
    assert claims["roles"] == ["assessor"]
    replay = await client.post(TOKEN, data={**exchange, "code": code, "code_verifier": verifier})
    assert replay.status_code == 400


async def test_authorize_refuses_unknown_redirect_and_missing_pkce(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    app_id = await accounts.client([], secret=None, redirect_uris=[REDIRECT])
    unknown = await client.get(
        "/api/v1/auth/authorize",
        params={
            "response_type": "code",
            "client_id": app_id,
            "redirect_uri": "https://evil.example/cb",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        },
    )
    assert unknown.status_code == 400
    assert "location" not in unknown.headers
    no_pkce = await client.get(
        "/api/v1/auth/authorize", params={"response_type": "code", "client_id": app_id, "redirect_uri": REDIRECT}
    )
    assert no_pkce.status_code == 303
    assert "error=invalid_request" in no_pkce.headers["location"]


async def test_lockout_after_repeated_failures(gateway_db: str, stubs: dict[str, object]) -> None:
    settings = settings_for(gateway_db, stubs, lockout_threshold=3, token_failures_per_minute=100)
    async with running(settings) as (app, client):
        username = await Accounts(app).user(["viewer"])
        for _ in range(3):
            bad = await client.post(
                TOKEN, data={"grant_type": "password", "username": username, "password": "bad!bad!"}
            )
            assert bad.status_code == 400
        locked = await client.post(TOKEN, data={"grant_type": "password", "username": username, "password": PASSWORD})
        assert locked.status_code == 400
        assert "locked" in locked.json()["error_description"]


async def test_failed_attempts_are_throttled_with_retry_after(gateway_db: str, stubs: dict[str, object]) -> None:
    settings = settings_for(gateway_db, stubs, token_failures_per_minute=3)
    async with running(settings) as (app, client):
        username = await Accounts(app).user(["viewer"])
        statuses = []
        for _ in range(4):
            r = await client.post(TOKEN, data={"grant_type": "password", "username": username, "password": "bad!bad!"})
            statuses.append(r.status_code)
        assert statuses == [400, 400, 400, 429]
        assert int(r.headers["retry-after"]) >= 1
        # Even the right password waits until the budget refills.
        right = await client.post(TOKEN, data={"grant_type": "password", "username": username, "password": PASSWORD})
        assert right.status_code == 429


async def test_password_grant_off_outside_local(gateway_db: str, stubs: dict[str, object]) -> None:
    settings = settings_for(gateway_db, stubs, password_grant_enabled=False)
    async with running(settings) as (app, client):
        username = await Accounts(app).user(["viewer"])
        r = await client.post(TOKEN, data={"grant_type": "password", "username": username, "password": PASSWORD})
        assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")


async def test_confidential_clients_refresh_tokens_need_the_secret(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    client_id = await accounts.client(["employees:read"])
    username = await accounts.user(["viewer"])
    first = await client.post(
        TOKEN,
        data={"grant_type": "password", "username": username, "password": PASSWORD},
        auth=(client_id, "s3cret-value"),
    )
    assert first.status_code == 200, first.text
    assert first.json()["scope"] == "employees:read"  # the client's registration narrows the person's scopes
    refresh = first.json()["refresh_token"]
    anonymous = await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_client")
    with_secret = await client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh}, auth=(client_id, "s3cret-value")
    )
    assert with_secret.status_code == 200


async def test_readiness_checks_database_and_both_downstreams(
    client: httpx.AsyncClient, gateway_db: str, stubs: dict[str, object]
) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "registry": "ok", "scoring": "ok"}
    settings = settings_for(gateway_db, stubs, registry_url=f"http://127.0.0.1:{free_port()}")
    async with running(settings) as (_, other):
        not_ready = await other.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["registry"].startswith("unavailable")


async def test_odd_token_requests_are_rfc6749_errors(client: httpx.AsyncClient) -> None:
    long_grant = await client.post(TOKEN, data={"grant_type": "x" * 5000})
    assert (long_grant.status_code, long_grant.json()["error"]) == (400, "unsupported_grant_type")
    long_name = await client.post(TOKEN, data={"grant_type": "password", "username": "u" * 3000, "password": "p" * 20})
    assert (long_name.status_code, long_name.json()["error"]) == (400, "invalid_grant")
    json_body = await client.post(TOKEN, json={"grant_type": "client_credentials"})
    assert (json_body.status_code, json_body.json()["error"]) == (400, "invalid_request")
    bad_basic = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic !!!not-base64"}
    )
    assert (bad_basic.status_code, bad_basic.json()["error"]) == (401, "invalid_client")
