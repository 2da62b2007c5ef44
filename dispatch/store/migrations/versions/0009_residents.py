"""draft reminders and the help time: an unsubmitted draft is reminded of once, from the
scheduler; a help request keeps when the help is needed, for the volunteer's card

One row per person with an open draft: its nonce, when the reminder is due and the push to send.

Revision ID: 0009_residents
Revises: 0009_city
Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
from alembic import op

from dispatch.store.db import UtcDateTime

revision = '0009_residents'
down_revision = '0009_city'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'draft_reminders',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.String(length=32), nullable=False),
        sa.Column('due_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('notice', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id'),
    )
    with op.batch_alter_table('draft_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_draft_reminders_due_at', ['due_at'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('help_time', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('help_time')
    with op.batch_alter_table('draft_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_reminders_due_at')
    op.drop_table('draft_reminders')
