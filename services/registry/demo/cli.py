"""`python -m services.registry.demo seed|csv`: seed the registry database, or write generated employees as CSV."""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import time

from services.common.db import create_database_engine
from services.common.migrations import upgrade_to_head
from services.registry.demo.csvfile import write_employees_csv
from services.registry.demo.generate import DEFAULT_PEOPLE_PER_AGENCY, DEFAULT_SEED, DemoDataset
from services.registry.demo.seed import is_empty, seed
from services.registry.settings import RegistrySettings, get_settings

REGISTRY_DIR = pathlib.Path(__file__).resolve().parents[1]


async def run_seed(settings: RegistrySettings, dataset: DemoDataset, if_empty: bool) -> int:
    """Seed the configured database; with `if_empty`, only a database without agencies."""
    engine = create_database_engine(settings)
    try:
        if if_empty and not await is_empty(engine):
            print("registry already holds data: demo seed skipped")
            return 0
        started = time.perf_counter()
        written = await seed(engine, dataset)
        print(
            f"demo data: {sum(written.values())} rows in {time.perf_counter() - started:.1f} s "
            f"({written['employees']} employees, {written['agencies']} agencies)"
        )
        return 0
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="python -m services.registry.demo")
    commands = parser.add_subparsers(dest="command", required=True)
    seed_cmd = commands.add_parser("seed", help="write the demo agencies and people (database: REGISTRY_DATABASE_URL)")
    seed_cmd.add_argument("--if-empty", action="store_true", help="do nothing when the registry holds agencies")
    csv_cmd = commands.add_parser("csv", help="write generated employees as CSV (EmployeeCreate fields)")
    csv_cmd.add_argument("--out", type=pathlib.Path, required=True)
    csv_cmd.add_argument("--agency", default=None, help="only this agency's people (its code)")
    for cmd in (seed_cmd, csv_cmd):
        cmd.add_argument("--people-per-agency", type=int, default=DEFAULT_PEOPLE_PER_AGENCY)
        cmd.add_argument("--seed", type=int, default=DEFAULT_SEED)
        cmd.add_argument("--agencies", type=int, default=2, help="the two demo agencies, then more regencies")
    args = parser.parse_args(argv)
    dataset = DemoDataset(seed=args.seed, people_per_agency=args.people_per_agency, agency_count=args.agencies)
    if args.command == "csv":
        print(f"{write_employees_csv(args.out, dataset, args.agency)} employees written to {args.out}")
        return 0
    settings = get_settings()
    upgrade_to_head(REGISTRY_DIR, settings.database_url)  # a no-op when the launcher migrated already
    return asyncio.run(run_seed(settings, dataset, args.if_empty))


if __name__ == "__main__":
    sys.exit(main())
