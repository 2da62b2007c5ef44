"""city indexes: a unit's events of a period; a community's recent tickets of a category

A district's scorecard (and a street's questions) read the events of the district's units in a
quarter: `(unit_id, action, at)` reads exactly those, where `(action, at)` read the whole
city's events of the quarter and filtered them by unit (at 1,000,000 tickets, 13 districts:
~200,000 rows read for ~9,000 kept per statement). The duplicate check reads a community's
open tickets of one category from the last three days: `(community_id, category, created_at)`
reads those, where `community_id` alone read every ticket the community ever had.

Revision ID: 0009_city
Revises: 0008
Create Date: 2026-12-06 08:30:00
"""

from alembic import op

revision = '0009_city'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_unit_action_at', ['unit_id', 'action', 'at'],
                              unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_community_category_created',
                              ['community_id', 'category', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_community_category_created')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_unit_action_at')
