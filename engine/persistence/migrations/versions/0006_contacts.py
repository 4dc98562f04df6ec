"""repeat contacts on a case, and search keys for finding a case by phone, postcode or email

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-05 08:00:00.000000

case_contact holds each time a customer got in touch again about a case (engine.contacts), indexed by
time, channel and kind for the MI counts. customer gains phone_key, postcode_key and email_key, the
details as case search compares them (engine.customers.search_keys), each indexed; on PostgreSQL they
use the "C" collation so a prefix is one index range whatever the database's locale. Existing
customers get their keys here, computed by the rule as it is at this revision.
"""
import re

from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

KEYS = (('phone_key', 20), ('postcode_key', 20), ('email_key', 320))


def _digits(phone):
    only = re.sub(r"[^0-9]", "", phone or "")
    return "0" + only[2:] if only.startswith("44") and len(only) > 10 else only


def _backfill() -> None:
    bind = op.get_bind()
    customer = sa.table('customer', sa.column('id'), sa.column('phone'), sa.column('postcode'), sa.column('email'),
                        *(sa.column(name) for name, _ in KEYS))
    rows = bind.execute(sa.select(customer.c.id, customer.c.phone, customer.c.postcode, customer.c.email)).all()
    for row in rows:
        bind.execute(customer.update().where(customer.c.id == row.id).values(
            phone_key=_digits(row.phone) or None,
            postcode_key=re.sub(r"\s+", "", row.postcode or "").upper() or None,
            email_key=(row.email or "").strip().lower() or None))


def upgrade() -> None:
    op.create_table('case_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('logged_by', sa.String(length=320), nullable=False),
    sa.Column('at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_contact_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_contact_at', ['at', 'channel', 'kind'], unique=False)

    # add_column is an ALTER TABLE on SQLite too (no rebuild), so batch mode is not asked for.
    for name, length in KEYS:
        kind = sa.String(length=length).with_variant(sa.String(length=length, collation='C'), 'postgresql')
        op.add_column('customer', sa.Column(name, kind, nullable=True))
        op.create_index(f'ix_customer_{name}', 'customer', [name], unique=False)
    _backfill()


def downgrade() -> None:
    for name, _ in reversed(KEYS):
        op.drop_index(f'ix_customer_{name}', table_name='customer')
        with op.batch_alter_table('customer', schema=None) as batch_op:
            batch_op.drop_column(name)
    with op.batch_alter_table('case_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_case_contact_at')
        batch_op.drop_index(batch_op.f('ix_case_contact_case_id'))
    op.drop_table('case_contact')
