"""notes, documents, hand-back questions, process descriptions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:16:27.343778
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=320), nullable=False),
    sa.Column('uploaded_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filing_status', sa.String(length=20), nullable=False),
    sa.Column('filed_reference', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_document_case_id'), ['case_id'], unique=False)

    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_case_id'), ['case_id'], unique=False)

    op.create_table('task_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_by', sa.String(length=320), nullable=False),
    sa.Column('asked_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=320), nullable=True),
    sa.Column('answered_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_question_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_question_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_question_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('outbox_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_outbox_call_document_id', 'case_document', ['document_id'], ['id'])

    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('outbox_call', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_call_document_id', type_='foreignkey')
        batch_op.drop_column('document_id')

    with op.batch_alter_table('task_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_question_team_id'))
        batch_op.drop_index(batch_op.f('ix_task_question_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_question_case_id'))

    op.drop_table('task_question')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_case_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('case_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_document_case_id'))

    op.drop_table('case_document')
