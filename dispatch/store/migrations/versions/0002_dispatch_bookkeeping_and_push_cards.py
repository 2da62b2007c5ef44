"""dispatch bookkeeping and push cards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:59:40.935127
"""

import sqlalchemy as sa
from alembic import op

import dispatch.store.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_push_cards_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_push_cards_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_push_cards_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_cards')),
    sa.UniqueConstraint('outbox_id', name=op.f('uq_push_cards_outbox_id'))
    )
    with op.batch_alter_table('push_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_cards_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('whistled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('remind_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_stage', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('overdue', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('milestones', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('service_minutes', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_remind_at'), ['remind_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tickets_whistled_by_id_units'), 'units', ['whistled_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tickets_whistled_by_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tickets_remind_at'))
        batch_op.drop_column('service_minutes')
        batch_op.drop_column('milestones')
        batch_op.drop_column('flagged')
        batch_op.drop_column('overdue')
        batch_op.drop_column('deadline_stage')
        batch_op.drop_column('remind_at')
        batch_op.drop_column('whistled_by_id')
        batch_op.drop_column('verified_at')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('published_at')

    with op.batch_alter_table('push_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_cards_ticket_id'))

    op.drop_table('push_cards')
