"""due and board indexes: open tickets by status and due time; closed_at only where unresolved

The deadline scheduler looks for open tickets whose clock ran out: `(status, claim_due_at)` and
`(status, resolve_due_at)` let PostgreSQL OR the due columns' indexes instead of walking the
primary key over every ticket. The public board's second walk (tickets closed without a done)
reads a partial index of exactly those, instead of 0006's index over every closed ticket.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UNRESOLVED = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_closed_at')
        batch_op.create_index('ix_tickets_closed_unresolved', ['closed_at'], unique=False,
                              postgresql_where=UNRESOLVED, sqlite_where=UNRESOLVED)
        batch_op.create_index('ix_tickets_status_claim_due_at', ['status', 'claim_due_at'],
                              unique=False)
        batch_op.create_index('ix_tickets_status_resolve_due_at', ['status', 'resolve_due_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_resolve_due_at')
        batch_op.drop_index('ix_tickets_status_claim_due_at')
        batch_op.drop_index('ix_tickets_closed_unresolved')
        batch_op.create_index('ix_tickets_closed_at', ['closed_at'], unique=False)
