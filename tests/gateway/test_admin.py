"""Administration of users and clients, including what agency admins may not do."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.conftest import TokenFor, bearer, client_token, password_token
from tests.gateway.stub import AGENCY_A, AGENCY_B, NIP_A

USERS, CLIENTS = "/api/v1/admin/users", "/api/v1/admin/clients"


@pytest.fixture(scope="module")
async def admins(token_for: TokenFor) -> dict[str, dict[str, str]]:
    return {
        "national": bearer(await token_for(["national_admin"], agency_id=None)),
        "a": bearer(await token_for(["agency_admin"])),
        "b": bearer(await token_for(["agency_admin"], agency_id=AGENCY_B)),
    }


def _name(tag: str) -> str:
    import uuid

    return f"{tag}.{uuid.uuid4().hex[:8]}"


async def test_create_user_by_agency_code_then_sign_in(
    client: httpx.AsyncClient, admins: dict[str, dict[str, str]]
) -> None:
    username = _name("pegawai")
    created = await client.post(
        USERS,
        json={
            "username": username,
            "password": "a-long-password",
            "roles": ["employee"],
            "agency_id": "pemkab-lampung-barat",
            "nip": NIP_A,
        },
        headers=admins["a"],
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["agency_id"] == AGENCY_A
    assert "password" not in body
    assert "password_hash" not in body
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"{USERS}/{body['id']}"
    tokens = await password_token(client, username, "a-long-password")
    me = (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).json()
    assert me["nip"] == NIP_A
    duplicate = await client.post(
        USERS,
        json={"username": username, "password": "a-long-password", "roles": ["viewer"], "agency_id": AGENCY_A},
        headers=admins["a"],
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "username_taken")


async def test_agency_admin_limits(client: httpx.AsyncClient, admins: dict[str, dict[str, str]]) -> None:
    national = await client.post(
        USERS,
        json={"username": _name("n"), "password": "a-long-password", "roles": ["national_admin"]},
        headers=admins["a"],
    )
    assert (national.status_code, national.json()["code"]) == (403, "cannot_grant_role")
    other = await client.post(
        USERS,
        json={
            "username": _name("o"),
            "password": "a-long-password",
            "roles": ["viewer"],
            "agency_id": "pemkab-tanggamus",
        },
        headers=admins["a"],
    )
    assert (other.status_code, other.json()["code"]) == (403, "other_agency")
    in_b = await client.post(
        USERS,
        json={"username": _name("b"), "password": "a-long-password", "roles": ["viewer"], "agency_id": AGENCY_B},
        headers=admins["b"],
    )
    user_b = in_b.json()["id"]
    assert (await client.get(f"{USERS}/{user_b}", headers=admins["a"])).status_code == 404
    patch = await client.patch(f"{USERS}/{user_b}", json={"disabled": True}, headers={**admins["a"], "If-Match": '"1"'})
    assert patch.status_code == 404
    listed = (await client.get(f"{USERS}?limit=500", headers=admins["a"])).json()["items"]
    assert listed
    assert all(u["agency_id"] == AGENCY_A for u in listed)
    assert (await client.get(f"{USERS}/{user_b}", headers=admins["national"])).status_code == 200


async def test_validation(client: httpx.AsyncClient, admins: dict[str, dict[str, str]]) -> None:
    cases = [
        ({"username": _name("x"), "password": "a-long-password", "roles": ["viewer"]}, "agency_id"),
        ({"username": _name("x"), "password": "a-long-password", "roles": ["employee"], "agency_id": AGENCY_A}, "nip"),
        (
            {"username": _name("x"), "password": "a-long-password", "roles": ["viewer"], "agency_id": "no-such"},
            "agency_id",
        ),
        ({"username": _name("x"), "password": "short", "roles": ["viewer"], "agency_id": AGENCY_A}, "password"),
        (
            {
                "username": _name("x"),
                "password": "a-long-password",
                "roles": ["viewer"],
                "agency_id": AGENCY_A,
                "extra": 1,
            },
            "extra",
        ),
    ]
    for body, field in cases:
        response = await client.post(USERS, json=body, headers=admins["national"])
        assert response.status_code == 422, (body, response.text)
        assert any(e["loc"][-1] == field for e in response.json()["errors"]), response.json()


async def test_disable_revokes_tokens_and_needs_if_match(
    client: httpx.AsyncClient, admins: dict[str, dict[str, str]]
) -> None:
    username = _name("v")
    user = (
        await client.post(
            USERS,
            json={"username": username, "password": "a-long-password", "roles": ["viewer"], "agency_id": AGENCY_A},
            headers=admins["a"],
        )
    ).json()
    token = (await password_token(client, username, "a-long-password"))["access_token"]
    no_match = await client.patch(f"{USERS}/{user['id']}", json={"disabled": True}, headers=admins["a"])
    assert no_match.status_code == 428
    stale = await client.patch(
        f"{USERS}/{user['id']}", json={"disabled": True}, headers={**admins["a"], "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    done = await client.patch(
        f"{USERS}/{user['id']}", json={"disabled": True}, headers={**admins["a"], "If-Match": '"1"'}
    )
    assert done.status_code == 200
    assert done.json()["disabled"] is True
    assert done.headers["etag"] == '"2"'
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": "a-long-password"}
    )
    assert refused.status_code == 400


async def test_clients_secret_shown_once_and_rotated(
    client: httpx.AsyncClient, admins: dict[str, dict[str, str]]
) -> None:
    created = await client.post(
        CLIENTS,
        json={"name": "SIMPEG", "scopes": ["employees:read"], "agency_id": "pemkab-lampung-barat"},
        headers=admins["a"],
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret, client_id = body["client_secret"], body["client_id"]
    assert body["confidential"] is True
    token = await client_token(client, client_id, secret)
    fetched = (await client.get(f"{CLIENTS}/{client_id}", headers=admins["a"])).json()
    assert "client_secret" not in fetched
    rotated = await client.post(f"{CLIENTS}/{client_id}/secret", headers=admins["a"])
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != secret
    old = await client.post("/api/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert old.status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    await client_token(client, client_id, new_secret)
    assert (await client.get(f"{CLIENTS}/{client_id}", headers=admins["b"])).status_code == 404


async def test_client_rules(client: httpx.AsyncClient, admins: dict[str, dict[str, str]]) -> None:
    national_client = await client.post(CLIENTS, json={"name": "x", "scopes": ["employees:read"]}, headers=admins["a"])
    assert national_client.status_code == 403
    admin_scope = await client.post(
        CLIENTS, json={"name": "x", "scopes": ["admin"], "agency_id": AGENCY_A}, headers=admins["a"]
    )
    assert admin_scope.status_code == 403
    public_no_redirect = await client.post(
        CLIENTS, json={"name": "app", "confidential": False, "agency_id": AGENCY_A}, headers=admins["a"]
    )
    assert public_no_redirect.status_code == 422
    bad_redirect = await client.post(
        CLIENTS,
        json={"name": "app", "confidential": False, "agency_id": AGENCY_A, "redirect_uris": ["http://evil.example/cb"]},
        headers=admins["a"],
    )
    assert bad_redirect.status_code == 422
    app = await client.post(
        CLIENTS,
        json={
            "name": "app",
            "confidential": False,
            "agency_id": AGENCY_A,
            "redirect_uris": ["id.go.talenta.app:/oauth2redirect"],
        },
        headers=admins["a"],
    )
    assert app.status_code == 201
    assert app.json()["client_secret"] is None
    changed = await client.patch(
        f"{CLIENTS}/{app.json()['client_id']}", json={"name": "renamed"}, headers={**admins["a"], "If-Match": '"1"'}
    )
    assert (changed.status_code, changed.json()["name"]) == (200, "renamed")


async def test_agency_reference_cannot_steer_the_lookup(
    client: httpx.AsyncClient, admins: dict[str, dict[str, str]], stubs: dict[str, object]
) -> None:
    registry = stubs["registry"]
    before = len(registry.state.calls)  # type: ignore[attr-defined]
    for ref in ("../scoring-inputs", "a/b", "x?y=1", "..", "", "a" * 300):
        response = await client.post(
            USERS,
            json={"username": _name("r"), "password": "a-long-password", "roles": ["viewer"], "agency_id": ref},
            headers=admins["national"],
        )
        assert response.status_code == 422, (ref, response.text)
    paths = [c["path"] for c in registry.state.calls[before:]]  # type: ignore[attr-defined]
    assert all(p.startswith("/v1/agencies/") and p.count("/") == 3 for p in paths), paths
