"""Each work event carries its item's unit (work_event.org_unit_id), indexed with the time

A liaison reads only its unit's events. The unit was the event's item's, so each page of the
event history looked up the items of the newest events until 25 of the unit's were found, and
its capped count did the same for 1,001: 3.6 ms of the server's time per page for Sekretariat
Presiden at a million events, against 0.3 ms with the unit on the event and this index
(bench/README.md, "Eighth step"). An item's unit is set when its cycle is built and never
changes, so the copy cannot go stale; app.services.cycles.action.add_event writes it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_event") as batch:
        batch.add_column(sa.Column("org_unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_work_event_org_unit_id_org_unit", "org_unit",
                                 ["org_unit_id"], ["id"])
    op.execute("UPDATE work_event SET org_unit_id = (SELECT work_item.org_unit_id FROM work_item "
               "WHERE work_item.id = work_event.item_id) WHERE item_id IS NOT NULL")
    op.create_index("ix_work_event_unit_time", "work_event",
                    ["org_unit_id", "occurred_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_work_event_unit_time", table_name="work_event")
    with op.batch_alter_table("work_event") as batch:
        batch.drop_constraint("fk_work_event_org_unit_id_org_unit", type_="foreignkey")
        batch.drop_column("org_unit_id")
