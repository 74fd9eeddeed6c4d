"""Audit events: what each one holds, and the queries admins and employees may run."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import invalid
from services.common.ids import new_id
from services.common.logging import current_request_id
from services.common.pagination import PageParams, make_page
from services.gateway.audit import repository
from services.gateway.audit.models import AuditEvent
from services.gateway.auth.principal import Principal

NIP_PATTERN = re.compile(r"^\d{18}$")
MAX_NIPS_PER_ANSWER = 5000


def cursor_id(params: PageParams) -> str | None:
    """The id a cursor continues after; 422 for a cursor these lists never issue."""
    if params.after is None:
        return None
    if len(params.after) != 1 or not isinstance(params.after[0], str):
        raise invalid(["query", "cursor"], "not a cursor this API issued")
    return params.after[0]


def outcome_of(status: int) -> str:
    """`success`, `denied` (401/403), `not_found`, `failure` (other 4xx) or `error` (5xx)."""
    if status < 400:
        return "success"
    if status in (401, 403, 429):
        return "denied"
    if status == 404:
        return "not_found"
    return "failure" if status < 500 else "error"


def _cut(value: str | None, length: int) -> str | None:
    # PostgreSQL text cannot hold NUL; a typed name is data, not a reason to lose the event.
    return value.replace("\x00", "")[:length] if value else None


def build_events(
    *,
    principal: Principal | None,
    action: str,
    method: str,
    route: str,
    status: int,
    nips: Iterable[str | None] = (None,),
    agency_id: str | None = None,
    actor_name: str | None = None,
    client_id: str | None = None,
) -> list[dict[str, Any]]:
    """One event row per NIP concerned (or one without a NIP)."""
    now = utcnow()
    request_id = current_request_id()
    actor_agency = principal.agency_id if principal else None
    base = {
        "occurred_at": now,
        "actor": principal.subject if principal else "anonymous",
        # Names typed by an unauthenticated caller are cut to their columns, never a failed insert.
        "actor_name": _cut(principal.display_name if principal else actor_name, 200),
        "client_id": _cut(principal.client_id if principal else client_id, 100),
        "actor_agency_id": actor_agency,
        "agency_id": agency_id or actor_agency,
        "action": action,
        "outcome": outcome_of(status),
        "status": status,
        "method": method,
        "route": route,
        "request_id": request_id,
    }
    # Only well-formed NIPs are recorded as such; anything else a caller typed is not a person.
    people = dict.fromkeys(nip if nip is not None and NIP_PATTERN.match(nip) else None for nip in nips)
    return [{**base, "id": new_id(), "nip": nip} for nip in people]


def nips_in(value: Any, found: dict[str, None] | None = None) -> list[str]:
    """Every NIP-valued `nip` field in a JSON answer (items, candidates, incumbents ...), in order."""
    found = {} if found is None else found
    stack = [value]
    while stack and len(found) < MAX_NIPS_PER_ANSWER:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if key in ("nip", "incumbent_nip") and isinstance(sub, str) and NIP_PATTERN.match(sub):
                    found[sub] = None
                elif isinstance(sub, dict | list):
                    stack.append(sub)
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(found)


async def list_events(
    session: AsyncSession,
    params: PageParams,
    *,
    nip: str | None,
    actor: str | None,
    since: dt.datetime | None,
    agency_id: str | None,
) -> tuple[list[AuditEvent], str | None]:
    """A page of events, newest first."""
    before = cursor_id(params)
    rows = await repository.list_events(
        session, limit=params.limit, before_id=before, nip=nip, actor=actor, since=since, agency_id=agency_id
    )
    return make_page(rows, params, key=lambda e: [e.id])
