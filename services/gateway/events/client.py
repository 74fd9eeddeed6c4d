"""Reading the services' internal feeds (`GET /v1/events`) as a given identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.common.errors import BadGateway
from services.common.http import ServiceClient
from services.common.service_token import CallerIdentity


@dataclass(frozen=True)
class FeedPage:
    """A page of one service's feed."""

    items: list[dict[str, Any]]
    next_after: int
    has_more: bool


async def read_feed(
    client: ServiceClient, identity: CallerIdentity, after: int, limit: int, types: Sequence[str] | None
) -> FeedPage:
    """Events of one service after position `after` (of the given types; None: all), as `identity` sees them."""
    params: dict[str, str] = {"after": str(after), "limit": str(limit)}
    if types is not None:
        params["types"] = ",".join(types)
    response = await client.request("GET", "/v1/events", identity=identity, params=params)
    if response.status_code != 200:
        raise BadGateway(f"The {client.name} feed answered {response.status_code}.", code="feed_unavailable")
    try:
        body = response.json()
        return FeedPage(items=list(body["items"]), next_after=int(body["next_after"]), has_more=bool(body["has_more"]))
    except (ValueError, KeyError, TypeError):
        raise BadGateway(f"The {client.name} feed answered an unreadable page.", code="feed_unavailable") from None
