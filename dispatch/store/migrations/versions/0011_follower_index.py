"""followers by person: `/my` reads the tickets a person follows

`/my` lists a person's own tickets and the ones they follow (a duplicate report merged into
another makes its reporter a follower). The followed ones were found by `ticket_followers`
`WHERE person_id = ...`, with an index only on `ticket_id`: a scan of every follower row of
the city for each `/my`. `(person_id, ticket_id)` answers it from the index alone.

Revision ID: 0011_followers
Revises: 0010_desk
Create Date: 2026-12-06 16:05:00
"""

from alembic import op

revision = '0011_followers'
down_revision = '0010_desk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_followers', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_followers_person_id', ['person_id', 'ticket_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_followers', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_followers_person_id')
