"""The registry as scoring sees it over HTTP: agencies (cached), positions, and the scoring-inputs export."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from services.common.errors import AppError, BadGateway, NotFound, ServiceUnavailable
from services.common.http import Answer, ClientOptions, ServiceClient
from services.common.service_token import CallerIdentity, system_identity
from services.scoring.settings import ScoringSettings

SYSTEM = system_identity("scoring")
EXPORT_PATH = "/v1/scoring-inputs"
# An id (UUID) or a code slug: no dots, slashes or query characters can reach the registry's paths.
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


_spent: ContextVar[list[float] | None] = ContextVar("registry_seconds", default=None)


@contextmanager
def registry_time() -> Iterator[list[float]]:
    """Within the block, the seconds this task spent waiting on the registry accumulate in the list's item."""
    spent = [0.0]
    token = _spent.set(spent)
    try:
        yield spent
    finally:
        _spent.reset(token)


@asynccontextmanager
async def _timed() -> AsyncIterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if (spent := _spent.get()) is not None:
            spent[0] += time.perf_counter() - started


def segment(ref: str) -> str | None:
    """`ref` as one URL path segment, or None when it is not shaped like an id or a code."""
    return quote(ref, safe="") if _REF.match(ref) else None


@dataclass(frozen=True)
class AgencyRef:
    """An agency as the registry names it."""

    id: str
    code: str
    name: str
    region: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AgencyRef:
        """Read the registry's AgencyRead answer."""
        region = data.get("region")
        return cls(id=str(data["id"]), code=str(data["code"]), name=str(data["name"]), region=region and str(region))


@dataclass(frozen=True)
class PositionRef:
    """The parts of a registry position succession needs."""

    id: str
    agency_id: str
    name: str
    level: str
    is_key: bool
    national: bool
    competency_standard: dict[str, int] | None
    min_rank: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PositionRef:
        """Read the registry's PositionRead answer."""
        return cls(
            id=data["id"],
            agency_id=data["agency_id"],
            name=data["name"],
            level=data["level"],
            is_key=bool(data.get("is_key")),
            national=bool(data.get("national")),
            competency_standard=data.get("competency_standard"),
            min_rank=data.get("min_rank"),
        )


@dataclass(frozen=True)
class ExportRequest:
    """The query of one scoring-inputs export (DESIGN.md "Scoring inputs")."""

    period: int
    agency_id: str | None
    sanction_lookback_years: int
    award_lookback_years: int
    as_of: dt.date | None = None
    levels: Sequence[str] | None = None

    @classmethod
    def for_policy(
        cls,
        lookbacks: Mapping[str, int],
        *,
        period: int,
        agency_id: str | None,
        as_of: dt.date | None = None,
        levels: Sequence[str] | None = None,
    ) -> ExportRequest:
        """The export a policy needs (`lookbacks` = engine.export_parameters(policy))."""
        return cls(
            period=period,
            agency_id=agency_id,
            sanction_lookback_years=lookbacks["sanction_lookback_years"],
            award_lookback_years=lookbacks["award_lookback_years"],
            as_of=as_of,
            levels=levels,
        )

    def params(self) -> dict[str, str]:
        """The query string values."""
        params = {
            "period": str(self.period),
            "sanction_lookback_years": str(self.sanction_lookback_years),
            "award_lookback_years": str(self.award_lookback_years),
        }
        if self.agency_id is not None:
            params["agency_id"] = self.agency_id
        if self.as_of is not None:
            params["as_of"] = self.as_of.isoformat()
        if self.levels:
            params["levels"] = ",".join(self.levels)
        return params


def registry_client(settings: ScoringSettings, transport: httpx.AsyncBaseTransport | None = None) -> ServiceClient:
    """The pooled client for the registry (a test may hand in a transport, e.g. the registry app in-process)."""
    options = ClientOptions(
        base_url=settings.registry_url,
        connect_timeout=settings.registry_connect_timeout_seconds,
        read_timeout=settings.registry_read_timeout_seconds,
        retries=settings.registry_retries,
        transport="aiohttp" if settings.registry_transport == "aiohttp" and transport is None else "httpx",
    )
    client = ServiceClient(
        "registry",
        options,
        token_secret=settings.service_token_secret.get_secret_value(),
        issuer="scoring",
        token_ttl=settings.service_token_ttl_seconds,
    )
    if transport is not None:
        client.http = httpx.AsyncClient(base_url=options.base_url, transport=transport, timeout=client.http.timeout)
    return client


def _upstream_error(response: httpx.Response | Answer, what: str) -> AppError:
    """An answer of the registry that is not the one asked for, as our own error."""
    code = None
    with contextlib.suppress(ValueError):
        code = response.json().get("code")
    if response.status_code == 404:
        return NotFound(f"No {what}.", code=code or "not_found")
    if response.status_code in (502, 503, 504):
        return ServiceUnavailable(f"The registry could not answer for {what}.", code="upstream_unavailable")
    return BadGateway(f"The registry answered {response.status_code} for {what}.", code="registry_error")


