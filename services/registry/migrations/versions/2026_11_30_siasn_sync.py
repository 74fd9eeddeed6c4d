"""SIASN sync: agencies' encrypted SIASN credentials, sync jobs and their per-NIP outcomes.

Revision ID: b774f89117fa
Revises: 994a019e2eec
Create Date: 2026-11-30 02:28:40.101680+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db


revision: str = 'b774f89117fa'
down_revision: str | None = '994a019e2eec'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('siasn_credentials',
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('secrets', sa.LargeBinary(), nullable=False),
    sa.Column('fields_set', sa.JSON(), nullable=False),
    sa.Column('sso_client_id', sa.String(length=100), nullable=True),
    sa.Column('instansi_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('updated_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_siasn_credentials_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_siasn_credentials'))
    )
    op.create_table('siasn_syncs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('requested', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('nips_total', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('heartbeat_at', services.common.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', services.common.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', services.common.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('updated_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_siasn_syncs_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_siasn_syncs'))
    )
    with op.batch_alter_table('siasn_syncs', schema=None) as batch_op:
        batch_op.create_index('ix_siasn_syncs_agency_id_id', ['agency_id', 'id'], unique=False)
        batch_op.create_index('ix_siasn_syncs_status', ['status'], unique=False)

    op.create_table('siasn_sync_items',
    sa.Column('sync_id', sa.String(length=36), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('fetched_at', services.common.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sync_id'], ['siasn_syncs.id'], name=op.f('fk_siasn_sync_items_sync_id_siasn_syncs')),
    sa.PrimaryKeyConstraint('sync_id', 'nip', name=op.f('pk_siasn_sync_items'))
    )


def downgrade() -> None:
    op.drop_table('siasn_sync_items')
    with op.batch_alter_table('siasn_syncs', schema=None) as batch_op:
        batch_op.drop_index('ix_siasn_syncs_status')
        batch_op.drop_index('ix_siasn_syncs_agency_id_id')

    op.drop_table('siasn_syncs')
    op.drop_table('siasn_credentials')
