"""`python -m services.registry.siasn sync --agency CODE [--nips NIP ...]` and `... credentials --agency CODE`.

`sync` runs a SIASN sync in this process against the configured database (REGISTRY_* settings) with a
progress bar; exit status 0 every NIP synced, 1 the job failed, 2 refused before it started, 3 some NIPs
were not found, invalid or failed (listed). `credentials` stores an agency's SIASN credentials (encrypted);
the secrets come from the environment (SIASN_CONSUMER_KEY, SIASN_CONSUMER_SECRET, SIASN_SSO_USERNAME,
SIASN_SSO_PASSWORD or SIASN_SSO_TOKEN), never from the command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from services.common.db import create_database_engine, create_sessionmaker
from services.common.errors import AppError
from services.common.pagination import PageParams
from services.registry.access import Scope
from services.registry.settings import RegistrySettings, get_settings
from services.registry.siasn import credentials, service
from services.registry.siasn.runner import SyncRunner, http_client
from services.registry.siasn.schemas import CredentialsWrite, SyncCreate


class _State:
    """What the runner reads from an app's state."""

    def __init__(self, maker: async_sessionmaker[AsyncSession], settings: RegistrySettings) -> None:
        self.sessionmaker = maker
        self.siasn_http = http_client(settings)


def operator() -> Scope:
    """The national scope of an operator at the server's console."""
    return Scope(actor=f"cli:{getpass.getuser()}", agency_id=None, own_nip=None, caller_nip=None, personal_data=True)


async def sync(settings: RegistrySettings, agency: str, nips: list[str] | None, concurrency: int | None) -> int:
    """Run one sync with a progress bar; print its outcome; answer the exit status."""
    engine = create_database_engine(settings)
    state = _State(create_sessionmaker(engine), settings)
    runner = SyncRunner(state, settings, concurrency)
    try:
        async with state.sessionmaker() as session:
            job = await service.create_sync(session, operator(), settings, SyncCreate(nips=nips, agency_id=agency),
                                            runner.owner)  # fmt: skip
            await session.commit()
        runner.submit(job.id)
        with tqdm(total=100, unit="%", desc="SIASN sync", file=sys.stderr) as bar:
            while job.id in runner.tasks:
                bar.update(round((runner.progress_of(job.id) or 0.0) * 100) - bar.n)
                await asyncio.sleep(0.2)
            bar.update(100 - bar.n)
        return await report(state.sessionmaker, job.id)
    except (AppError, ValidationError) as exc:
        print(f"refused: {getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 2
    finally:
        await state.siasn_http.aclose()
        await engine.dispose()


async def report(maker: async_sessionmaker[AsyncSession], sync_id: str) -> int:
    """Print a finished job: status, counts, and the NIPs that were not synced (first 50)."""
    async with maker() as session:
        job, items, _ = await service.get_sync(session, operator(), sync_id, PageParams(limit=10_000, after=None))
    print(f"sync {job.id}: {job.status} {job.detail or ''}".rstrip())
    print(", ".join(f"{count} {outcome}" for outcome, count in job.counts.items()))
    problems = [i for i in items if i.outcome in ("not_found", "invalid", "failed")]
    for item in problems[:50]:
        print(f"  {item.nip} {item.outcome} {item.field or ''} {item.reason or ''}".rstrip())
    if job.status != "completed":
        return 1
    return 3 if problems else 0


async def store_credentials(settings: RegistrySettings, agency: str, values: dict[str, Any]) -> int:
    """Store an agency's credentials from the environment; print which fields are set."""
    engine = create_database_engine(settings)
    try:
        body = CredentialsWrite.model_validate(values)
        async with create_sessionmaker(engine)() as session:
            row, _ = await credentials.put_credentials(session, operator(), settings, agency, body)
            await session.commit()
        print(f"SIASN credentials of {agency}: {', '.join(row.fields_set)} set")
        return 0
    except (AppError, ValidationError) as exc:
        print(f"refused: {getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="python -m services.registry.siasn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("sync", help="sync an agency's employees, or some NIPs, from SIASN")
    run.add_argument("--agency", required=True, help="the agency's id or code")
    run.add_argument("--nips", nargs="+", help="NIPs to fetch (default: the agency's current employees)")
    run.add_argument("--concurrency", type=int, help="calls in flight (default REGISTRY_SIASN_CONCURRENCY)")
    creds = commands.add_parser("credentials", help="store an agency's SIASN credentials (secrets from env)")
    creds.add_argument("--agency", required=True)
    creds.add_argument("--instansi-id", required=True, help="SIASN's instansiKerjaId of the agency")
    creds.add_argument("--sso-client-id", help="the Keycloak client id for the password grant")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "sync":
        return asyncio.run(sync(settings, args.agency, args.nips, args.concurrency))
    env = {name: os.environ.get("SIASN_" + name.upper()) for name in
           ("consumer_key", "consumer_secret", "sso_username", "sso_password", "sso_token")}  # fmt: skip
    values = {k: v for k, v in env.items() if v} | {
        "instansi_id": args.instansi_id,
        "sso_client_id": args.sso_client_id,
    }
    return asyncio.run(store_credentials(settings, args.agency, values))
