"""Signing in over TCP: password grant, client credentials, the authorization-code flow with PKCE through the
gateway's sign-in page, refresh token rotation with reuse detection, and revocation."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from services.gateway.demo import DEMO_CLIENTS
from tests.e2e.harness import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT, PASSWORDS, Api, ok, problem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
TOKEN = "/api/v1/auth/token"
MOBILE = next(c for c in DEMO_CLIENTS if c.secret is None)  # the demo public app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_password_grant_and_me(api: Api) -> None:
    tokens = await api.sign_in("asesor.lampungbarat")
    assert (tokens["token_type"], tokens["expires_in"]) == ("Bearer", 900)
    assert tokens["refresh_token"]
    header = jwt.get_unverified_header(tokens["access_token"])
    assert (header["typ"], header["alg"]) == ("at+jwt", "EdDSA")
    jwks = ok(await api.http.get("/.well-known/jwks.json"))
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    me = ok(await api.http.get("/api/v1/me", headers=bearer(tokens["access_token"])))
    assert (me["username"], me["roles"]) == ("asesor.lampungbarat", ["assessor"])
    wrong = await api.http.post(TOKEN, data={"grant_type": "password", "username": "asesor.lampungbarat",
                                              "password": "not-the-password"})  # fmt: skip
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    unauthenticated = await api.http.get("/api/v1/me")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")


async def test_client_credentials_for_the_integration_client(api: Api) -> None:
    tokens = await api.client_token("demo-integration")
    assert "refresh_token" not in tokens
    assert set(tokens["scope"].split()) == {"employees:read", "talent:read", "succession:read"}
    me = ok(await api.http.get("/api/v1/me", headers=bearer(tokens["access_token"])))
    assert me["client_id"] == "demo-integration"
    agency = ok(await api.get("demo-integration", f"/api/v1/agencies/{LAMPUNG_BARAT}"))
    assert me["agency_id"] == agency["id"]
    person = ok(await api.get("demo-integration", f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}"))
    assert "email" not in person
    assert "phone" not in person  # minimised: a client without employees:write
    problem(await api.post("demo-integration", "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT,
                                                                                "period": 2025}), 403)  # fmt: skip


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def test_authorization_code_with_pkce_through_the_sign_in_page(api: Api) -> None:
    verifier, challenge = pkce()
    redirect_uri = MOBILE.redirect_uris[0]
    query = {"response_type": "code", "client_id": MOBILE.client_id, "redirect_uri": redirect_uri,
             "state": "e2e-state-7", "code_challenge": challenge, "code_challenge_method": "S256"}  # fmt: skip
    page = await api.http.get("/api/v1/auth/authorize", params=query)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    form = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page.text))
    assert form["code_challenge"] == challenge
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    user = "viewer.lampungbarat"
    signed_in = await api.http.post(action.group(1), data={**form, "username": user, "password": PASSWORDS[user]})
    assert signed_in.status_code == 303, signed_in.text
    location = urlsplit(signed_in.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    returned = parse_qs(location.query)
    assert returned["state"] == ["e2e-state-7"]
    exchange = {"grant_type": "authorization_code", "code": returned["code"][0], "client_id": MOBILE.client_id,
                "redirect_uri": redirect_uri}  # fmt: skip
    tokens = ok(await api.http.post(TOKEN, data={**exchange, "code_verifier": verifier}))
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["client_id"], claims["roles"]) == (MOBILE.client_id, ["viewer"])
    assert ok(await api.http.get("/api/v1/me", headers=bearer(tokens["access_token"])))["username"] == user
    replay = await api.http.post(TOKEN, data={**exchange, "code_verifier": verifier})
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")  # a code works once


async def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(api: Api) -> None:
    first = await api.sign_in("viewer.lampungbarat")
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = ok(await api.http.post(TOKEN, data=refresh))
    assert second["refresh_token"] != first["refresh_token"]
    assert (await api.http.get("/api/v1/me", headers=bearer(second["access_token"]))).status_code == 200
    reuse = await api.http.post(TOKEN, data=refresh)  # a stolen copy of the first refresh token
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")
    rotated = await api.http.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert (rotated.status_code, rotated.json()["error"]) == (400, "invalid_grant")
    for access in (first["access_token"], second["access_token"]):
        problem(await api.http.get("/api/v1/me", headers=bearer(access)), 401)
    other_session = await api.sign_in("viewer.lampungbarat")  # the person signs in again: a new family
    assert (await api.http.get("/api/v1/me", headers=bearer(other_session["access_token"]))).status_code == 200


async def test_revoked_access_token_is_refused(api: Api) -> None:
    tokens = await api.sign_in("asesor.lampungbarat")
    assert (await api.http.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200
    assert (await api.http.post("/api/v1/auth/revoke", data={"token": tokens["access_token"]})).status_code == 200
    problem(await api.http.get("/api/v1/me", headers=bearer(tokens["access_token"])), 401)
