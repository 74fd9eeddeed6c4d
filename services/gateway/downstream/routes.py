"""The shape of a forwarded route; the rows are in routes_registry.py and routes_talent.py.

One row per route, so the table reads beside API.md. `permission` names a row of
services/gateway/permissions.py; `audit` names the action recorded for every person it touches;
`not_own` marks routes where nobody may act on their own record (API.md: 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Query:
    """A documented query parameter."""

    name: str
    description: str
    type: str = "string"


@dataclass(frozen=True)
class Route:
    """One forwarded route."""

    method: str
    path: str  # public path; the internal one is the same minus `/api`
    service: str  # "registry" or "scoring"
    permission: str
    summary: str
    tag: str
    response: Any = None  # a pydantic model (or Page[...]) for the success answer
    request: type[BaseModel] | None = None
    status: int = 200
    audit: str | None = None
    not_own: bool = False
    query: tuple[Query, ...] = ()
    media_type: str = "application/json"
    also: tuple[str, ...] = ()  # other permissions that grant the route too, tried in order after `permission`
    description: str | None = None  # longer OpenAPI text than the summary
    # Statuses beyond the method's usual ones, documented as the downstream documents them: 409 for a read of a
    # review not completed yet, 201 for a PUT that creates.
    also_answers: tuple[int, ...] = ()


PAGING = (Query("limit", "Items per page (default 50, max 500)", "integer"), Query("cursor", "next_cursor"))
AGENCY = Query("agency_id", "Agency id or code")
