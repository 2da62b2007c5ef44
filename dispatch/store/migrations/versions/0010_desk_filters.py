"""desk filter indexes: a district's tickets of one urgency, of one list

The desk's ticket table filters by urgency ("critical, by due") and by the centre's lists
("phased"): with no index on either column PostgreSQL read all 1,000,000 tickets of a city
twice per page (once to count, once for the page), ~200 ms each. `(urgency, created_at)` and
`(list_type, created_at)` read the few thousand matching tickets, newest first.

Revision ID: 0010_desk
Revises: 0009_residents
Create Date: 2026-12-06 11:35:00
"""

from alembic import op

revision = '0010_desk'
down_revision = '0009_residents'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_urgency_created', ['urgency', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_tickets_list_type_created', ['list_type', 'created_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_list_type_created')
        batch_op.drop_index('ix_tickets_urgency_created')
