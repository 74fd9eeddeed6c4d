"""Forwarding one public request to the registry or scoring, with identity, audit and header rules."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import Response

from services.common.errors import AppError, Forbidden, NotFound, invalid
from services.common.http import ServiceClient
from services.common.service_token import CallerIdentity
from services.gateway.audit.service import MAX_NIPS_PER_ANSWER, NIP_PATTERN, build_events, nips_in
from services.gateway.auth.principal import Principal
from services.gateway.downstream.routes import Route
from services.gateway.permissions import Grant, Reach, decide, sees_personal_data
from services.gateway.state import GatewayState, gateway_state

FORWARDED_REQUEST_HEADERS = ("content-type", "if-match", "if-none-match", "idempotency-key", "accept")
_FORWARDED_REQUEST_KEYS = frozenset(name.encode() for name in FORWARDED_REQUEST_HEADERS)  # ASGI names: lower-case
FORWARDED_RESPONSE_HEADERS = (
    "content-type",
    "etag",
    "location",
    "retry-after",
    "idempotent-replayed",
    "cache-control",
    "content-disposition",
)


def identity_for(principal: Principal, grant: Grant) -> CallerIdentity:
    """The service-token identity of a principal (agency scope, NIP for employees, minimisation)."""
    return _identity(principal, grant.reach is Reach.ALL)


@lru_cache(maxsize=4096)
def _identity(principal: Principal, national: bool) -> CallerIdentity:
    # One object per principal and reach: a client sends the same token for minutes, and the ServiceClient's
    # service-token cache then finds it at once (building and comparing the model cost ~3% of a forwarded GET).
    return CallerIdentity(
        service="gateway",
        subject=principal.subject,
        agency_id=None if national else principal.agency_id,
        roles=principal.roles,
        scopes=principal.scopes,
        client_id=principal.client_id,
        nip=principal.nip,  # the registry limits employee-only principals to it, and refuses self-assessment
        personal_data=sees_personal_data(principal),
    )


def authorise(principal: Principal, route: Route, path_nip: str | None) -> Grant:
    """The grant that lets `principal` use `route` on `path_nip`, or 403/404."""
    grant = decide(principal, route.permission)
    for permission in route.also:
        grant = grant or decide(principal, permission)
    if grant is None:
        raise Forbidden(f"This needs the {route.permission} permission.", code="insufficient_permission")
    if grant.reach is Reach.SELF:
        if path_nip is None:
            raise Forbidden("This account may only read its own records.", code="own_records_only")
        if path_nip != principal.nip:
            raise NotFound("No such employee.", code="employee_not_found")
    if route.not_own and path_nip is not None and path_nip == principal.nip:
        raise Forbidden("Nobody records their own assessment or calibrates their own placement.", code="own_record")
    return grant


def internal_path(route: Route, params: dict[str, Any]) -> str:
    """The downstream path: the route's own template with each parameter percent-encoded.

    Built from the template, never from the raw request path, so no encoded slash or dot segment
    can steer a call to another (internal-only) downstream route."""
    values = {}
    for name, value in params.items():
        if value in (".", ".."):
            raise NotFound("No such resource or route.")
        values[name] = quote(str(value), safe="")
    return route.path.removeprefix("/api").format(**values)


def nips_in_csv(body: bytes) -> list[str | None]:
    """The NIPs of a CSV download (its first column), for the audit trail: a spreadsheet is a read of every row."""
    found: dict[str | None, None] = {}
    for line in body.splitlines()[1:]:
        nip = line.split(b",", 1)[0].decode(errors="replace")
        if NIP_PATTERN.match(nip):
            found[nip] = None
            if len(found) >= MAX_NIPS_PER_ANSWER:
                break
    return list(found)


def _public_location(location: str, client: ServiceClient) -> str:
    base = str(client.http.base_url).rstrip("/")
    if location.startswith(base):
        location = location[len(base) :]
    return "/api" + location if location.startswith("/v1/") else location


async def forward(request: Request, principal: Principal, route: Route) -> Response:
    """Authorise, forward, audit (durably, before answering) and answer the downstream response."""
    state = gateway_state(request)
    path_nip = request.path_params.get("nip")
    if path_nip is not None and not NIP_PATTERN.match(path_nip):
        raise invalid(["path", "nip"], "must be 18 digits")
    try:
        grant = authorise(principal, route, path_nip)
    except AppError as exc:
        if route.audit:
            await _audit(state, principal, route, exc.status, [path_nip], None)
        raise
    client = state.registry if route.service == "registry" else state.scoring
    headers: dict[str, str] = {}
    for key, value in request.scope["headers"]:  # one pass; the first of a repeated header, as headers.get gives
        if key in _FORWARDED_REQUEST_KEYS:
            headers.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    path = internal_path(route, request.path_params)
    params = request.scope["query_string"].decode("latin-1") or None  # as sent; request.url would parse it all
    if route.method in ("GET", "DELETE"):
        content: Any = None
    elif route.media_type == "multipart/form-data":
        content = request.stream()  # streamed through: an import file is never held whole in memory
        if length := request.headers.get("content-length"):
            headers["content-length"] = length
    else:
        content = await request.body()
    upstream = await client.request(
        route.method, path, identity=identity_for(principal, grant), headers=headers, params=params, content=content
    )
    out_headers = {k: upstream.headers[k] for k in FORWARDED_RESPONSE_HEADERS if k in upstream.headers}
    if "location" in out_headers:
        out_headers["location"] = _public_location(out_headers["location"], client)
    if route.audit:
        nips, agency = _people_in(upstream.content, out_headers.get("content-type", ""), path_nip)
        await _audit(state, principal, route, upstream.status_code, nips, agency)
    return Response(upstream.content, status_code=upstream.status_code, headers=out_headers)


def _people_in(body: bytes, content_type: str, path_nip: str | None) -> tuple[list[str | None], str | None]:
    nips: list[str | None] = [path_nip] if path_nip else []
    agency: str | None = None
    if body and content_type.startswith("text/csv"):
        return (nips_in_csv(body) or [None]), None
    if body and "json" in content_type and "problem" not in content_type:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        found = dict.fromkeys(n for n in nips if n)
        nips = list(nips_in(data, found))
        if isinstance(data, dict) and isinstance(data.get("agency_id"), str):
            agency = data["agency_id"]
    return (nips or [None]), agency


async def _audit(
    state: GatewayState, principal: Principal, route: Route, status: int, nips: list[str | None], agency: str | None
) -> None:
    assert route.audit is not None
    events = build_events(
        principal=principal,
        action=route.audit,
        method=route.method,
        route=route.path,
        status=status,
        nips=nips,
        agency_id=agency,
    )
    await state.audit.record(events)
