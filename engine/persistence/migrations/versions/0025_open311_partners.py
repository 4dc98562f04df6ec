"""Open311 partners: reporters as customers, posted updates by update_id, calls per key per minute, photos fetched

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 06:40:00.000000

open311_reporter ties a partner's reporter to the customer they became (unique per partner, so one
reporter is one customer); open311_update keeps each update a partner posted by its update_id (unique,
so sending it again changes nothing); open311_rate counts each key's calls per minute (shared by every
serve process); open311_request.media_status says where fetching the report's photo stands.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_status', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_open311_request_media_status', ['media_status'], unique=False)
    op.create_table('open311_reporter',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('partner_id', sa.Integer(), nullable=False),
                    sa.Column('reporter_key', sa.String(length=500), nullable=False),
                    sa.Column('customer_id', sa.Integer(), nullable=False),
                    sa.Column('created_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
                    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('partner_id', 'reporter_key'))
    with op.batch_alter_table('open311_reporter', schema=None) as batch_op:
        batch_op.create_index('ix_open311_reporter_customer_id', ['customer_id'], unique=False)
    op.create_table('open311_update',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('partner_id', sa.Integer(), nullable=False),
                    sa.Column('update_id', sa.String(length=200), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('created_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('partner_id', 'update_id'))
    with op.batch_alter_table('open311_update', schema=None) as batch_op:
        batch_op.create_index('ix_open311_update_case_id', ['case_id'], unique=False)
    op.create_table('open311_rate',
                    sa.Column('key_id', sa.Integer(), nullable=False),
                    sa.Column('minute', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('calls', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['key_id'], ['partner_key.id'], ),
                    sa.PrimaryKeyConstraint('key_id', 'minute'))


def downgrade() -> None:
    op.drop_table('open311_rate')
    with op.batch_alter_table('open311_update', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_update_case_id')
    op.drop_table('open311_update')
    with op.batch_alter_table('open311_reporter', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_reporter_customer_id')
    op.drop_table('open311_reporter')
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_request_media_status')
        batch_op.drop_column('media_status')
