"""Employees: a statement deleting people or changing a NIP first waits for the bulk writes in progress, because
bulk writes of records (imports, SIASN syncs) no longer lock every person they write records of.

A foreign key's trigger locks the referenced person `FOR KEY SHARE` for each record inserted, so that nobody can
delete the person (or change their NIP) before the record commits. Bulk writes skip those triggers and did the
same set-based: one lock per person, ~1 s for the 200,000 people of a 400,000-rating import, the largest cost of
that write after the INSERT itself. Now every bulk write holds the advisory lock `-3276562711946571073`
(services/registry/imports/upsert/staging.py, BULK_WRITES_LOCK_KEY) shared until it commits, and this
statement-level trigger takes it exclusively before a DELETE, or an UPDATE of `nip`, touches any row of employees.
Either the delete comes first (the bulk write waits, then its check finds the person gone), or the bulk write
does (the delete waits, then the foreign keys refuse it: the records exist). The registry itself never deletes a
person (it marks them deleted) nor changes a NIP: this guards hand-written SQL, as the key triggers did.

The trigger fires ALWAYS, like the outbox triggers (c4f1b8e2d637). PostgreSQL only: SQLite has one writer.

Revision ID: 4ed9f8e44583
Revises: c4f1b8e2d637
Create Date: 2026-11-30 20:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = "4ed9f8e44583"
down_revision: str | None = "c4f1b8e2d637"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """CREATE FUNCTION employees_wait_for_bulk_writes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(-3276562711946571073);  -- BULK_WRITES_LOCK_KEY, held shared by bulk writes
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER employees_wait_for_bulk_writes BEFORE DELETE OR UPDATE OF nip ON employees "
        "FOR EACH STATEMENT EXECUTE FUNCTION employees_wait_for_bulk_writes()"
    )
    op.execute("ALTER TABLE employees ENABLE ALWAYS TRIGGER employees_wait_for_bulk_writes")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER employees_wait_for_bulk_writes ON employees")
    op.execute("DROP FUNCTION employees_wait_for_bulk_writes()")
