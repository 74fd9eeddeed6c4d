"""The public feed: both services' feeds read after the cursor's positions and merged by time of the change."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
from collections import deque
from typing import Any

import orjson

from services.common.errors import Forbidden, invalid
from services.common.http import ServiceClient
from services.common.service_token import CallerIdentity
from services.gateway.events.catalog import EVENT_TYPES, SOURCES, EventAccess
from services.gateway.events.client import FeedPage, read_feed
from services.gateway.events.schemas import EventFeed, EventRead


def encode_after(positions: dict[str, int]) -> str:
    """The opaque cursor of the positions reached in each service's feed."""
    return base64.urlsafe_b64encode(orjson.dumps(positions)).decode().rstrip("=")


def decode_after(after: str | None) -> dict[str, int]:
    """Positions inside a cursor (all 0 without one); 422 naming `after` for a cursor this API did not issue."""
    if not after:
        return dict.fromkeys(SOURCES, 0)
    try:
        value = orjson.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        value = None
    ok = isinstance(value, dict) and set(value) == set(SOURCES)
    if not ok or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62 for v in value.values()):
        raise invalid(["query", "after"], "not a cursor this API issued")
    return {source: int(value[source]) for source in SOURCES}


def wanted_types(access: EventAccess, types: str | None) -> tuple[str, ...]:
    """The types asked for (default: every visible one); 403 when none is visible, 422 for an unknown one."""
    if not access.types:
        raise Forbidden("No event type is visible to this principal.", code="insufficient_permission")
    if types is None:
        return access.types
    names = tuple(dict.fromkeys(name.strip() for name in types.split(",") if name.strip()))
    if unknown := [name for name in names if name not in EVENT_TYPES]:
        raise invalid(["query", "types"], f"unknown event type(s): {', '.join(unknown[:5])}")
    return tuple(name for name in names if name in access.types)


async def merged_feed(
    clients: dict[str, ServiceClient],
    identity: CallerIdentity,
    access: EventAccess,
    after: str | None,
    limit: int,
    types: str | None,
) -> EventFeed:
    """Up to `limit` events after the cursor, oldest change first, across the services."""
    positions = decode_after(after)
    names = wanted_types(access, types)
    sources = [source for source in SOURCES if any(EVENT_TYPES[name][0] == source for name in names)]
    pages = await asyncio.gather(
        *(
            read_feed(clients[s], identity, positions[s], limit, [n for n in names if EVENT_TYPES[n][0] == s])
            for s in sources
        )
    )
    by_source: dict[str, FeedPage] = dict(zip(sources, pages, strict=True))
    taken = _merge(by_source, limit)
    reached = dict(positions)
    for source, item in taken:
        reached[source] = int(item["position"])
    waiting = sum(len(page.items) for page in by_source.values()) > len(taken)
    has_more = waiting or any(page.has_more for page in by_source.values())
    items = [EventRead.model_validate(item) for _, item in taken]
    return EventFeed(items=items, next_after=encode_after(reached), has_more=has_more)


def _merge(pages: dict[str, FeedPage], limit: int) -> list[tuple[str, dict[str, Any]]]:
    """Up to `limit` events, the earliest change first, taking each service's events in its own feed order (so
    what is taken of each feed is a prefix of it, and the cursor never passes an event not served)."""
    queues = {source: deque(page.items) for source, page in pages.items()}
    taken: list[tuple[str, dict[str, Any]]] = []
    while len(taken) < limit and (heads := [(_when(q[0]), s) for s, q in queues.items() if q]):
        _, source = min(heads)
        taken.append((source, queues[source].popleft()))
    return taken


def _when(item: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(item["occurred_at"]).replace("Z", "+00:00"))
