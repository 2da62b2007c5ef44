"""board review: a handled ticket reaches the public board only once staff approved it

A summary written or approved by the community or street, when and by whom; the board reads the
approved tickets by the time of approval.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:30:00
"""

import sqlalchemy as sa
from alembic import op

from dispatch.store.db import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('board_approved_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('board_approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_tickets_board_approved_at', ['board_approved_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_board_approved_at')
        batch_op.drop_column('board_approved_by_id')
        batch_op.drop_column('board_approved_at')
        batch_op.drop_column('board_summary')
