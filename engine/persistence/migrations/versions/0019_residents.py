"""residents: published services' words in Welsh (published_service.translations), and the keys cases
were started with (case_start_key), so a form sent twice starts one case; and whether residents are
sent an update at each public milestone (published_service.updates)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:10:00.000000

{"cy": {"title": ..., "description": ...}}: the public title and description residents read on pages in
that language; English stays in title and description.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("published_service") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updates", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "case_start_key",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("created_at", engine.persistence.tables.UTCDateTime(timezone=True), nullable=False))
    op.create_index("ix_case_start_key_case_id", "case_start_key", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_start_key_case_id", table_name="case_start_key")
    op.drop_table("case_start_key")
    with op.batch_alter_table("published_service") as batch:
        batch.drop_column("updates")
        batch.drop_column("translations")
