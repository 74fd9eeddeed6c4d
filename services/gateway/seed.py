"""`python -m services.gateway.seed`: the demo accounts, in local mode only (idempotent).

Agency codes are resolved through the registry over HTTP (GATEWAY_REGISTRY_URL), so the registry
must be running and seeded first, as `make run` does.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import create_database_engine, create_sessionmaker
from services.common.errors import AppError
from services.common.http import ServiceClient
from services.gateway.auth import repository
from services.gateway.auth.models import Client, User
from services.gateway.auth.passwords import hash_secret
from services.gateway.demo import DEMO_CLIENTS, DEMO_USERS
from services.gateway.downstream.agencies import AgencyResolver
from services.gateway.settings import GatewaySettings, get_settings

logger = logging.getLogger("talenta.gateway.seed")


class NotLocal(RuntimeError):
    """Demo accounts exist only in local mode."""


async def _resolve_all(resolver: AgencyResolver, codes: set[str], attempts: int = 30) -> dict[str, str]:
    for attempt in range(attempts):
        try:
            return {code: await resolver.resolve(code, ["agency"]) for code in sorted(codes)}
        except AppError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1.0)  # the registry may still be starting
    raise AssertionError("unreachable")


async def _seed_rows(session: AsyncSession, agencies: dict[str, str]) -> list[str]:
    created = []
    for user in DEMO_USERS:
        if await repository.user_by_username(session, user.username) is None:
            session.add(
                User(
                    username=user.username,
                    password_hash=await hash_secret(user.password),
                    roles=list(user.roles),
                    agency_id=agencies.get(user.agency_code or ""),
                    nip=user.nip,
                )
            )
            created.append(user.username)
    for client in DEMO_CLIENTS:
        if await repository.client_by_client_id(session, client.client_id) is None:
            session.add(
                Client(
                    client_id=client.client_id,
                    name=client.name,
                    secret_hash=await hash_secret(client.secret) if client.secret else None,
                    scopes=list(client.scopes),
                    agency_id=agencies.get(client.agency_code or ""),
                    redirect_uris=list(client.redirect_uris),
                )
            )
            created.append(client.client_id)
    await session.flush()
    return created


async def seed(settings: GatewaySettings) -> list[str]:
    """Create the demo accounts that do not exist yet; answer their names."""
    if settings.environment != "local" and settings.environment != "test":
        raise NotLocal(f"demo accounts are refused in environment={settings.environment}")
    registry = ServiceClient(
        "registry",
        settings.client_options(settings.registry_url),
        token_secret=settings.service_token_secret.get_secret_value(),
        issuer="gateway",
    )
    engine = create_database_engine(settings)
    try:
        codes = {a for a in [u.agency_code for u in DEMO_USERS] + [c.agency_code for c in DEMO_CLIENTS] if a}
        agencies = await _resolve_all(AgencyResolver(registry, 60.0), codes)
        async with create_sessionmaker(engine)() as session:
            created = await _seed_rows(session, agencies)
            await session.commit()
        return created
    finally:
        await registry.aclose()
        await engine.dispose()


def main() -> int:
    """Seed and report; exit 2 outside local mode."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines are noise here
    try:
        created = asyncio.run(seed(get_settings()))
    except NotLocal as exc:
        logger.error("refused: %s", exc)
        return 2
    logger.info("demo accounts created: %s", ", ".join(created) or "none (already seeded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
