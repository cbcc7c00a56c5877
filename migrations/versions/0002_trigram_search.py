"""Text search served by trigram indexes on PostgreSQL (pg_trgm)

Hand-written, not generated: the list filters' "Contains" is `col ILIKE '%term%'`, which no
B-tree can serve; a GIN index with gin_trgm_ops can, so a selective term over a million work
events reads a few pages instead of the table. PostgreSQL only: on SQLite the same filter
stays a scan, correct and fine at a single office's size. The indexes live here and not in
the models (a model cannot say "PostgreSQL only" to autogenerate); migrations/env.py and
tests/test_migrations.py leave every index named `trgm_*` out of the comparison
(app.models.search.include_object).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column): what people type into the list filters of the tables that grow
COLUMNS = [
    ("work_event", "note"), ("work_event", "on_behalf_of"),
    ("work_item", "code"), ("work_item", "title"),
    ("cycle", "code"), ("cycle", "title"),
    ("audit_entry", "actor"), ("audit_entry", "entity_id"),
    ("outbound_mail", "subject"), ("outbound_mail", "recipient_label"),
    ("document", "number"), ("document", "title"),
    ("complaint", "subject"), ("complaint", "ticket"),
    ("ab_user", "username"), ("ab_user", "first_name"), ("ab_user", "last_name"),
    ("pelaksana", "name"), ("pelaksana", "nip"),
    ("indicator", "code"), ("indicator", "name"),
]


def _name(table: str, column: str) -> str:
    return f"trgm_{table}_{column}"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        op.execute(f'CREATE INDEX IF NOT EXISTS {_name(table, column)} ON "{table}" '
                   f'USING gin ("{column}" gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {_name(table, column)}")
