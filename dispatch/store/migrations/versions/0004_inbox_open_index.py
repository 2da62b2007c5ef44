"""inbox: one partial index over the updates not yet shown, instead of chat_key and state

open_rows read every row a chat ever sent (done ones stay as the dedupe record) to find the
few not yet shown; the partial index holds only those. Two indexes fewer to keep up on every
insert and state change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 17:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN = sa.text("state <> 'done'")


def upgrade() -> None:
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_updates_chat_key')
        batch_op.drop_index('ix_inbound_updates_state')
        batch_op.create_index('ix_inbound_updates_open', ['channel', 'chat_key', 'update_id'],
                              unique=False, postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_updates_open')
        batch_op.create_index('ix_inbound_updates_state', ['state'], unique=False)
        batch_op.create_index('ix_inbound_updates_chat_key', ['chat_key'], unique=False)
