"""desk: one-time sign-in links, browser sessions and the audit log of the web desk

Revision ID: desk
Revises: 0004
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import dispatch.store.db

revision = 'desk'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('desk_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                            name=op.f('fk_desk_tokens_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_desk_tokens_token_hash'))
    )
    with op.batch_alter_table('desk_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_tokens_person_id'), ['person_id'], unique=False)

    op.create_table('desk_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', dispatch.store.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                            name=op.f('fk_desk_sessions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_sessions')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_desk_sessions_session_hash'))
    )
    with op.batch_alter_table('desk_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_sessions_person_id'), ['person_id'],
                              unique=False)

    op.create_table('desk_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('at', dispatch.store.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                            name=op.f('fk_desk_audit_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'],
                            name=op.f('fk_desk_audit_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_audit'))
    )
    with op.batch_alter_table('desk_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_audit_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_audit_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_table('desk_audit')
    op.drop_table('desk_sessions')
    op.drop_table('desk_tokens')
