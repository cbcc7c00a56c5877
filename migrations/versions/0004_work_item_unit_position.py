"""A unit's work items in the API's list order (org_unit_id, position, id)

A liaison's REST work-item list is its unit's items in position order. With only the
(position, id) index PostgreSQL walked the whole order and dropped the other units' rows:
60,000 rows read, 46 ms, for the first 20 of Sekretariat Presiden's 1,001 items in the bench
data (bench/README.md, "Seventh step"). This index starts at the unit.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_item_unit_position", "work_item",
                    ["org_unit_id", "position", "id"])


def downgrade() -> None:
    op.drop_index("ix_work_item_unit_position", table_name="work_item")
