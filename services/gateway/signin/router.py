"""The authorization endpoint: the gateway's own sign-in page for the authorization-code flow with PKCE."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from services.common.db import SessionDep
from services.gateway.audit.service import build_events
from services.gateway.auth import repository, service
from services.gateway.auth.exceptions import OAuthError
from services.gateway.auth.forms import read_form
from services.gateway.signin.pages import PAGE_HEADERS, error_page, sign_in_page
from services.gateway.state import gateway_state

router = APIRouter(tags=["auth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def _authorize_client(session: SessionDep, params: dict[str, str]) -> tuple[Any, Response | None]:
    """The client of an authorization request, or the answer to give instead (RFC 6749 4.1.2.1)."""
    client = await repository.client_by_client_id(session, params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if client is None or client.disabled or redirect_uri not in client.redirect_uris:
        # Never redirect to an unverified URI: answer the browser directly.
        page = error_page("Unknown client, or a redirect_uri not registered for it.")
        return None, HTMLResponse(page, status_code=400, headers=PAGE_HEADERS)
    error = None
    if params.get("response_type", "code") != "code":
        error = ("unsupported_response_type", "Only response_type=code is supported.")
    elif not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        error = ("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256.")
    elif not 43 <= len(params["code_challenge"]) <= 128:
        error = ("invalid_request", "code_challenge must be 43 to 128 characters.")
    if error is not None:
        return None, _redirect(redirect_uri, {"error": error[0], "error_description": error[1]}, params)
    return client, None


def _redirect(redirect_uri: str, values: dict[str, str], params: dict[str, str]) -> RedirectResponse:
    if params.get("state"):
        values["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(values)}", status_code=303, headers=NO_STORE)


_AUTHORIZE_PARAMS = [
    {"name": n, "in": "query", "required": r, "schema": {"type": "string"}, "description": d}
    for n, r, d in [
        ("response_type", True, "Always `code`"),
        ("client_id", True, "A registered client"),
        ("redirect_uri", True, "Exactly as registered"),
        ("state", False, "Returned unchanged"),
        ("code_challenge", True, "PKCE S256 challenge (RFC 7636)"),
        ("code_challenge_method", True, "Always `S256`"),
        ("scope", False, "Space-separated scopes"),
    ]
]


@router.get(
    "/api/v1/auth/authorize",
    response_class=HTMLResponse,
    summary="Authorization endpoint: the sign-in page",
    responses={
        303: {"description": "Redirect back with `error` (bad request of a known client)"},
        400: {
            "description": "A page for the person: unknown client or redirect_uri (never redirected to)",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
    openapi_extra={"parameters": _AUTHORIZE_PARAMS},
)
async def authorize_page(request: Request, session: SessionDep) -> Response:
    """Show the gateway's sign-in page for an authorization-code request with PKCE (RFC 9700)."""
    params = dict(request.query_params)
    client, answer = await _authorize_client(session, params)
    if answer is not None:
        return answer
    return HTMLResponse(sign_in_page(client.name, params), headers=PAGE_HEADERS)


_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}
_SIGN_IN_FORM = {
    "type": "object",
    "required": ["client_id", "redirect_uri", "code_challenge", "code_challenge_method", "username", "password"],
    "properties": {
        **{p["name"]: {"type": "string"} for p in _AUTHORIZE_PARAMS},
        "username": {"type": "string"},
        "password": {"type": "string", "format": "password"},
    },
}


@router.post(
    "/api/v1/auth/authorize",
    response_class=HTMLResponse,
    summary="The sign-in page's form",
    responses={
        303: {"description": "Signed in: back to the redirect_uri with `code` and `state` (or with `error`)"},
        400: {"description": "Unknown client or redirect_uri, or an unreadable form", **_PAGE},
        401: {"description": "Wrong username or password: the page again, with the error", **_PAGE},
        429: {"description": "Too many failed attempts: the page again (Retry-After)", **_PAGE},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": _SIGN_IN_FORM}}}
    },
)
async def authorize_sign_in(request: Request, session: SessionDep) -> Response:
    """The sign-in form's POST: on success redirect back with a one-time code and the state."""
    state = gateway_state(request)
    try:
        form = await read_form(request)
    except OAuthError as exc:
        return HTMLResponse(error_page(exc.detail), status_code=400, headers=PAGE_HEADERS)
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    client, answer = await _authorize_client(session, params)
    if answer is not None:
        return answer
    username, password = params.get("username", ""), params.get("password", "")
    keys = [f"tf:ip:{request.client.host if request.client else 'unknown'}", f"tf:user:{username.lower()}"]
    try:
        await service.throttle_check(state.auth, keys)
        user = await service.sign_in(session, state.auth, username, password)
        scope = service.narrow_scope(params.get("scope"), service.user_scopes(user, client))
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            await service.throttle_failure(state.auth, keys)
        await state.audit.commit_then_record(
            session,
            build_events(
                principal=None,
                action="auth.authorize",
                method="POST",
                route="/api/v1/auth/authorize",
                status=exc.http_status if exc.http_status != 400 else 401,
                actor_name=username,
                client_id=client.client_id,
            ),
        )
        page = sign_in_page(client.name, params, error=exc.detail, username=username)
        return HTMLResponse(
            page,
            status_code=exc.http_status if exc.http_status == 429 else 401,
            headers={**PAGE_HEADERS, **exc.headers},
        )
    code = await service.create_code(
        session, state.auth, client, user, params["redirect_uri"], params["code_challenge"], scope
    )
    events = build_events(
        principal=None,
        action="auth.authorize",
        method="POST",
        route="/api/v1/auth/authorize",
        status=303,
        actor_name=user.username,
        client_id=client.client_id,
        agency_id=user.agency_id,
    )
    for event in events:
        event["actor"] = f"user:{user.id}"
    await state.audit.commit_then_record(session, events)
    return _redirect(params["redirect_uri"], {"code": code, "iss": state.auth.issuer.issuer}, params)
