"""`python -m services.registry.imports FILE --kind KIND --agency CODE [--mode partial]`: import a file on the server.

The same checks and writes as POST /v1/imports, against the registry's configured database (REGISTRY_*
settings), with a progress bar. Exit status: 0 all rows written, 1 the import failed (nothing written),
2 the file was refused before any row was read, 3 a partial import left some rows out."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import pathlib
import sys
from typing import Any

from tqdm import tqdm

from services.common.db import create_database_engine, create_sessionmaker
from services.common.errors import AppError
from services.common.heap import long_lived_frozen
from services.registry.access import Scope
from services.registry.imports import service
from services.registry.imports.columns import KINDS
from services.registry.imports.runner import owner_id
from services.registry.settings import RegistrySettings, get_settings


async def run(settings: RegistrySettings, path: pathlib.Path, kind: str, agency: str, mode: str) -> int:
    """Import one file; print the outcome; answer the exit status."""
    engine = create_database_engine(settings)
    maker = create_sessionmaker(engine)
    scope = Scope(actor=f"cli:{getpass.getuser()}", agency_id=None, own_nip=None, caller_nip=None, personal_data=True)
    owner = owner_id()
    try:
        import_id = service.new_import_id()
        async with maker() as session:
            agency_id = await service.import_agency(session, scope, agency)
            with path.open("rb") as source:
                stored = await service.receive_file(settings, source, import_id, kind)
            job = await service.create_import(
                session, scope, stored, import_id=import_id, agency_id=agency_id, kind=kind, mode=mode,
                file_name=path.name, owner=owner,
            )  # fmt: skip
            await session.commit()
        with tqdm(total=100, unit="%", desc=f"{kind} {path.name}", file=sys.stderr) as bar, long_lived_frozen():

            async def progress(value: float) -> None:
                bar.update(round(value * 100) - bar.n)

            final = await service.execute_import(maker, settings, job.id, owner, progress)
        return report(job.id, final)
    except AppError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        for error in exc.errors or []:
            print(f"  {'.'.join(str(p) for p in error.loc)}: {error.message}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()


def report(import_id: str, final: dict[str, Any]) -> int:
    """Print a job's outcome."""
    print(f"import {import_id}: {final['status']}")
    if final.get("detail"):
        print(final["detail"])
    print(
        f"rows: {final.get('rows_total', 0)} read, {final['rows_written']} written "
        f"({final.get('rows_created', 0)} created, {final.get('rows_updated', 0)} changed, "
        f"{final.get('rows_unchanged', 0)} unchanged), {final.get('error_count', 0)} error(s)"
    )
    for error in final.get("errors", [])[:20]:
        print(f"  row {error['row']} {error['field']}: {error['message_en']} / {error['message_id']}")
    if final["status"] != "completed":
        return 1
    return 3 if final.get("error_count") else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="python -m services.registry.imports", description=__doc__)
    parser.add_argument("file", type=pathlib.Path, help="a CSV or NDJSON file (UTF-8)")
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument("--agency", required=True, help="the agency's id or code")
    parser.add_argument("--mode", choices=("atomic", "partial"), default="atomic")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    return asyncio.run(run(get_settings(), args.file, args.kind, args.agency, args.mode))
