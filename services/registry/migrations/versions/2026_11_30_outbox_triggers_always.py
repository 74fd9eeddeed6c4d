"""Outbox: the employees' triggers fire ALWAYS, also in a transaction with `session_replication_role = replica`,
because bulk writes (imports, SIASN syncs) now check their foreign keys once per referenced row and skip the
per-row key triggers with that setting (services/registry/imports/upsert/keys.py); every `employee.changed` event
must still be written in the same transaction as its change.

PostgreSQL only (SQLite has no replication role). On a logical-replication subscriber the triggers would now fire
too; the registry is not run as one (its read replicas are physical standbys, which run no triggers).

Revision ID: c4f1b8e2d637
Revises: a7e3c9d51f08
Create Date: 2026-11-30 14:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = "c4f1b8e2d637"
down_revision: str | None = "a7e3c9d51f08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("employees_outbox_inserted", "employees_outbox_updated")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger in TRIGGERS:
        op.execute(f"ALTER TABLE employees ENABLE ALWAYS TRIGGER {trigger}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger in TRIGGERS:
        op.execute(f"ALTER TABLE employees ENABLE TRIGGER {trigger}")
