"""Foreign keys of bulk writes checked once per referenced row (upsert/keys.py), on PostgreSQL.

What the per-row key triggers guaranteed still holds: every key of every row written refers to a row that exists
(checked across all foreign keys of the schema after the writes), a referenced row that disappeared between the
check and the write stops the write, the referenced rows are locked until the writer commits (people by the bulk
writes' shared lock and the employees' delete trigger), the outbox events are still written, the setting ends with
the write, and a role without the privilege writes through the triggers."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from services.common.migrations import upgrade_to_head
from services.registry.imports.upsert import (
    RATINGS,
    ConcurrentWrite,
    EmployeeRow,
    EmployeeUpsert,
    RatingRow,
    RecordUpsert,
    WriteContext,
    keys,
    lock_agency,
    upsert_employees,
    upsert_records,
)
from services.registry.imports.upsert.staging import BULK_WRITES_LOCK_KEY
from services.registry.models import Unit
from tests.registry.conftest import REGISTRY_DIR, migrated_database
from tests.registry.factory import nip
from tests.registry.imports.conftest import small_org

PLAIN_ROLE = "talenta_test_plain"  # a login role that is not a superuser and may not set the replication role


@pytest.fixture(scope="module")
async def keys_url() -> str:
    return await migrated_database("talenta_test_bulk_keys")


@pytest.fixture
async def engine(keys_url: str) -> Any:
    engine = create_async_engine(keys_url)
    yield engine
    await engine.dispose()


def people(unit_id: str, position_id: str, seqs: tuple[str, ...]) -> list[EmployeeRow]:
    return [
        EmployeeRow(i, nip(birth="19900101", seq=s), "Pegawai", "pns", unit_id, position_id, dt.date(2020, 1, 2),
                    None, "II/c", dt.date(2019, 4, 1), "sma")
        for i, s in enumerate(seqs)
    ]  # fmt: skip


async def orphans(session: AsyncSession) -> dict[str, int]:
    """For every foreign key of the schema, the rows whose key matches no referenced row."""
    keys_sql = text(
        "SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text, "
        "array(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), "
        "array(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) "
        "JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) "
        "FROM pg_constraint c WHERE c.contype = 'f'"
    )
    found = {}
    for name, child, parent, columns, referenced in (await session.execute(keys_sql)).all():
        present = " AND ".join(f"c.{column} IS NOT NULL" for column in columns)
        match = " AND ".join(f"p.{r} = c.{column}" for column, r in zip(columns, referenced, strict=True))
        query = (
            f"SELECT count(*) FROM {child} c WHERE {present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
        )
        found[name] = int((await session.execute(text(query))).scalar_one())
    assert len(found) >= 15  # the registry's keys were all read
    return found


async def role(session: AsyncSession) -> str:
    return str((await session.execute(text("SHOW session_replication_role"))).scalar_one())


async def test_bulk_writes_keep_every_key_and_write_the_events(engine: AsyncEngine) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-keys")
    rows = people(unit_id, position_id, ("731", "732", "733"))
    context = WriteContext(agency_id=agency_id, actor="test")
    async with AsyncSession(engine) as session:
        assert (await upsert_employees(session, context, rows)).created == 3
        assert await role(session) == "origin"  # the write ended the setting, in the same transaction
        ratings = [RatingRow(i, r.nip, 2025, "above", "meets") for i, r in enumerate(rows)]
        assert (await upsert_records(session, RATINGS, context, ratings)).created == 3
        assert await role(session) == "origin"
        await session.commit()
        assert set((await orphans(session)).values()) == {0}
        subjects = ", ".join(f"'employees/{r.nip}'" for r in rows)
        events = await session.execute(text(f"SELECT count(*) FROM outbox_events WHERE subject IN ({subjects})"))
        assert events.scalar_one() == 3  # the outbox triggers fire ALWAYS


async def test_the_employees_triggers_fire_always(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        query = text(
            "SELECT tgname, tgenabled::text FROM pg_trigger WHERE tgrelid = 'employees'::regclass AND NOT tgisinternal"
        )
        found = dict((await session.execute(query)).all())
        source = (await session.execute(text("SELECT prosrc FROM pg_proc WHERE proname = :name"),
                                        {"name": "employees_wait_for_bulk_writes"})).scalar_one()  # fmt: skip
    assert found == {"employees_outbox_inserted": "A", "employees_outbox_updated": "A",
                     "employees_wait_for_bulk_writes": "A"}  # fmt: skip
    assert f"pg_advisory_xact_lock({BULK_WRITES_LOCK_KEY})" in source  # the key bulk writes hold shared


@pytest.mark.parametrize("gone", ["positions", "units"])
async def test_a_reference_gone_before_the_write_stops_it(engine: AsyncEngine, keys_url: str, gone: str) -> None:
    # The row names a unit of its own (its position belongs to another unit), so nothing else keeps it in place.
    agency_id, _, position_id = await small_org(engine, f"pemkab-keys-{gone}")
    async with AsyncSession(engine, expire_on_commit=False) as session:
        own = Unit(agency_id=agency_id, name="Dinas Baru", code="BARU")
        session.add(own)
        await session.commit()
    context = WriteContext(agency_id=agency_id, actor="test")
    async with AsyncSession(engine) as session:
        upsert = EmployeeUpsert(context)
        await upsert.prepare(session)
        assert await upsert.stage(session, people(own.id, position_id, ("741",))) == []
        await lock_agency(session, agency_id)
        assert await upsert.check(session) == []
        async with AsyncSession(engine) as other:  # another writer removes the position or the unit meanwhile
            removed = position_id if gone == "positions" else own.id
            await other.execute(text(f"DELETE FROM {gone} WHERE id = :id"), {"id": removed})
            await other.commit()
        with pytest.raises(ConcurrentWrite, match=gone):
            await upsert.write(session, [])
        await session.rollback()
        assert (await session.execute(text("SELECT count(*) FROM employees WHERE agency_id = :a"), {"a": agency_id})
                ).scalar_one() == 0  # fmt: skip


@pytest.mark.parametrize("bare", [False, True], ids=["with history", "without history"])
async def test_a_person_created_by_another_writer_after_the_check_stops_the_write(
    engine: AsyncEngine, bare: bool
) -> None:
    # Someone creates a NIP after the check: the write must stop rather than open history rows for a person it did
    # not create (PostgreSQL: the employees' primary key; SQLite skips the NIP, ON CONFLICT DO NOTHING, and the
    # count of people inserted shows it). Nothing of it stays after the rollback.
    agency_id, unit_id, position_id = await small_org(engine, f"pemkab-keys-created-{bare}")
    other_agency, other_unit, other_position = await small_org(engine, f"pemkab-keys-creator-{bare}")
    staff = people(unit_id, position_id, ("751" if bare else "753", "752" if bare else "754"))
    if bare:
        staff[1] = EmployeeRow(1, staff[1].nip, "Pegawai", "pns")
    context = WriteContext(agency_id=agency_id, actor="test")
    async with AsyncSession(engine) as session:
        upsert = EmployeeUpsert(context)
        await upsert.prepare(session)
        assert await upsert.stage(session, staff) == []
        await lock_agency(session, agency_id)
        assert await upsert.check(session) == []
        async with AsyncSession(engine) as other:  # another agency's import creates the second person meanwhile
            rival = people(other_unit, other_position, (staff[1].nip[-3:],))
            outcome = await upsert_employees(other, WriteContext(agency_id=other_agency, actor="rival"), rival)
            assert outcome.created == 1
            await other.commit()
        with pytest.raises(ConcurrentWrite, match="employees were created concurrently"):
            await upsert.write(session, [])
        await session.rollback()
        nips = {"a": staff[0].nip, "b": staff[1].nip}
        for table in ("employees", "position_history", "rank_history", "education_history"):
            written = await session.execute(text(f"SELECT created_by FROM {table} WHERE nip IN (:a, :b)"), nips)
            assert [row[0] for row in written] == ["rival"], table


async def checked_ratings(session: AsyncSession, context: WriteContext, person: str) -> RecordUpsert:
    """A rating of `person` staged, the agency locked, and checked: ready to write."""
    upsert = RecordUpsert(RATINGS, context)
    await upsert.prepare(session)
    assert await upsert.stage(session, [RatingRow(0, person, 2025, "above", "meets")]) == []
    await lock_agency(session, context.agency_id)
    assert await upsert.check(session) == []
    return upsert


async def test_a_person_stays_until_their_records_are_written(engine: AsyncEngine) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-keys")
    context = WriteContext(agency_id=agency_id, actor="test")
    person = EmployeeRow(0, nip(birth="19910101", seq="751"), "Pegawai", "pns", unit_id)  # no history to refer
    async with AsyncSession(engine) as session:
        assert (await upsert_employees(session, context, [person])).created == 1
        await session.commit()
        upsert = await checked_ratings(session, context, person.nip)
        async with AsyncSession(engine) as other:  # no row of the person is locked, yet neither goes through
            await other.execute(text("SET lock_timeout = '300ms'"))
            for statement in ("DELETE FROM employees WHERE nip = :nip",
                              "UPDATE employees SET nip = '199101012020011999' WHERE nip = :nip"):  # fmt: skip
                with pytest.raises(DBAPIError, match="lock timeout"):
                    await other.execute(text(statement), {"nip": person.nip})
                await other.rollback()
                await other.execute(text("SET lock_timeout = '300ms'"))
        assert (await upsert.write(session, [])).created == 1
        await session.commit()
        async with AsyncSession(engine) as other:  # once written, the foreign key refuses the delete
            with pytest.raises(DBAPIError, match="foreign key"):
                await other.execute(text("DELETE FROM employees WHERE nip = :nip"), {"nip": person.nip})


async def test_a_person_deleted_first_is_found_gone_by_the_check(engine: AsyncEngine) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-keys")
    context = WriteContext(agency_id=agency_id, actor="test")
    person = EmployeeRow(0, nip(birth="19910101", seq="752"), "Pegawai", "pns", unit_id)
    async with AsyncSession(engine) as session, AsyncSession(engine) as other:
        assert (await upsert_employees(session, context, [person])).created == 1
        await session.commit()
        await other.execute(text("DELETE FROM employees WHERE nip = :nip"), {"nip": person.nip})  # not committed
        upsert = RecordUpsert(RATINGS, context)
        await upsert.prepare(session)
        assert await upsert.stage(session, [RatingRow(0, person.nip, 2025, "above", "meets")]) == []
        locking = asyncio.create_task(lock_agency(session, agency_id))
        await asyncio.sleep(0.3)
        assert not locking.done()  # the bulk write waits for the delete
        await other.commit()
        await locking
        assert [e.code for e in await upsert.check(session)] == ["unknown_employee"]
        await session.rollback()


async def test_referenced_rows_stay_locked_until_the_writer_commits(engine: AsyncEngine) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-keys")
    context = WriteContext(agency_id=agency_id, actor="test")
    async with AsyncSession(engine) as session:
        # A person who references the unit but not the position: once committed, nothing stops the position's
        # deletion; before, the writer's lock does.
        assert (await upsert_employees(session, context, [EmployeeRow(0, nip(seq="761"), "Pegawai", "pns", unit_id)])
                ).created == 1  # fmt: skip
        async with AsyncSession(engine) as other:
            await other.execute(text("SET lock_timeout = '300ms'"))
            with pytest.raises(DBAPIError, match="lock timeout"):
                await other.execute(text("DELETE FROM units WHERE id = :id"), {"id": unit_id})
            await other.rollback()
        await session.commit()


async def plain_role_url(keys_url: str) -> str:
    """`keys_url` as a role that may read and write the registry's tables but not set the replication role."""
    admin = create_async_engine(keys_url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(
                f"DO $$ BEGIN CREATE ROLE {PLAIN_ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ))  # fmt: skip
            await connection.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PLAIN_ROLE}"))
            await connection.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PLAIN_ROLE}"))
    finally:
        await admin.dispose()
    return make_url(keys_url).set(username=PLAIN_ROLE, password=None).render_as_string(hide_password=False)


