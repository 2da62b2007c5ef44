"""a claim's and a done's clock on the event: the average times without a walk of the trail

平均接单时长 / 平均办结时长 run from when the ticket was last put to a unit (its latest
clock-start event) to the claim (done). They looked that event up for every claim of the
period, two index look-ups each: ~33,000 of them for a district's quarter at 5,000,000
tickets. The claim and the done now carry `clock_at`, written with the row; this fills it in
for the rows written before, by the same definition (the latest clock-start event by id).

Revision ID: 0012_event_clock
Revises: 0011_followers
Create Date: 2026-12-07 05:00:00
"""

import sqlalchemy as sa
from alembic import op

import dispatch.store.db

revision = '0012_event_clock'
down_revision = '0011_followers'
branch_labels = None
depends_on = None

CLOCK_STARTS = ("create", "whistle", "escalate", "dispatch", "reassign", "hand_back",
                "rate_unsatisfied", "widen")


def upgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_at', dispatch.store.db.UtcDateTime(timezone=True),
                                      nullable=True))
    starts = ", ".join(f"'{a}'" for a in CLOCK_STARTS)
    op.execute(f"""
        UPDATE ticket_events SET clock_at = (
            SELECT started.at FROM ticket_events AS started WHERE started.id = (
                SELECT max(prior.id) FROM ticket_events AS prior
                WHERE prior.ticket_id = ticket_events.ticket_id
                  AND prior.id < ticket_events.id AND prior.action IN ({starts})))
        WHERE action IN ('claim', 'done')""")


def downgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_column('clock_at')
