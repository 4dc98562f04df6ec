"""outbox calls carry their kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:30:00.000000

Each outbox call names its kind (engine.types.CallKind), and one handler per kind deals with it
(engine.outbox.outbox.HANDLERS), instead of every step asking whether the call has a document_id. Existing
rows are filled from that same test: a call with a document files it, any other finishes a service
task.

The column is added NOT NULL with 'service_task' as its server default, in one ALTER TABLE, rather
than added nullable, filled and then altered: making a column NOT NULL afterwards rebuilds the table
on SQLite (batch mode), and a rebuild of outbox_call cannot commit while incidents refer to its rows
(foreign keys are enforced, and the pragma that turns them off is ignored inside the migration's
transaction). 0003 made the same choice for app_user. Every call the engine writes names its kind
(engine.outbox.calls.new_call); the default only fills the rows that existed before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox_call', sa.Column('kind', sa.String(length=40), server_default='service_task',
                                           nullable=False))
    op.execute("UPDATE outbox_call SET kind = 'document_filing' WHERE document_id IS NOT NULL")


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): no rebuild, for the same reason.
    op.drop_column('outbox_call', 'kind')
