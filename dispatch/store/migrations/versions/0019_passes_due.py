"""when the watch is next due: one process a minute runs it, not every process

Every process (`run` and each `worker`) ran the watch every minute: the morning digest, the
hotspot pass, a page of retention and the inbox's sweep. What each sends goes out once, but the
work was done once per process. A row per periodic pass now says when it is next due; a process
runs the pass only when its conditional update of that row moves it on.

Revision ID: 0019_passes_due
Revises: 0018_org_mark
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import dispatch.store.db

revision = '0019_passes_due'
down_revision = '0018_org_mark'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'passes_due',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('due_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('passes_due')
