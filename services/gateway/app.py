"""The gateway app: the one public API (auth, authorisation, limits, audit, forwarding)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.app import create_service_app
from services.common.db import check_database, create_database_engine, create_sessionmaker
from services.common.errors import ServiceUnavailable
from services.common.http import ServiceClient
from services.gateway.audit.router import router as audit_router
from services.gateway.audit.writer import AuditWriter
from services.gateway.auth.context import AuthContext, load_keys, refresh_revocations
from services.gateway.auth.keys import KeyCipher, KeyRing
from services.gateway.auth.repository import purge_expired
from services.gateway.auth.revocation import RevocationCache
from services.gateway.auth.router import router as auth_router
from services.gateway.auth.tokens import TokenIssuer
from services.gateway.clients.router import router as clients_router
from services.gateway.downstream.agencies import AgencyResolver
from services.gateway.downstream.router import build_router as build_downstream_router
from services.gateway.events.router import router as events_router
from services.gateway.openapi import OPENAPI_TAGS, install_openapi
from services.gateway.ratelimit.limiter import RateLimiter, create_rate_limiter
from services.gateway.settings import GatewaySettings, get_settings
from services.gateway.signin.router import router as signin_router
from services.gateway.state import GatewayState, gateway_state
from services.gateway.users.router import router as users_router
from services.gateway.webhooks.dispatcher import Dispatcher
from services.gateway.webhooks.router import router as webhooks_router

logger = logging.getLogger("talenta.gateway")
DESCRIPTION = (
    "The public API of Talenta, the talent-management backend of Indonesian government agencies (ASN). "
    "Authenticate with OAuth 2 (client credentials for systems, authorization code with PKCE for apps), "
    "then send `Authorization: Bearer <access token>`. Errors are RFC 9457 problem+json with a stable `code`."
)


def auth_context(settings: GatewaySettings, limiter: RateLimiter) -> AuthContext:
    """The auth state of one app (or one CLI run) for `settings`."""
    grace = settings.access_token_ttl_seconds + 2 * settings.key_refresh_seconds + 60
    return AuthContext(
        ring=KeyRing(KeyCipher(settings.signing_key_secret.get_secret_value()), grace_seconds=grace),
        issuer=TokenIssuer(settings.issuer, settings.audience, settings.access_token_ttl_seconds),
        revocations=RevocationCache(),
        limiter=limiter,
        algorithm=settings.signing_algorithm,
        refresh_ttl_seconds=settings.refresh_token_ttl_seconds,
        code_ttl_seconds=settings.authorization_code_ttl_seconds,
        failures_per_minute=settings.token_failures_per_minute,
        lockout_threshold=settings.lockout_threshold,
        lockout_seconds=settings.lockout_seconds,
        password_grant=settings.password_grant,
        demo_allowed=settings.is_local,
    )


async def _every(seconds: float, name: str, job: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception as exc:  # a failed refresh is retried next tick; the last good state stays
            logger.warning("periodic job failed", extra={"job": name, "error": type(exc).__name__})


def _session_job(
    maker: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[object]]
) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        async with maker() as session:
            await work(session)
            await session.commit()

    return job


def _lifespan(settings: GatewaySettings) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings)
        maker = create_sessionmaker(engine)
        limiter = create_rate_limiter(settings.redis_url)
        secret = settings.service_token_secret.get_secret_value()
        ttl = settings.service_token_ttl_seconds
        registry = ServiceClient(
            "registry",
            settings.client_options(settings.registry_url),
            token_secret=secret,
            issuer="gateway",
            token_ttl=ttl,
        )
        scoring = ServiceClient(
            "scoring",
            settings.client_options(settings.scoring_url),
            token_secret=secret,
            issuer="gateway",
            token_ttl=ttl,
        )
        ctx = auth_context(settings, limiter)
        writer = AuditWriter(engine, commit_delay_seconds=settings.audit_commit_delay_seconds)
        app.state.engine, app.state.sessionmaker = engine, maker
        app.state.gateway = GatewayState(
            settings, ctx, registry, scoring, writer, AgencyResolver(registry, settings.agency_cache_seconds)
        )
        await _session_job(maker, lambda s: load_keys(s, ctx))()
        await _session_job(maker, lambda s: refresh_revocations(s, ctx))()
        writer.start()
        tasks = [
            asyncio.create_task(
                _every(settings.key_refresh_seconds, "keys", _session_job(maker, lambda s: load_keys(s, ctx)))
            ),
            asyncio.create_task(
                _every(
                    settings.revocation_refresh_seconds,
                    "revocations",
                    _session_job(maker, lambda s: refresh_revocations(s, ctx)),
                )
            ),
            asyncio.create_task(_every(3600, "purge", _session_job(maker, purge_expired))),
        ]
        dispatcher = None
        if settings.run_dispatcher:
            dispatcher = Dispatcher(maker, {"registry": registry, "scoring": scoring}, settings)
            dispatcher.start()
        try:
            yield
        finally:
            if dispatcher is not None:
                await dispatcher.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await writer.aclose()
            await registry.aclose()
            await scoring.aclose()
            await limiter.aclose()
            await engine.dispose()

    return lifespan


async def _check_database(request: Request) -> None:
    await check_database(request.app.state.engine)


def _downstream_check(name: str) -> Callable[[Request], Awaitable[None]]:
    async def check(request: Request) -> None:
        client: ServiceClient = getattr(gateway_state(request), name)
        response = await client.http.get("/readyz")
        if response.status_code != 200:
            raise ServiceUnavailable(f"{name} is not ready")

    return check


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway app for `settings` (read from the environment when omitted)."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Talenta API",
        description=DESCRIPTION,
        lifespan=_lifespan(settings),
        # The forwarded routes first: they take nearly all the traffic, and FastAPI tries routes in order (each
        # try costs: 86 -> 41 us for GET /api/v1/employees/{nip}). No path of one router matches a path of
        # another (keep it so), so the order decides nothing else.
        routers=[
            build_downstream_router(),
            auth_router,
            signin_router,
            users_router,
            clients_router,
            audit_router,
            events_router,
            webhooks_router,
        ],
        readiness_checks={
            "database": _check_database,
            "registry": _downstream_check("registry"),
            "scoring": _downstream_check("scoring"),
        },
        body_limit_for=lambda path: (
            settings.max_import_bytes if path == "/api/v1/imports" else settings.max_json_body_bytes
        ),
        upload_paths=frozenset({"/api/v1/imports"}),  # over its limit: `import_too_large`, as the registry answers
        openapi_tags=OPENAPI_TAGS,
    )
    install_openapi(app)
    return app
