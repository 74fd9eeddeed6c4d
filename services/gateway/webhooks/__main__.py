"""`python -m services.gateway.webhooks`: the webhook dispatcher as a process of its own (GATEWAY_* settings)."""

from __future__ import annotations

import asyncio
import signal

from services.common.db import create_database_engine, create_sessionmaker
from services.common.http import ServiceClient
from services.common.logging import configure_logging
from services.gateway.settings import GatewaySettings, get_settings
from services.gateway.webhooks.dispatcher import Dispatcher


def service_client(settings: GatewaySettings, name: str, url: str) -> ServiceClient:
    """A pooled client of one service, signing as the gateway."""
    return ServiceClient(
        name,
        settings.client_options(url),
        token_secret=settings.service_token_secret.get_secret_value(),
        issuer="gateway",
        token_ttl=settings.service_token_ttl_seconds,
    )


async def main() -> None:
    """Dispatch until SIGTERM or SIGINT, then finish the current round."""
    settings = get_settings()
    configure_logging("gateway-dispatcher", settings.log_level, settings.log_format)
    engine = create_database_engine(settings)
    services = {
        "registry": service_client(settings, "registry", settings.registry_url),
        "scoring": service_client(settings, "scoring", settings.scoring_url),
    }
    dispatcher = Dispatcher(create_sessionmaker(engine), services, settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, dispatcher.request_stop)
    try:
        await dispatcher.run()
    finally:
        await dispatcher.stop()
        for client in services.values():
            await client.aclose()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