async def test_a_role_without_the_privilege_writes_through_the_key_triggers(engine: AsyncEngine, keys_url: str) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-keys")
    plain = create_async_engine(await plain_role_url(keys_url))
    context = WriteContext(agency_id=agency_id, actor="test")
    try:
        async with AsyncSession(plain) as session:
            assert not await keys._skip_key_triggers(session)
            assert await role(session) == "origin"
            rows = people(unit_id, position_id, ("771", "772"))
            assert (await upsert_employees(session, context, rows)).created == 2
            ratings = [RatingRow(i, r.nip, 2025, "meets", "meets") for i, r in enumerate(rows)]
            assert (await upsert_records(session, RATINGS, context, ratings)).created == 2
            await session.commit()
            # The key triggers ran: a rating of nobody is refused by the database itself.
            with pytest.raises(DBAPIError, match="foreign key"):
                await session.execute(text(
                    "INSERT INTO performance_ratings (id, nip, source, year, work_result, work_behavior, predikat, "
                    "created_at, created_by, updated_at, updated_by, version) VALUES ('x', '000000000000000000', "
                    "'manual', 2025, 'meets', 'meets', 'baik', now(), 't', now(), 't', 1)"
                ))  # fmt: skip
            await session.rollback()
        async with AsyncSession(engine) as session:
            assert set((await orphans(session)).values()) == {0}
    finally:
        await plain.dispose()


async def test_keys_are_checked_once_only_on_postgresql(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    sqlite = create_async_engine(url)
    try:
        reference = keys.Reference("units", "id", "SELECT 'none'")  # matches nothing: it is not even looked at
        async with AsyncSession(sqlite) as session, keys.keys_checked_once(session, [reference], {}) as skipped:
            assert skipped is False
    finally:
        await sqlite.dispose()
