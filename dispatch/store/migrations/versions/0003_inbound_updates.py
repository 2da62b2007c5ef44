"""inbound updates: the inbox every update is stored in before it is acknowledged

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:10:00
"""

import sqlalchemy as sa
from alembic import op

import dispatch.store.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_updates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('done_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_updates')),
    sa.UniqueConstraint('channel', 'update_id', name=op.f('uq_inbound_updates_channel'))
    )
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_updates_chat_key'), ['chat_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_updates_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_updates_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_table('inbound_updates')
