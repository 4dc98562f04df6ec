"""the council's own search words: callers' synonyms and per-service keywords

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-05 12:40:00.000000

search_synonym holds the synonyms an admin added or changed (an empty ``meant`` turns a shipped one
off); service_keywords holds extra words each service is found by. Both start empty: the shipped
synonyms stay in engine.catalogue.service_words, so a new release's list reaches councils that never edited it.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_synonym',
                    sa.Column('said', sa.String(length=200), nullable=False),
                    sa.Column('meant', sa.String(length=500), nullable=False),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('said'))
    op.create_table('service_keywords',
                    sa.Column('service_key', sa.String(length=200), nullable=False),
                    sa.Column('keywords', sa.Text(), nullable=False),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('service_key'))


def downgrade() -> None:
    op.drop_table('service_keywords')
    op.drop_table('search_synonym')
