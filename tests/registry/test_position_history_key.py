"""position_history's key to positions (id, agency_id), which replaced its keys to positions (id) and agencies (id):
it refuses every row those refused (unknown position, unknown agency), and also a row whose agency is not its
position's; a database holding such a row is refused by the upgrade. The other keys (nip, unit) are as they were.
On PostgreSQL and SQLite, at head and after a downgrade and upgrade again."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import alembic_config
from tests.conftest import recreate_database
from tests.registry.conftest import REGISTRY_DIR

BEFORE = "2492230b20db"  # the revision before the composite key
AUDIT = "'2026-11-30 00:00:00', 'test', '2026-11-30 00:00:00', 'test', 1"
NIP = "198609262015051001"


@pytest.fixture(params=["postgresql", "sqlite"])
async def url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> AsyncIterator[str]:
    if request.param == "postgresql":
        yield await recreate_database("talenta_test_bulk_position_history_key")
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(REGISTRY_DIR, url)
    await asyncio.to_thread(command.downgrade if down else command.upgrade, config, revision)


async def run(url: str, *statements: str) -> None:
    """The statements in one transaction (SQLite: with its foreign keys enforced, as the app's connections do)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if url.startswith("sqlite"):
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def history(row_id: str, agency: str, position: str, unit: str | None = "u1", nip: str = NIP) -> str:
    """A closed row (valid_to set: a person may hold many, so only the keys can refuse it)."""
    unit_sql = f"'{unit}'" if unit else "NULL"
    return (
        "INSERT INTO position_history (id, nip, agency_id, unit_id, position_id, level, valid_from, valid_to, source, "
        f"created_at, created_by, updated_at, updated_by, version) VALUES ('{row_id}', '{nip}', '{agency}', "
        f"{unit_sql}, '{position}', 'pelaksana', '2020-01-01', '2021-01-01', 'manual', {AUDIT})"
    )


async def organisation(url: str) -> None:
    """Agencies a1 and a2, unit u1 and position p1 of a1, position p2 of a2, employee NIP of a1."""
    await run(
        url,
        f"INSERT INTO agencies (id, code, name, created_at, created_by, updated_at, updated_by, version) VALUES "
        f"('a1', 'a-1', 'A1', {AUDIT}), ('a2', 'a-2', 'A2', {AUDIT})",
        f"INSERT INTO units (id, agency_id, name, created_at, created_by, updated_at, updated_by, version) VALUES "
        f"('u1', 'a1', 'U1', {AUDIT}), ('u2', 'a2', 'U2', {AUDIT})",
        "INSERT INTO positions (id, agency_id, unit_id, name, position_type, level, is_key, national, created_at, "
        f"created_by, updated_at, updated_by, version) VALUES ('p1', 'a1', 'u1', 'P1', 'pelaksana', 'pelaksana', "
        f"false, false, {AUDIT}), ('p2', 'a2', 'u2', 'P2', 'pelaksana', 'pelaksana', false, false, {AUDIT})",
        "INSERT INTO employees (nip, name, employment_type, agency_id, birth_date, gender, retirement_date, source, "
        f"created_at, created_by, updated_at, updated_by, version) VALUES ('{NIP}', 'X', 'pns', 'a1', '1986-09-26', "
        f"'male', '2044-10-01', 'manual', {AUDIT})",
    )


async def refuses(url: str, statement: str) -> bool:
    try:
        await run(url, statement)
    except IntegrityError:
        return True
    return False


async def check_keys(url: str, round_: str) -> None:
    await run(url, history("ok" + round_, "a1", "p1"), history("no-unit" + round_, "a1", "p1", unit=None))
    refused = {
        "unknown position": history("h1", "a1", "p-none"),
        "unknown agency": history("h2", "a-none", "p1"),
        "agency not the position's": history("h3", "a2", "p1"),
        "unknown unit": history("h4", "a1", "p1", unit="u-none"),
        "unknown person": history("h5", "a1", "p1", nip="199001012010011001"),
    }
    assert {name: await refuses(url, statement) for name, statement in refused.items()} == dict.fromkeys(refused, True)
    deleting = {
        "a position held": "DELETE FROM positions WHERE id = 'p1'",
        "an agency of a position held": "DELETE FROM agencies WHERE id = 'a1'",
    }
    assert {name: await refuses(url, statement) for name, statement in deleting.items()} == dict.fromkeys(
        deleting, True
    )


async def test_the_key_refuses_what_the_two_keys_refused_and_a_foreign_agency(url: str) -> None:
    await migrate(url, "head")
    await organisation(url)
    await check_keys(url, "1")
    await migrate(url, BEFORE, down=True)  # with rows: the two keys come back
    assert await refuses(url, history("h6", "a1", "p-none"))
    assert await refuses(url, history("h7", "a-none", "p1"))
    await migrate(url, "head")
    await check_keys(url, "2")


async def test_upgrade_refuses_a_row_whose_agency_is_not_its_positions() -> None:
    url = await recreate_database("talenta_test_bulk_position_history_key")
    await migrate(url, BEFORE)
    await organisation(url)
    await run(url, history("h-foreign", "a2", "p1"))  # the two old keys let it in
    with pytest.raises(IntegrityError):
        await migrate(url, "head")
