"""Scoring schema: policies, talent reviews (the job queue), placements, calibrations, shortlists, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-30 02:25:02.764029+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('response_headers', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('principal', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('scoring_policies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('based_on', sa.String(length=80), nullable=True),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', 'version', name=op.f('pk_scoring_policies'))
    )
    op.create_index(op.f('ix_scoring_policies_owner_agency_id'), 'scoring_policies', ['owner_agency_id'], unique=False)
    op.create_table('succession_shortlists',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('position_id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('review_id', sa.String(length=36), nullable=True),
    sa.Column('review_ids', sa.JSON(), nullable=False),
    sa.Column('policy_id', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_succession_shortlists')),
    sa.UniqueConstraint('position_id', 'as_of', 'result_hash', name=op.f('uq_succession_shortlists_position_id_as_of_result_hash'))
    )
    op.create_index('ix_succession_shortlists_position_id_created_at', 'succession_shortlists', ['position_id', 'created_at'], unique=False)
    op.create_table('talent_reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=200), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_by', sa.String(length=200), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('export_seconds', sa.Float(), nullable=True),
    sa.Column('compute_seconds', sa.Float(), nullable=True),
    sa.Column('write_seconds', sa.Float(), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error_detail', sa.Text(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalized_by', sa.String(length=200), nullable=True),
    sa.Column('decree_number', sa.String(length=100), nullable=True),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id', 'policy_version'], ['scoring_policies.id', 'scoring_policies.version'], name=op.f('fk_talent_reviews_policy_id_scoring_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_reviews'))
    )
    op.create_index('ix_talent_reviews_agency_id_id', 'talent_reviews', ['agency_id', 'id'], unique=False)
    op.create_index('ix_talent_reviews_agency_id_status_completed_at', 'talent_reviews', ['agency_id', 'status', 'completed_at'], unique=False)
    op.create_index('ix_talent_reviews_queue', 'talent_reviews', ['status', 'available_at'], unique=False)
    op.create_table('placements',
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=True),
    sa.Column('position_id', sa.String(length=36), nullable=True),
    sa.Column('placed', sa.Boolean(), nullable=False),
    sa.Column('box', sa.SmallInteger(), nullable=True),
    sa.Column('calibrated_box', sa.SmallInteger(), nullable=True),
    sa.Column('effective_box', sa.SmallInteger(), nullable=True),
    sa.Column('calibration_id', sa.String(length=36), nullable=True),
    sa.Column('performance_level', sa.String(length=8), nullable=True),
    sa.Column('performance_score', sa.Float(), nullable=True),
    sa.Column('potential_level', sa.String(length=8), nullable=True),
    sa.Column('potential_score', sa.Float(), nullable=True),
    sa.Column('jpm', sa.Float(), nullable=True),
    sa.Column('jpm_default_standard', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('employment_type', sa.String(length=8), nullable=True),
    sa.Column('position_type', sa.String(length=16), nullable=True),
    sa.Column('functional_level', sa.String(length=16), nullable=True),
    sa.Column('education_level', sa.String(length=4), nullable=True),
    sa.Column('predikat_y', sa.String(length=16), nullable=True),
    sa.Column('predikat_y1', sa.String(length=16), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('retirement_date', sa.Date(), nullable=True),
    sa.Column('position_since', sa.Date(), nullable=True),
    sa.Column('level_since', sa.Date(), nullable=True),
    sa.Column('rank_order', sa.SmallInteger(), nullable=True),
    sa.Column('rank_since', sa.Date(), nullable=True),
    sa.Column('competency_assessed_on', sa.Date(), nullable=True),
    sa.Column('competency_levels', sa.String(length=9), nullable=False),
    sa.Column('competency_standard', sa.String(length=9), nullable=False),
    sa.Column('potential_assessed_on', sa.Date(), nullable=True),
    sa.Column('potential_assessment_score', sa.Float(), nullable=True),
    sa.Column('sanctions_in_force', sa.Integer(), nullable=False),
    sa.Column('ringan_recent', sa.Integer(), nullable=False),
    sa.Column('sedang_recent', sa.Integer(), nullable=False),
    sa.Column('berat_recent', sa.Integer(), nullable=False),
    sa.Column('last_heavy_sanction_ended_on', sa.Date(), nullable=True),
    sa.Column('awards_recent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['talent_reviews.id'], name=op.f('fk_placements_review_id_talent_reviews')),
    sa.PrimaryKeyConstraint('review_id', 'nip', name=op.f('pk_placements'))
    )
    op.create_index('ix_placements_nip', 'placements', ['nip'], unique=False)
    op.create_table('calibrations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('box', sa.SmallInteger(), nullable=False),
    sa.Column('previous_box', sa.SmallInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['review_id', 'nip'], ['placements.review_id', 'placements.nip'], name=op.f('fk_calibrations_review_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibrations'))
    )
    op.create_index('ix_calibrations_review_id_nip', 'calibrations', ['review_id', 'nip'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calibrations_review_id_nip', table_name='calibrations')
    op.drop_table('calibrations')
    op.drop_index('ix_placements_nip', table_name='placements')
    op.drop_table('placements')
    op.drop_index('ix_talent_reviews_queue', table_name='talent_reviews')
    op.drop_index('ix_talent_reviews_agency_id_status_completed_at', table_name='talent_reviews')
    op.drop_index('ix_talent_reviews_agency_id_id', table_name='talent_reviews')
    op.drop_table('talent_reviews')
    op.drop_index('ix_succession_shortlists_position_id_created_at', table_name='succession_shortlists')
    op.drop_table('succession_shortlists')
    op.drop_index(op.f('ix_scoring_policies_owner_agency_id'), table_name='scoring_policies')
    op.drop_table('scoring_policies')
    op.drop_table('idempotency_keys')
