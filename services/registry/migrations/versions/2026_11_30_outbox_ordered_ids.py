"""Outbox: the events of an INSERT into employees get ids rising in NIP order (a UUIDv7: the statement's
millisecond, 42 random bits, then the row's number), as the rows an import inserts do, because random ids
(gen_random_uuid) cost the outbox's primary key a page at random per event: ~0.6 s of a 200,000-person import.

The ids stay canonical UUID strings, distinct (the event id receivers de-duplicate on); the feed's order is still
`position`. PostgreSQL only: SQLite's row triggers write one event per statement and are left as they are; so is
the UPDATE trigger. The downgrade restores the function of ee7dee0d94fa.

Revision ID: a7e3c9d51f08
Revises: 5c1d0e7a9b24
Create Date: 2026-11-30 12:10:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'a7e3c9d51f08'
down_revision: str | None = '5c1d0e7a9b24'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDERED = """CREATE OR REPLACE FUNCTION employees_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  millis text := lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0');
  r text := replace(gen_random_uuid()::text, '-', '');  -- r[13] is the version, r[17] the variant (8, 9, a or b)
  prefix text := substr(millis, 1, 8) || '-' || substr(millis, 9, 4) || '-7' || substr(r, 1, 3) || '-'
    || substr(r, 17, 1) || substr(r, 4, 3) || '-' || substr(r, 7, 4);
BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT prefix || lpad(to_hex(row_number() OVER (ORDER BY n.nip)), 8, '0'), 'employee.changed', n.agency_id,
    'employees/' || n.nip, json_build_object('nip', n.nip, 'change', 'created', 'version', n.version), clock_timestamp()
  FROM new_rows n;
  RETURN NULL;
END $$"""
RANDOM = """CREATE OR REPLACE FUNCTION employees_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_events (id, type, agency_id, subject, data, occurred_at)
  SELECT gen_random_uuid()::text, 'employee.changed', n.agency_id, 'employees/' || n.nip,
    json_build_object('nip', n.nip, 'change', 'created', 'version', n.version), clock_timestamp()
  FROM new_rows n;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(ORDERED)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(RANDOM)
