"""When a SIASN sync fetched each history row and record it wrote (`source_fetched_at`, as employees have).

Null for manual and imported rows, and for every row written before this revision. Only nullable columns are
added, so SQLite adds them in place (no table rebuild); a downgrade drops them (SQLite >= 3.35 does it in place).

Revision ID: 2492230b20db
Revises: ee7dee0d94fa
Create Date: 2026-11-30 05:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db


revision: str = '2492230b20db'
down_revision: str | None = 'ee7dee0d94fa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    'rank_history', 'position_history', 'education_history', 'training_history',
    'performance_ratings', 'competency_assessments', 'potential_assessments', 'disciplinary_actions', 'awards',
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('source_fetched_at', services.common.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, 'source_fetched_at')