class Registry:
    """Calls to the registry; agencies are cached briefly (codes and ids never change meaning)."""

    def __init__(self, client: ServiceClient, settings: ScoringSettings) -> None:
        self.client = client
        self.settings = settings
        self._agencies: dict[str, tuple[AgencyRef | None, float]] = {}
        self._all_agencies: tuple[list[AgencyRef], float] = ([], 0.0)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    async def agency(self, ref: str) -> AgencyRef | None:
        """The agency named by id or code, or None when the registry has none (scope is checked by the caller)."""
        cached = self._agencies.get(ref)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        if (path_ref := segment(ref)) is None:
            return None
        # This call carries the national service identity: only an id- or code-shaped segment is sent.
        async with _timed():
            response = await self.client.request("GET", f"/v1/agencies/{path_ref}", identity=SYSTEM)
        if response.status_code in (404, 422):
            agency = None
        elif response.status_code == 200:
            try:
                agency = AgencyRef.from_json(response.json())
            except (ValueError, KeyError, TypeError):
                raise BadGateway("The registry answered an unreadable agency.", code="registry_error") from None
        else:
            raise _upstream_error(response, f"agency {ref!r}")
        if len(self._agencies) > 10_000:
            self._agencies.clear()
        expires = now + self.settings.agency_cache_seconds
        self._agencies[ref] = (agency, expires)
        if agency is not None:
            self._agencies[agency.id] = self._agencies[agency.code] = (agency, expires)
        return agency

    async def all_agencies(self) -> list[AgencyRef]:
        """Every agency (national views name and group them), read page by page and cached like single ones."""
        agencies, expires = self._all_agencies
        if expires > time.monotonic():
            return agencies
        found: list[AgencyRef] = []
        params = {"limit": "500"}
        while True:
            async with _timed():
                response = await self.client.request("GET", "/v1/agencies", identity=SYSTEM, params=params)
            if response.status_code != 200:
                raise _upstream_error(response, "the agencies")
            try:
                page = response.json()
                found.extend(AgencyRef.from_json(item) for item in page["items"])
            except (ValueError, KeyError, TypeError):
                raise BadGateway("The registry answered an unreadable agency list.", code="registry_error") from None
            if not page.get("next_cursor"):
                break
            params["cursor"] = page["next_cursor"]
        self._all_agencies = (found, time.monotonic() + self.settings.agency_cache_seconds)
        return found

    async def position(self, position_id: str, identity: CallerIdentity) -> PositionRef:
        """A position as the caller may see it (the registry applies its agency scope); 404 otherwise."""
        if (path_ref := segment(position_id)) is None:
            raise NotFound(f"No position {position_id!r}.", code="position_not_found")
        async with _timed():
            response = await self.client.request("GET", f"/v1/positions/{path_ref}", identity=identity)
        if response.status_code != 200:
            raise _upstream_error(response, f"position {position_id!r}")
        return PositionRef.from_json(response.json())

    async def key_positions(self, agency_id: str, identity: CallerIdentity) -> list[PositionRef]:
        """Every key position of an agency, following the registry's pages."""
        positions: list[PositionRef] = []
        params = {"agency_id": agency_id, "is_key": "true", "limit": "500"}
        while True:
            async with _timed():
                response = await self.client.request("GET", "/v1/positions", identity=identity, params=params)
            if response.status_code != 200:
                raise _upstream_error(response, f"the key positions of agency {agency_id!r}")
            page = response.json()
            positions.extend(PositionRef.from_json(item) for item in page["items"])
            if not page.get("next_cursor"):
                return positions
            params["cursor"] = page["next_cursor"]

    async def data_quality(self, agency_ref: str | None, params: Mapping[str, str], identity: CallerIdentity) -> bytes:
        """The registry's data-quality JSON (national, or of one agency) as the caller may see it."""
        path = "/v1/data-quality"
        if agency_ref is not None:
            if (path_ref := segment(agency_ref)) is None:
                raise NotFound(f"No agency {agency_ref!r}.", code="agency_not_found")
            path = f"/v1/agencies/{path_ref}/data-quality"
        async with _timed():
            response = await self.client.request("GET", path, identity=identity, params=dict(params))
        if response.status_code != 200:
            raise _upstream_error(response, "the data-quality figures")
        return response.content

    async def export(self, request: ExportRequest, identity: CallerIdentity = SYSTEM) -> bytes:
        """The scoring-inputs CSV, streamed in; a failure mid-stream raises (nothing partial is returned)."""
        timeout = httpx.Timeout(
            self.settings.registry_export_timeout_seconds, connect=self.client.options.connect_timeout
        )
        chunks: list[bytes] = []
        try:
            async with (
                _timed(),
                self.client.stream(
                    "GET", EXPORT_PATH, identity=identity, params=request.params(), timeout=timeout
                ) as response,
            ):
                if response.status_code != 200:
                    await response.aread()
                    raise _upstream_error(response, "the scoring inputs")
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                f"The scoring-inputs export broke off: {type(exc).__name__}", code="export_interrupted"
            ) from exc
        return b"".join(chunks)

    async def ready(self) -> None:
        """Raise unless the registry's /readyz answers 200."""
        response = await self.client.http.get("/readyz")
        if response.status_code != 200:
            raise ServiceUnavailable("The registry is not ready.", code="registry_not_ready")
