"""Unreadable OAuth forms are RFC 6749 `invalid_request` (the sign-in form: its error page), never a 500."""

from __future__ import annotations

import httpx
import pytest

TOKEN, REVOKE, AUTHORIZE = "/api/v1/auth/token", "/api/v1/auth/revoke", "/api/v1/auth/authorize"


@pytest.mark.parametrize(
    ("path", "data", "headers"),
    [
        (TOKEN, {"grant_type": "password", "username": "a\x00b", "password": "x"}, {}),
        (TOKEN, {"grant_type": "client_credentials", "client_id": "c\x00", "client_secret": "x"}, {}),
        (TOKEN, {"grant_type": "client_credentials"}, {"Authorization": "Basic YQBiOmM="}),  # "a\0b:c"
        (REVOKE, {"token": "rt_x", "client_id": "c\x00"}, {}),
    ],
    ids=["nul-username", "nul-client-id", "nul-in-basic", "nul-revoke-client"],
)
async def test_nul_characters_are_invalid_request(
    client: httpx.AsyncClient, path: str, data: dict[str, str], headers: dict[str, str]
) -> None:
    """PostgreSQL cannot look up a NUL: these were 500s."""
    answer = await client.post(path, data=data, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == "invalid_request"


async def test_a_multipart_body_without_its_boundary_is_invalid_request(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "multipart/form-data"}
    for path in (TOKEN, REVOKE):
        answer = await client.post(path, content=b"grant_type=password", headers=headers)
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request"), answer.text


async def test_the_sign_in_form_answers_a_page(client: httpx.AsyncClient) -> None:
    answer = await client.post(AUTHORIZE, data={"client_id": "demo-mobile\x00", "username": "a"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


async def test_the_openapi_documents_what_they_answer(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "content" not in paths[REVOKE]["post"]["responses"]["200"]  # an empty 200
    assert "400" in paths[REVOKE]["post"]["responses"]
    assert "text/html" in paths[AUTHORIZE]["get"]["responses"]["400"]["content"]
    assert set(paths[AUTHORIZE]["post"]["responses"]) >= {"303", "400", "401", "429"}


async def test_an_unknown_token_type_hint_is_ignored_as_rfc_7009_says(client: httpx.AsyncClient) -> None:
    """Schemathesis found the OpenAPI promising a refusal (an enum) that RFC 7009 2.1 forbids."""
    answer = await client.post(REVOKE, data={"token": "rt_unknown", "token_type_hint": "\u00ee\U0001f600"})
    assert (answer.status_code, answer.content) == (200, b"")
    form = (await client.get("/openapi.json")).json()["paths"][REVOKE]["post"]["requestBody"]["content"]
    hint = form["application/x-www-form-urlencoded"]["schema"]["properties"]["token_type_hint"]
    assert "enum" not in hint
