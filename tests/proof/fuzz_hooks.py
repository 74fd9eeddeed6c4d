"""Schemathesis hooks for the fuzz runs (loaded by `st run` through SCHEMATHESIS_HOOKS).

Authentication comes from `TALENTA_FUZZ_AUTH`, a JSON object: `{"kind": "password", "token_url", "username",
"password"}` for the gateway's demo accounts, or `{"kind": "service", "audience", "secret", "agency_id"}` for a
service token to the registry or scoring (60 s lifetime, so it is minted again every 20 s).

The `problem_details` check holds every error answer to API.md's conventions: problem+json with `type`, `title`,
`status` (the answer's own), `detail` and `code`; 401 with `WWW-Authenticate: Bearer`; 429 with `Retry-After`.
The exceptions are the ones API.md fixes: the token and revocation endpoints answer their 400, 401 and 429 as RFC
6749 5.2 JSON, and the sign-in page (for people, in a browser) its 400, 401 and 429 as HTML.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import schemathesis

from services.common.service_token import CallerIdentity, mint_service_token

OAUTH_ERROR_PATHS = ("/api/v1/auth/token", "/api/v1/auth/revoke")
OAUTH_STATUSES = (400, 401, 429)  # what RFC 6749 5.2 covers; a 405, 413 or 422 of the HTTP layer is problem+json
HTML_PATHS = ("/api/v1/auth/authorize",)
PAGE_STATUSES = (400, 401, 429)  # the sign-in page's own refusals, shown to the person
PROBLEM_FIELDS = {"type": str, "title": str, "status": int, "detail": str, "code": str}
SETTINGS: dict[str, Any] = json.loads(os.environ.get("TALENTA_FUZZ_AUTH", "{}"))
# Path values the run must not change (the demo accounts it signs in with, the demo person's NIP): a fuzzer
# that disables its own account, rotates the client secret or deletes the person every example names would
# spend the rest of the run on 401s and 404s.
PROTECTED: dict[str, list[str]] = json.loads(os.environ.get("TALENTA_FUZZ_PROTECTED", "{}"))


def _bearer() -> str:
    if SETTINGS["kind"] == "service":
        identity = CallerIdentity(
            service="gateway",
            subject="user:fuzzer",
            agency_id=SETTINGS.get("agency_id"),
            roles=("national_admin",) if SETTINGS.get("agency_id") is None else ("agency_admin",),
        )
        return mint_service_token(SETTINGS["secret"], "gateway", SETTINGS["audience"], identity)
    answer = httpx.post(
        SETTINGS["token_url"],
        data={"grant_type": "password", "username": SETTINGS["username"], "password": SETTINGS["password"]},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


if SETTINGS:
    # Service tokens live 60 s and are minted here; an access token lives 15 minutes and costs a password hash.
    # A 401 does not drop the token: the run sends broken credentials on purpose, many times.
    @schemathesis.auth(refresh_interval=20 if SETTINGS["kind"] == "service" else 300, retry_on=[])
    class TalentaAuth:
        """A bearer token of the account under test, renewed before it expires."""

        def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
            """A fresh enough token."""
            return _bearer()

        def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
            """Put it on the request, unless the case tests a missing or broken Authorization itself."""
            case.headers = case.headers or {}
            case.headers.setdefault("Authorization", f"Bearer {data}")


# (method, path template) -> the path parameter whose protected values that write must not reach.
GUARDED_WRITES = {
    ("PATCH", "/api/v1/admin/users/{user_id}"): "user_id",
    ("PATCH", "/api/v1/admin/clients/{client_id}"): "client_id",
    ("POST", "/api/v1/admin/clients/{client_id}/secret"): "client_id",
    ("DELETE", "/api/v1/employees/{nip}"): "nip",
    ("POST", "/api/v1/employees/{nip}/transfers"): "nip",
    ("DELETE", "/v1/employees/{nip}"): "nip",
    ("POST", "/v1/employees/{nip}/transfers"): "nip",
}


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Point a guarded write at a protected account or person to one that does not exist (its 404 is checked)."""
    name = GUARDED_WRITES.get((case.method.upper(), str(case.operation.path)))
    if name is not None and case.path_parameters and case.path_parameters.get(name) in PROTECTED.get(name, ()):
        case.path_parameters[name] = "0" * 18 if name == "nip" else "protected-by-the-fuzz-run"


def _path(case: schemathesis.Case) -> str:
    return str(case.operation.path)


@schemathesis.check
def problem_details(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every error answer is problem+json as API.md fixes it (or the format API.md fixes for that route)."""
    status = response.status_code
    if status < 400:
        return
    path = _path(case)
    documented_method = case.method.upper() == case.operation.method.upper()
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if path in HTML_PATHS and documented_method and status in PAGE_STATUSES:
        assert media_type == "text/html", f"the sign-in page answered {status} as {media_type!r}, not a page"
        return
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{status} answer is not JSON: {response.content[:200]!r}") from exc
    if path in OAUTH_ERROR_PATHS and documented_method and status in OAUTH_STATUSES:
        assert media_type == "application/json", f"OAuth error answered as {media_type!r}"
        assert isinstance(body, dict), f"OAuth error body is not an object: {body!r}"
        assert isinstance(body.get("error"), str), f"OAuth error without `error` (RFC 6749 5.2): {body!r}"
        return
    assert media_type == "application/problem+json", f"{status} answered as {media_type!r}, not problem+json"
    assert isinstance(body, dict), f"problem body is not an object: {body!r}"
    for name, kind in PROBLEM_FIELDS.items():
        assert isinstance(body.get(name), kind), f"problem without a {kind.__name__} `{name}`: {body!r}"
    assert body["status"] == status, f"problem status {body['status']} on a {status} answer"
    if status == 401:
        challenge = response.headers.get("www-authenticate", [""])[0]
        assert challenge.startswith("Bearer"), f"401 without `WWW-Authenticate: Bearer`: {challenge!r}"
    if status == 429:
        assert response.headers.get("retry-after", [""])[0].isdigit(), "429 without Retry-After in seconds"
    if status >= 500:
        assert status in (502, 503, 504), f"{status}: a server error"
