"""Position history: one foreign key to positions (id, agency_id) instead of one to positions (id) and one to
agencies (id), because each key is checked row by row on insert (a tenth of an import's write time each).

It guarantees at least as much: the row's position exists, and so does its agency, which must be the position's
own (positions keep their agency and reach agencies by their own key). Every writer already takes the agency from
the position (the API, imports, SIASN syncs, the demo data); a database holding a row that does not is refused by
the upgrade rather than kept. positions gains the unique index the key refers to. SQLite changes keys only by
rebuilding the table (batch mode; position_history has no triggers to create again).

Revision ID: 5c1d0e7a9b24
Revises: 2492230b20db
Create Date: 2026-11-30 12:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '5c1d0e7a9b24'
down_revision: str | None = '2492230b20db'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('uq_positions_id_agency_id', 'positions', ['id', 'agency_id'], unique=True)
    with op.batch_alter_table('position_history', schema=None) as batch_op:
        batch_op.drop_constraint('fk_position_history_agency_id_agencies', type_='foreignkey')
        batch_op.drop_constraint('fk_position_history_position_id_positions', type_='foreignkey')
        batch_op.create_foreign_key(
            'fk_position_history_position_id_agency_id_positions', 'positions',
            ['position_id', 'agency_id'], ['id', 'agency_id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('position_history', schema=None) as batch_op:
        batch_op.drop_constraint('fk_position_history_position_id_agency_id_positions', type_='foreignkey')
        batch_op.create_foreign_key('fk_position_history_position_id_positions', 'positions', ['position_id'], ['id'])
        batch_op.create_foreign_key('fk_position_history_agency_id_agencies', 'agencies', ['agency_id'], ['id'])
    op.drop_index('uq_positions_id_agency_id', table_name='positions')
