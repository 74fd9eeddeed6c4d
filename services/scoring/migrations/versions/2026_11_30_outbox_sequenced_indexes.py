"""Outbox: the feed's two position indexes hold sequenced events only (`WHERE position IS NOT NULL`), as the
registry's (its migration 30894e3b8efd): an event is written with no position, and an index entry for it served
nothing until the sequencer's UPDATE writes the entry the feed reads. Every feed query says `position IS NOT NULL`
or implies it (`position > :after`, MAX), so it keeps its index.

Revision ID: fa52b29453ee
Revises: 048431222191
Create Date: 2026-11-30 22:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "fa52b29453ee"
down_revision: str | None = "048431222191"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "uq_outbox_events_position": (["position"], True),
    "ix_outbox_events_agency_id_position": (["agency_id", "position"], False),
}
SEQUENCED = sa.text("position IS NOT NULL")


def upgrade() -> None:
    for name, (columns, unique) in INDEXES.items():
        op.drop_index(name, table_name="outbox_events")
        op.create_index(name, "outbox_events", columns, unique=unique, postgresql_where=SEQUENCED,
                        sqlite_where=SEQUENCED)  # fmt: skip


def downgrade() -> None:
    for name, (columns, unique) in INDEXES.items():
        op.drop_index(name, table_name="outbox_events", postgresql_where=SEQUENCED, sqlite_where=SEQUENCED)
        op.create_index(name, "outbox_events", columns, unique=unique)
