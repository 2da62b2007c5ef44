"""the period's events from the indexes alone: covering event indexes

A quarter's figures read every arrival, claim, done and move of the period: at a city's quarter
(650,000 ratings, 3,900,000 events) the indexes on `(action, at)` and `(unit_id, action, at)`
found the rows and each row was then read from the table (wide rows: note, data). The columns
the statements read now ride in the indexes (INCLUDE), so the scans are index-only; the trail
index carries `at`, so "the latest done at or before a rating" is read from the index too.
PostgreSQL only (SQLite has no INCLUDE; the indexes stay as they were there).

Revision ID: 0014_covering_events
Revises: 0013_rating_unit
Create Date: 2026-12-07 10:45:00
"""

from alembic import op

revision = '0014_covering_events'
down_revision = '0013_rating_unit'
branch_labels = None
depends_on = None

COVERED = {
    'ix_ticket_events_action_at': (['action', 'at'],
                                   ['unit_id', 'ticket_id', 'id', 'actor_id', 'clock_at']),
    'ix_ticket_events_unit_action_at': (['unit_id', 'action', 'at'],
                                        ['ticket_id', 'id', 'actor_id', 'clock_at']),
    'ix_ticket_events_trail': (['ticket_id', 'action', 'id'], ['at']),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, (columns, include) in COVERED.items():
        op.drop_index(name, table_name='ticket_events')
        op.create_index(name, 'ticket_events', columns, postgresql_include=include)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, (columns, _) in COVERED.items():
        op.drop_index(name, table_name='ticket_events')
        op.create_index(name, 'ticket_events', columns)
