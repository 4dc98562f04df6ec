"""Open311 partners' API keys and the service requests they posted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:35:00.000000

partner_key holds each Open311 API key of a partner organisation (the directory's ``partner`` rows), by
its SHA-256 only; open311_request ties each case that came in through /open311/v2 to its partner, its
service code and what the Open311 calls show (description, address, position, photo address).
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_key',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('partner_id', sa.Integer(), nullable=False),
                    sa.Column('key_hash', sa.String(length=64), nullable=False),
                    sa.Column('created_by', sa.String(length=320), nullable=False),
                    sa.Column('created_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('last_used_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=True),
                    sa.Column('revoked_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=True),
                    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('key_hash'))
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.create_index('ix_partner_key_partner_id', ['partner_id'], unique=False)
    op.create_table('open311_request',
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('partner_id', sa.Integer(), nullable=False),
                    sa.Column('service_code', sa.String(length=100), nullable=False),
                    sa.Column('requested_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('description', sa.Text(), nullable=False),
                    sa.Column('address', sa.Text(), nullable=True),
                    sa.Column('lat', sa.Float(), nullable=True),
                    sa.Column('long', sa.Float(), nullable=True),
                    sa.Column('media_url', sa.String(length=2000), nullable=True),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
                    sa.PrimaryKeyConstraint('case_id'))
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.create_index('ix_open311_request_partner_id', ['partner_id'], unique=False)
        batch_op.create_index('ix_open311_request_code_at', ['service_code', 'requested_at'], unique=False)
        batch_op.create_index('ix_open311_request_at', ['requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_request_at')
        batch_op.drop_index('ix_open311_request_code_at')
        batch_op.drop_index('ix_open311_request_partner_id')
    op.drop_table('open311_request')
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_key_partner_id')
    op.drop_table('partner_key')
