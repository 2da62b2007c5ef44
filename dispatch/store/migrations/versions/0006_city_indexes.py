"""city indexes: the audit trail read by period and by ticket, ratings by period, rating clocks

Statistics read the period's events by action (`action, at`) and look back along one ticket's
trail by action (`ticket_id, action, id`, which also serves every lookup by ticket alone, so it
replaces the index on ticket_id). Ratings are counted by period; the deadline scheduler looks
for rating clocks that ran out; the public board reads the newest handled tickets.

Revision ID: 0006
Revises: desk
Create Date: 2026-12-06 05:15:00
"""

from alembic import op

revision = '0006'
down_revision = 'desk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_ticket_events_trail', ['ticket_id', 'action', 'id'],
                              unique=False)
        batch_op.drop_index('ix_ticket_events_ticket_id')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_at', ['at'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_rating_due_at', ['rating_due_at'], unique=False)
        batch_op.create_index('ix_tickets_resolved_at', ['resolved_at'], unique=False)
        batch_op.create_index('ix_tickets_closed_at', ['closed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_closed_at')
        batch_op.drop_index('ix_tickets_resolved_at')
        batch_op.drop_index('ix_tickets_rating_due_at')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_at')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_ticket_id', ['ticket_id'], unique=False)
        batch_op.drop_index('ix_ticket_events_trail')
        batch_op.drop_index('ix_ticket_events_action_at')
