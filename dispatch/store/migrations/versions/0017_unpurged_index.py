"""the tickets retention has not purged yet, by closing time

Retention asks every pass for the oldest tickets closed past the limit and not purged yet. With
all of them purged (a deployment in its steady state), PostgreSQL walked every ticket ever made
by id to find none: 230 ms a pass at 5,000,000 tickets, growing with every year kept. A partial
index of the unpurged tickets by closing time answers at once.

Revision ID: 0017_unpurged_index
Revises: 0016_rating_done_at
Create Date: 2026-12-07 17:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_unpurged_index'
down_revision = '0016_rating_done_at'
branch_labels = None
depends_on = None

UNPURGED = "(nlu IS NULL OR CAST(nlu AS TEXT) <> '{\"purged\": true}')"


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_closed_unpurged', ['closed_at'], unique=False,
                              postgresql_where=sa.text(UNPURGED),
                              sqlite_where=sa.text(UNPURGED))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_closed_unpurged')
