"""the directory of services: entries, mapped or not, and partner organisations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:30:00.000000

directory_entry holds every service the front office answers for, with what it does for each (start
a map, resolve, hand off, refer) and its sensitivity; partner holds the organisations outside the
council that run some services. An entry's synonyms are its key's row in service_keywords.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('email', sa.String(length=320), nullable=True),
                    sa.Column('phone', sa.String(length=50), nullable=True),
                    sa.Column('website', sa.String(length=500), nullable=True),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('name'))
    op.create_table('directory_entry',
                    sa.Column('key', sa.String(length=100), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('lgsl', sa.Integer(), nullable=True),
                    sa.Column('description', sa.Text(), nullable=False),
                    sa.Column('public_info', sa.Text(), nullable=False),
                    sa.Column('guidance', sa.Text(), nullable=False),
                    sa.Column('guidance_owner', sa.String(length=200), nullable=True),
                    sa.Column('guidance_review_on', sa.Date(), nullable=True),
                    sa.Column('action', sa.String(length=20), nullable=False),
                    sa.Column('process_key', sa.String(length=200), nullable=True),
                    sa.Column('team_id', sa.Integer(), nullable=True),
                    sa.Column('partner_id', sa.Integer(), nullable=True),
                    sa.Column('sensitivity', sa.String(length=20), nullable=False),
                    sa.Column('related', sa.Text(), nullable=False),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
                    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
                    sa.PrimaryKeyConstraint('key'))


def downgrade() -> None:
    op.drop_table('directory_entry')
    op.drop_table('partner')
