"""information governance: the append-only audit trail, retention rules, and when a case's personal data was removed

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:30:00.000000

audit_entry rows are only ever inserted. The engine has no code that changes or removes one, and on
PostgreSQL a trigger refuses UPDATE and DELETE outright, so not even a hand-typed statement rewrites
history (TRUNCATE and dropping the table remain the database owner's, as they must for restores).
retention_rule holds each process's period after closure and what happens then;
case.personal_data_removed_at says when retention anonymised the case, so it is done once.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, engine.persistence.tables.UTCDateTime(timezone=True), nullable=nullable)


REFUSE = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on audit_entry refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""


def upgrade() -> None:
    op.create_table('audit_entry',
                    sa.Column('id', sa.Integer(), nullable=False),
                    _at('at', False),
                    sa.Column('kind', sa.String(length=40), nullable=False),
                    sa.Column('actor', sa.String(length=320), nullable=False),
                    sa.Column('subject', sa.String(length=320), nullable=False),
                    sa.Column('detail', sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_at', ['at', 'id'], unique=False)
        batch_op.create_index('ix_audit_entry_kind_at', ['kind', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor'), ['actor'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REFUSE)
    op.create_table('retention_rule',
                    sa.Column('process_key', sa.String(length=200), nullable=False),
                    sa.Column('years', sa.Integer(), nullable=False),
                    sa.Column('action', sa.String(length=20), nullable=False),
                    sa.Column('updated_by', sa.String(length=320), nullable=False),
                    _at('updated_at', False),
                    sa.PrimaryKeyConstraint('process_key'))
    op.add_column('case', _at('personal_data_removed_at', True))


def downgrade() -> None:
    op.drop_column('case', 'personal_data_removed_at')  # as 0012 does: no table copy of "case" (its rows are referenced)
    op.drop_table('retention_rule')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_entry_append_only ON audit_entry')
        op.execute('DROP FUNCTION audit_entry_append_only()')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor'))
        batch_op.drop_index('ix_audit_entry_kind_at')
        batch_op.drop_index('ix_audit_entry_at')
    op.drop_table('audit_entry')
