"""ratings by unit and time: a district's satisfaction reads its units' ratings

「本季度满意率是多少」 read every rating of the city's quarter by time and kept the asking
district's (380,000 index rows for 25,000 at 5,000,000 tickets). `(unit_id, at)` reads the
district's units' ratings of the period only.

Revision ID: 0013_rating_unit
Revises: 0012_event_clock
Create Date: 2026-12-07 06:10:00
"""

from alembic import op

revision = '0013_rating_unit'
down_revision = '0012_event_clock'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_unit_at', ['unit_id', 'at'], unique=False,
                              postgresql_include=['rater_kind', 'value', 'ticket_id', 'id'])


def downgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_unit_at')
