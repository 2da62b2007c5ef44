"""desk filter indexes: a district's tickets of one urgency, of one list

The desk's ticket table filters by urgency ("critical, by due") and by the centre's lists
("phased"): with no index on either column PostgreSQL read all 1,000,000 tickets of a city
twice per page (once to count, once for the page), ~200 ms each. `(urgency, created_at)` reads
one urgency's tickets. The listed tickets (8 % of a city's) have a partial index that also
carries what a page filters and sorts them by (the jurisdiction's unit columns, the due
columns): a list's page is read from the index alone, where fetching the 55,000 phased
tickets' rows to keep one street's 3,361 took 155-540 ms.

Revision ID: 0010_desk
Revises: 0009_residents
Create Date: 2026-12-06 11:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_desk'
down_revision = '0009_residents'
branch_labels = None
depends_on = None

LISTED = sa.text("list_type IS NOT NULL")
CARRIED = ['id', 'unit_id', 'community_id', 'lead_unit_id', 'status', 'claim_due_at',
           'resolve_due_at']


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_urgency_created', ['urgency', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_tickets_listed', ['list_type', 'created_at'], unique=False,
                              postgresql_include=CARRIED, postgresql_where=LISTED,
                              sqlite_where=LISTED)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_listed')
        batch_op.drop_index('ix_tickets_urgency_created')
