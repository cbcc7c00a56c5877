"""Every change to an account gives it a new random stamp (ab_user.account_stamp)

Hand-written, not generated: triggers. Each worker keeps the account a request acts as (its
row, roles and groups, which every permission check reads) from one request to the next, and
reuses it only while the account's stamp in the database is the one it was loaded with
(app.sessions). The stamp changes here, in the database, whatever path makes the change — the
admin's pages, the CLI, FAB's commands, SQL typed by hand: the account's row, a role or group
given or taken, a role added to or taken from one of its groups, a role or group it holds
renamed. A new random value rather than a counter: a test's rolled-back change, or an account
deleted and its id used again, can never bring back a stamp a worker still holds.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# the accounts a changed row concerns, by table; {row} is NEW or OLD
MEMBERS = {
    "ab_user_role": "SELECT {row}.user_id",
    "ab_user_group": "SELECT {row}.user_id",
    "ab_group_role": "SELECT user_id FROM ab_user_group WHERE group_id = {row}.group_id",
}
RENAMED = {
    "ab_role": "SELECT user_id FROM ab_user_role WHERE role_id = NEW.id UNION "
               "SELECT ug.user_id FROM ab_user_group ug JOIN ab_group_role gr "
               "ON gr.group_id = ug.group_id WHERE gr.role_id = NEW.id",
    "ab_group": "SELECT user_id FROM ab_user_group WHERE group_id = NEW.id",
}

PG_STAMP = "gen_random_uuid()::text"
SQLITE_STAMP = "lower(hex(randomblob(16)))"


def _postgresql() -> list[str]:
    statements = [
        f"""CREATE FUNCTION iku_account_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.account_stamp := {PG_STAMP}; RETURN NEW; END $$""",
        """CREATE TRIGGER iku_account_stamp BEFORE INSERT OR UPDATE ON ab_user
        FOR EACH ROW EXECUTE FUNCTION iku_account_stamp()""",
    ]
    # each UPDATE fires iku_account_stamp on the accounts concerned
    for table, members in MEMBERS.items():
        old, new = members.format(row="OLD"), members.format(row="NEW")
        statements += _pg_trigger(table, "INSERT OR UPDATE OR DELETE", f"""
              IF TG_OP <> 'INSERT' THEN UPDATE ab_user SET account_stamp = NULL WHERE id IN ({old});
              END IF;
              IF TG_OP <> 'DELETE' THEN UPDATE ab_user SET account_stamp = NULL WHERE id IN ({new});
              END IF;""")
    for table, members in RENAMED.items():
        statements += _pg_trigger(
            table, "UPDATE", f"UPDATE ab_user SET account_stamp = NULL WHERE id IN ({members});")
    return statements


def _pg_trigger(table: str, events: str, body: str) -> list[str]:
    return [
        f"""CREATE FUNCTION iku_account_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {body} RETURN NULL; END $$""",
        f"""CREATE TRIGGER iku_account_stamp_{table} AFTER {events} ON {table}
        FOR EACH ROW EXECUTE FUNCTION iku_account_stamp_{table}()""",
    ]


def _sqlite() -> list[str]:
    def restamp(members: str) -> str:
        return f"UPDATE ab_user SET account_stamp = {SQLITE_STAMP} WHERE id IN ({members});"

    statements = [
        f"""CREATE TRIGGER iku_account_stamp_insert AFTER INSERT ON ab_user FOR EACH ROW
        BEGIN {restamp("SELECT NEW.id")} END""",
        # an update that sets a stamp itself is the trigger's own: it does not fire again
        f"""CREATE TRIGGER iku_account_stamp_update AFTER UPDATE ON ab_user FOR EACH ROW
        WHEN NEW.account_stamp IS OLD.account_stamp
        BEGIN {restamp("SELECT NEW.id")} END""",
    ]
    for table, members in MEMBERS.items():
        old, new = members.format(row="OLD"), members.format(row="NEW")
        statements += [
            f"""CREATE TRIGGER iku_account_stamp_{table}_insert AFTER INSERT ON {table}
            FOR EACH ROW BEGIN {restamp(new)} END""",
            f"""CREATE TRIGGER iku_account_stamp_{table}_delete AFTER DELETE ON {table}
            FOR EACH ROW BEGIN {restamp(old)} END""",
            f"""CREATE TRIGGER iku_account_stamp_{table}_update AFTER UPDATE ON {table}
            FOR EACH ROW BEGIN {restamp(old)} {restamp(new)} END""",
        ]
    for table, members in RENAMED.items():
        statements.append(f"""CREATE TRIGGER iku_account_stamp_{table}_update AFTER UPDATE
        ON {table} FOR EACH ROW BEGIN {restamp(members)} END""")
    return statements


def _trigger_names(dialect: str) -> list[tuple[str, str]]:
    """(trigger, table) pairs this migration creates."""
    if dialect == "postgresql":
        return [("iku_account_stamp", "ab_user")] + [
            (f"iku_account_stamp_{table}", table) for table in {**MEMBERS, **RENAMED}]
    names = [("iku_account_stamp_insert", "ab_user"), ("iku_account_stamp_update", "ab_user")]
    for table in MEMBERS:
        names += [(f"iku_account_stamp_{table}_{kind}", table)
                  for kind in ("insert", "delete", "update")]
    return names + [(f"iku_account_stamp_{table}_update", table) for table in RENAMED]


def upgrade():
    op.add_column("ab_user", sa.Column("account_stamp", sa.String(36), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in _postgresql() if dialect == "postgresql" else _sqlite():
        op.execute(statement)
    op.execute("UPDATE ab_user SET account_stamp = NULL")  # the triggers stamp every account


def downgrade():
    dialect = op.get_bind().dialect.name
    for trigger, table in _trigger_names(dialect):
        on = f" ON {table}" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}{on}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS iku_account_stamp()")
        for table in {**MEMBERS, **RENAMED}:
            op.execute(f"DROP FUNCTION IF EXISTS iku_account_stamp_{table}()")
    op.drop_column("ab_user", "account_stamp")
