"""Agency codes to ids, asked of the registry and cached briefly (codes are stable, ids never change)."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from services.common.errors import BadGateway, invalid
from services.common.http import ServiceClient
from services.common.service_token import system_identity

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")  # an id (UUID) or a code slug: no dots, no slashes


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
        if not _REF.match(id_or_code):
            raise invalid(loc, "no such agency")
        # Encoded even though the pattern allows no slash: this call carries a national identity.
        path = f"/v1/agencies/{quote(id_or_code, safe='')}"
        response = await self._registry.request("GET", path, identity=self._identity)
        if response.status_code in (404, 422):
            raise invalid(loc, "no such agency")
        try:
            agency_id = str(response.json()["id"]) if response.status_code == 200 else None
        except (ValueError, KeyError, TypeError):
            agency_id = None
        if agency_id is None:
            raise BadGateway("The registry could not resolve the agency.", code="agency_lookup_failed")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[id_or_code] = (agency_id, now + self._ttl)
        self._cache[agency_id] = (agency_id, now + self._ttl)
        return agency_id
