"""deadline kept and a move's source on the event: a quarter's figures without trail look-ups

按时接单率 / 按时办结率 asked, for every claim and done of the period, whether it missed the
deadline in force when it was made; the deadline was not on the event, so each one was judged
from the ticket's current deadline and three look-ups along its trail (6.4 s of a city's
quarter at 5,000,000 tickets). 升级 / 吹哨 are counted at the unit a move LEFT, which the move
did not name either: one more look-up per move, and a district could not narrow its scan.

The claim and the done now carry `late`, the escalation and the whistle `from_unit_id`, both
written with the row. This fills them in for the rows written before, by the definitions the
figures used until now (docs/statistics.md): a claim (done) is late when nothing restarted
its clock since and it came after the ticket's claim (resolve) deadline, or, when the clock
was restarted since, when an `overdue` event lies between the clock's last start and it; a
move's source is the unit of the ticket's latest arrival before it. On PostgreSQL the period
indexes carry the new columns (INCLUDE), so the statements stay index-only.

Revision ID: 0015_event_late_source
Revises: 0014_covering_events
Create Date: 2026-12-07 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_event_late_source'
down_revision = '0014_covering_events'
branch_labels = None
depends_on = None

ARRIVALS = ("create", "whistle", "escalate", "dispatch", "reassign")
CLAIM_CLOCK = ("whistle", "escalate", "dispatch", "reassign", "hand_back", "rate_unsatisfied",
               "widen")
COVERED = {
    'ix_ticket_events_action_at': (
        ['action', 'at'],
        ['unit_id', 'ticket_id', 'id', 'actor_id', 'clock_at'],
        ['unit_id', 'ticket_id', 'id', 'actor_id', 'clock_at', 'late', 'from_unit_id']),
    'ix_ticket_events_unit_action_at': (
        ['unit_id', 'action', 'at'],
        ['ticket_id', 'id', 'actor_id', 'clock_at'],
        ['ticket_id', 'id', 'actor_id', 'clock_at', 'late']),
}


def _in(actions: tuple[str, ...]) -> str:
    return ", ".join(f"'{a}'" for a in actions)


def _late(due: str, clock: tuple[str, ...]) -> str:
    """The claim's (done's) lateness as the trail and the ticket's deadline tell it."""
    return f"""CASE
        WHEN (SELECT t.{due} FROM tickets AS t WHERE t.id = ticket_events.ticket_id) IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM ticket_events AS c
                         WHERE c.ticket_id = ticket_events.ticket_id
                           AND c.id > ticket_events.id AND c.action IN ({_in(clock)}))
        THEN ticket_events.at > (SELECT t.{due} FROM tickets AS t
                                 WHERE t.id = ticket_events.ticket_id)
        ELSE EXISTS (SELECT 1 FROM ticket_events AS o
                     WHERE o.ticket_id = ticket_events.ticket_id AND o.action = 'overdue'
                       AND o.id < ticket_events.id
                       AND o.id > COALESCE((SELECT max(c.id) FROM ticket_events AS c
                                            WHERE c.ticket_id = ticket_events.ticket_id
                                              AND c.id < ticket_events.id
                                              AND c.action IN ({_in(clock)})), 0))
        END"""


def upgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('from_unit_id', sa.Integer(), nullable=True))
    # One pass: each row written once (on PostgreSQL every updated row is a new version).
    op.execute(f"""
        UPDATE ticket_events SET
          late = CASE action WHEN 'claim' THEN {_late('claim_due_at', CLAIM_CLOCK)}
                             WHEN 'done' THEN {_late('resolve_due_at', ('claim',))} END,
          from_unit_id = CASE WHEN action IN ('escalate', 'whistle') THEN (
              SELECT prev.unit_id FROM ticket_events AS prev WHERE prev.id = (
                  SELECT max(last.id) FROM ticket_events AS last
                  WHERE last.ticket_id = ticket_events.ticket_id
                    AND last.id < ticket_events.id AND last.action IN ({_in(ARRIVALS)}))) END
        WHERE action IN ('claim', 'done', 'escalate', 'whistle')""")
    _cover(new=True)


def _cover(*, new: bool) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, (columns, before, after) in COVERED.items():
        op.drop_index(name, table_name='ticket_events')
        op.create_index(name, 'ticket_events', columns,
                        postgresql_include=after if new else before)


def downgrade() -> None:
    _cover(new=False)
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_column('from_unit_id')
        batch_op.drop_column('late')
