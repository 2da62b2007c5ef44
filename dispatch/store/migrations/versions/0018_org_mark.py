"""the organisation's mark: a token every change to the units replaces, kept by a trigger

Every process keeps the units as a snapshot and asks the database before using it whether the
units changed. It asked for an md5 of every row's text: ~1.2 ms of PostgreSQL's CPU a request
with a city's 702 units, on every report a resident writes. A trigger on `units` now writes a
new random token into the one row of `org_marks` in the same transaction as any insert, update,
delete or truncate (the org file loaded by the CLI, the desk, SQL by hand), and the processes
read that one row instead.

SQLite has row triggers only; they do the same for each row. Note for later migrations: a
SQLite batch migration of `units` copies the table and loses its triggers, so such a migration
must create them again (tests/dispatch/test_org_mark.py fails otherwise).

Revision ID: 0018_org_mark
Revises: 0017_unpurged_index
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018_org_mark'
down_revision = '0017_unpurged_index'
branch_labels = None
depends_on = None

_PG = ("""
CREATE FUNCTION org_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO org_marks (id, mark) VALUES (1, CAST(gen_random_uuid() AS text))
    ON CONFLICT (id) DO UPDATE SET mark = EXCLUDED.mark;
    RETURN NULL;
END $$""", """
CREATE TRIGGER units_marked AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION org_marked()
""")
_SQLITE = """
CREATE TRIGGER units_marked_{event} AFTER {event} ON units FOR EACH ROW BEGIN
    INSERT OR REPLACE INTO org_marks (id, mark) VALUES (1, lower(hex(randomblob(16))));
END
"""
_SQLITE_EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        'org_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mark', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG:  # one a call: asyncpg prepares each
            op.execute(statement)
        op.execute("INSERT INTO org_marks (id, mark) VALUES (1, CAST(gen_random_uuid() AS text))")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(_SQLITE.format(event=event))
        op.execute("INSERT INTO org_marks (id, mark) VALUES (1, lower(hex(randomblob(16))))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER units_marked ON units")
        op.execute("DROP FUNCTION org_marked()")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER units_marked_{event}")
    op.drop_table('org_marks')
