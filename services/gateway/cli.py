"""`python -m services.gateway.cli rotate-key`: operator commands of the gateway."""

from __future__ import annotations

import argparse
import asyncio

from services.common.db import create_database_engine, create_sessionmaker
from services.gateway.app import auth_context
from services.gateway.auth.context import load_keys, rotate_key
from services.gateway.ratelimit.limiter import MemoryRateLimiter
from services.gateway.settings import get_settings


async def rotate() -> str:
    """Add a new signing key; every replica signs with it within GATEWAY_KEY_REFRESH_SECONDS."""
    settings = get_settings()
    engine = create_database_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            ctx = auth_context(settings, MemoryRateLimiter())
            await load_keys(session, ctx)
            kid = await rotate_key(session, ctx)
            await session.commit()
            return kid
    finally:
        await engine.dispose()


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m services.gateway.cli")
    parser.add_argument("command", choices=["rotate-key"])
    parser.parse_args()
    print(f"new signing key: {asyncio.run(rotate())}")


if __name__ == "__main__":
    main()
