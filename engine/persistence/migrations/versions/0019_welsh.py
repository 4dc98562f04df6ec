"""published services' words in other languages (Welsh): published_service.translations

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:10:00.000000

{"cy": {"title": ..., "description": ...}}: the public title and description residents read on pages in
that language; English stays in title and description.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("published_service") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("published_service") as batch:
        batch.drop_column("translations")
