"""published services: which deployed processes are offered on the web, to councillors and over Open311

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 16:30:00.000000

published_service holds, per process key, the public title, description, LGSL id, Open311 service
code (unique), keywords and the channels it is offered on (a JSON list of types.PublishChannel).
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_service',
                    sa.Column('process_key', sa.String(length=200), nullable=False),
                    sa.Column('title', sa.String(length=200), nullable=False),
                    sa.Column('description', sa.Text(), nullable=False),
                    sa.Column('lgsl', sa.Integer(), nullable=True),
                    sa.Column('open311_code', sa.String(length=100), nullable=True),
                    sa.Column('keywords', sa.JSON(), nullable=False),
                    sa.Column('channels', sa.JSON(), nullable=False),
                    sa.Column('created_by', sa.String(length=320), nullable=False),
                    sa.Column('created_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['process_key'], ['process.key'], ),
                    sa.PrimaryKeyConstraint('process_key'),
                    sa.UniqueConstraint('open311_code'))


def downgrade() -> None:
    op.drop_table('published_service')
