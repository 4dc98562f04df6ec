"""repeat contacts on a case, and search keys for finding a case by phone, postcode, email, name or address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:00:00.000000

case_contact holds each time a customer got in touch again about a case (engine.casework.contacts), indexed by
time, channel and kind for the MI counts. customer gains phone_key, postcode_key and email_key, the
details as case search compares them (engine.casework.customers.search_keys), each indexed; on PostgreSQL they
use the "C" collation so a prefix is one index range whatever the database's locale. customer_word
holds each word of a customer's name and address (engine.casework.customers.search_words), so a name is found
by an index range per typed word, not a scan. Existing customers get their keys and words here,
computed by the rules as they are at this revision.
"""
import re

from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KEYS = (('phone_key', 20), ('postcode_key', 20), ('email_key', 320))
WORD = re.compile(r"[^\W_]+")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def _key(length):
    return sa.String(length=length).with_variant(sa.String(length=length, collation='C'), 'postgresql')


def _digits(phone):
    only = re.sub(r"[^0-9]", "", phone or "")
    return "0" + only[2:] if only.startswith("44") and len(only) > 10 else only


def _postcode(postcode):
    tight = re.sub(r"\s+", "", postcode or "").upper()
    found = POSTCODE.match(tight)
    return f"{found.group(1)} {found.group(2)}" if found else tight


def _backfill() -> None:
    bind = op.get_bind()
    customer = sa.table('customer', sa.column('id'), sa.column('phone'), sa.column('postcode'), sa.column('email'),
                        sa.column('name'), sa.column('address'), *(sa.column(name) for name, _ in KEYS))
    word = sa.table('customer_word', sa.column('word'), sa.column('customer_id'))
    rows = bind.execute(sa.select(customer.c.id, customer.c.phone, customer.c.postcode, customer.c.email,
                                  customer.c.name, customer.c.address)).all()
    for row in rows:
        bind.execute(customer.update().where(customer.c.id == row.id).values(
            phone_key=_digits(row.phone) or None,
            postcode_key=_postcode(row.postcode) or None,
            email_key=(row.email or "").strip().lower() or None))
        words = {w[:40] for text in (row.name, row.address) for w in WORD.findall((text or "").lower())}
        if words:
            bind.execute(word.insert(), [{"word": w, "customer_id": row.id} for w in sorted(words)])


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

    op.create_table('customer_word',
    sa.Column('word', _key(40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('word', 'customer_id')
    )
    with op.batch_alter_table('customer_word', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_word_customer_id'), ['customer_id'], unique=False)

    # add_column is an ALTER TABLE on SQLite too (no rebuild), so batch mode is not asked for.
    for name, length in KEYS:
        op.add_column('customer', sa.Column(name, _key(length), nullable=True))
        op.create_index(f'ix_customer_{name}', 'customer', [name], unique=False)
    _backfill()


def downgrade() -> None:
    for name, _ in reversed(KEYS):
        op.drop_index(f'ix_customer_{name}', table_name='customer')
        # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop customer under case's foreign key.
        op.drop_column('customer', name)
    with op.batch_alter_table('customer_word', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_word_customer_id'))
    op.drop_table('customer_word')
    with op.batch_alter_table('case_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_case_contact_at')
        batch_op.drop_index(batch_op.f('ix_case_contact_case_id'))
    op.drop_table('case_contact')
