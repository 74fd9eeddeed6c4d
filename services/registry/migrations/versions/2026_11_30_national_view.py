"""National view: the outbox (`employee.changed` written by triggers of the employees table, so every writer,
the API, imports and SIASN syncs alike, emits it in its own transaction) and the indexes that find the people of
one position level across agencies without reading every employee. SQLite has row triggers only; a later SQLite
migration that rebuilds `employees` (batch mode) drops them and must create them again.

Revision ID: ee7dee0d94fa
Revises: b774f89117fa
Create Date: 2026-11-30 03:09:32.836024+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db


revision: str = 'ee7dee0d94fa'
down_revision: str | None = 'b774f89117fa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# An employee row changed when its version moved (every writer bumps it), it was deleted (soft) or it moved
# agency. A transfer also tells the agency left (`transferred_out`). Events carry identifiers only.
_CHANGE = """CASE WHEN o.deleted_at IS NULL AND n.deleted_at IS NOT NULL THEN 'deleted'
    WHEN o.agency_id <> n.agency_id THEN 'transferred_in' ELSE 'updated' END"""
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION employees_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT gen_random_uuid()::text, 'employee.changed', n.agency_id, 'employees/' || n.nip,
    json_build_object('nip', n.nip, 'change', 'created', 'version', n.version), clock_timestamp()
  FROM new_rows n;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION employees_outbox_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT gen_random_uuid()::text, 'employee.changed', n.agency_id, 'employees/' || n.nip,
    json_build_object('nip', n.nip, 'change', {_CHANGE}, 'version', n.version), clock_timestamp()
  FROM old_rows o JOIN new_rows n ON n.nip = o.nip
  WHERE n.version IS DISTINCT FROM o.version OR n.deleted_at IS DISTINCT FROM o.deleted_at
    OR n.agency_id IS DISTINCT FROM o.agency_id
  UNION ALL
  SELECT gen_random_uuid()::text, 'employee.changed', o.agency_id, 'employees/' || o.nip,
    json_build_object('nip', o.nip, 'change', 'transferred_out', 'version', n.version), clock_timestamp()
  FROM old_rows o JOIN new_rows n ON n.nip = o.nip
  WHERE n.agency_id <> o.agency_id;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER employees_outbox_inserted AFTER INSERT ON employees REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION employees_outbox_inserted()""",
    """CREATE TRIGGER employees_outbox_updated AFTER UPDATE ON employees
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION employees_outbox_updated()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER employees_outbox_updated ON employees",
    "DROP TRIGGER employees_outbox_inserted ON employees",
    "DROP FUNCTION employees_outbox_updated()",
    "DROP FUNCTION employees_outbox_inserted()",
)
# SQLite has row triggers only (its writes are small); ids are random UUID-shaped text, times UTC as stored by
# services.common.db.UTCDateTime.
_SQLITE_ID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%S', 'now') || '.' || substr(strftime('%f', 'now'), 4, 3) || '000'"
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER employees_outbox_inserted AFTER INSERT ON employees BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  VALUES ({_SQLITE_ID}, 'employee.changed', NEW.agency_id, 'employees/' || NEW.nip,
    json_object('nip', NEW.nip, 'change', 'created', 'version', NEW.version), {_SQLITE_NOW});
END""",
    f"""CREATE TRIGGER employees_outbox_updated AFTER UPDATE ON employees
  WHEN NEW.version IS NOT OLD.version OR NEW.deleted_at IS NOT OLD.deleted_at OR NEW.agency_id IS NOT OLD.agency_id
BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT {_SQLITE_ID}, 'employee.changed', n.agency_id, 'employees/' || n.nip,
    json_object('nip', n.nip, 'change', {_CHANGE}, 'version', n.version), {_SQLITE_NOW}
  FROM (SELECT OLD.deleted_at AS deleted_at, OLD.agency_id AS agency_id) AS o,
    (SELECT NEW.nip AS nip, NEW.deleted_at AS deleted_at, NEW.agency_id AS agency_id, NEW.version AS version) AS n;
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT {_SQLITE_ID}, 'employee.changed', OLD.agency_id, 'employees/' || OLD.nip,
    json_object('nip', OLD.nip, 'change', 'transferred_out', 'version', NEW.version), {_SQLITE_NOW}
  WHERE NEW.agency_id <> OLD.agency_id;
END""",
)
SQLITE_DROP = ("DROP TRIGGER employees_outbox_updated", "DROP TRIGGER employees_outbox_inserted")


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('outbox_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('occurred_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events'))
    )
    op.create_index('ix_outbox_events_agency_id_position', 'outbox_events', ['agency_id', 'position'], unique=False)
    op.create_index('ix_outbox_events_pending', 'outbox_events', ['occurred_at'], unique=False, postgresql_where=sa.text('position IS NULL'), sqlite_where=sa.text('position IS NULL'))
    op.create_index('uq_outbox_events_position', 'outbox_events', ['position'], unique=True)
    op.create_index('ix_position_history_level', 'position_history', ['level'], unique=False)
    # ### end Alembic commands ###
    for statement in (POSTGRES_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    for statement in (POSTGRES_DROP if op.get_bind().dialect.name == 'postgresql' else SQLITE_DROP):
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('ix_position_history_level', table_name='position_history')
    op.drop_index('uq_outbox_events_position', table_name='outbox_events')
    op.drop_index('ix_outbox_events_pending', table_name='outbox_events', postgresql_where=sa.text('position IS NULL'), sqlite_where=sa.text('position IS NULL'))
    op.drop_index('ix_outbox_events_agency_id_position', table_name='outbox_events')
    op.drop_table('outbox_events')
    # ### end Alembic commands ###
