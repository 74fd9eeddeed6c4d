"""Foreign keys of a bulk write checked once per referenced row, not once per written row (PostgreSQL).

PostgreSQL checks a foreign key with a trigger per inserted row: a query that finds the referenced row and locks
it `FOR KEY SHARE` (about 10 us on this project's 2-core machine: ten keys per imported person cost more than all
the rest of the write). A bulk write here knows every row it references before it writes, so it does the same
check set-based: it locks each referenced row once, `FOR KEY SHARE` as the trigger would (nobody can delete it or
change its key until the transaction ends), compares the count with the distinct references, and only then
writes with `session_replication_role = replica`, which skips the per-row triggers for the rest of its
statements. The constraints stay in the schema and keep guarding every other writer; the outbox triggers fire
`ALWAYS` (migration c4f1b8e2d637), so `employee.changed` events are written as before.

People are the exception: a records write would lock every person it writes records of (~1 s for 200,000).
Instead `staging.lock_agency`, taken before any check, holds a lock that a statement deleting employees or
changing a NIP must take exclusively first (migration 4ed9f8e44583), so no checked person can go before the write
commits; records writes pass no `Reference` to people.

It is used only where the database lets this role set `session_replication_role` (a superuser, or PostgreSQL
15's `GRANT SET ON PARAMETER session_replication_role TO <role>`); elsewhere, and on SQLite, the triggers check
row by row as before. See docs/IMPORTS.md "Foreign keys"."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.registry.imports.upsert.staging import ConcurrentWrite


@dataclass(frozen=True)
class Reference:
    """Rows of `parent` that a write will reference: `wanted` selects their key values (no NULLs), matched to
    `key` (a unique key of `parent`, e.g. `id` or `(id, agency_id)`) column for column."""

    parent: str
    key: str
    wanted: str


async def lock_references(session: AsyncSession, references: Sequence[Reference], params: dict[str, Any]) -> None:
    """Lock every referenced row `FOR KEY SHARE`; `ConcurrentWrite` when one is gone (the rows were checked
    before, so another writer removed it meanwhile)."""
    for reference in references:
        query = (
            f"WITH wanted AS MATERIALIZED (SELECT DISTINCT * FROM ({reference.wanted}) w), "
            f"locked AS MATERIALIZED (SELECT 1 FROM {reference.parent} p "
            f"WHERE {reference.key} IN (SELECT * FROM wanted) FOR KEY SHARE OF p) "
            "SELECT (SELECT count(*) FROM wanted), (SELECT count(*) FROM locked)"
        )
        wanted, locked = (await session.execute(text(query), params)).one()
        if wanted != locked:
            raise ConcurrentWrite(f"{int(wanted) - int(locked)} referenced {reference.parent} row(s) are gone")


@contextlib.asynccontextmanager
async def keys_checked_once(
    session: AsyncSession, references: Sequence[Reference], params: dict[str, Any]
) -> AsyncIterator[bool]:
    """Around a bulk write's statements: lock the `references`, then skip the per-row key triggers until the
    block ends; yields whether it could (False: the triggers check row by row).

    Every foreign key of every row written inside the block must be covered by `references`, or be a row this
    transaction itself inserted or updated (hence locked). On an exception the caller rolls back, which ends the
    setting with the transaction."""
    if not is_postgres(session):
        yield False
        return
    await lock_references(session, references, params)
    skipped = await _skip_key_triggers(session)
    yield skipped
    if skipped:
        await session.execute(text("SET LOCAL session_replication_role = origin"))


async def _skip_key_triggers(session: AsyncSession) -> bool:
    """`SET LOCAL session_replication_role = replica` if this role may; False (nothing changed) if not."""
    try:
        async with session.begin_nested():
            await session.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:  # 42501 insufficient privilege: the savepoint's rollback undid the attempt
        return False
    return True
