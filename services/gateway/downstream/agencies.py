"""Agency codes to ids, asked of the registry and cached briefly (codes are stable, ids never change)."""

from __future__ import annotations

import time

from services.common.errors import BadGateway, invalid
from services.common.http import ServiceClient
from services.common.ids import is_uuid
from services.common.service_token import system_identity


class AgencyResolver:
    """Resolves an agency id or code to its id through `GET /v1/agencies/{id_or_code}` on the registry."""

    def __init__(self, registry: ServiceClient, ttl_seconds: float) -> None:
        self._registry = registry
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[str, float]] = {}
        self._identity = system_identity("gateway")

    async def resolve(self, id_or_code: str, loc: list[str | int]) -> str:
        """The agency's id; 422 naming `loc` when no such agency exists."""
        now = time.monotonic()
        cached = self._cache.get(id_or_code)
        if cached and cached[1] > now:
            return cached[0]
        response = await self._registry.request("GET", f"/v1/agencies/{id_or_code}", identity=self._identity)
        if response.status_code in (404, 422):
            raise invalid(loc, "no such agency")
        if response.status_code != 200:
            raise BadGateway("The registry could not resolve the agency.", code="agency_lookup_failed")
        agency_id = str(response.json()["id"])
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[id_or_code] = (agency_id, now + self._ttl)
        self._cache[agency_id] = (agency_id, now + self._ttl)
        return agency_id

    @staticmethod
    def looks_like_id(value: str) -> bool:
        """True for a UUID (an id), False for a code."""
        return is_uuid(value)
