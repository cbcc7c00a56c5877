"""A unit's final draft of its IKU, approved by its head and sent to the bureau (seed B.6).

Step 6 of the IKU standard is done by the units themselves: each sends the draft its head
approved, at the latest 5 working days after the discussion (step 5). One submission per unit
per cycle; it completes that unit's share of the step (`work_item`, a WorkItem of kind "unit")
in the same transaction. The approval memo's bytes live on disk like any cycle attachment
(instance/attachments/<sha256>); the row keeps its original name, path, hash and size, so the
file can be verified later. A late submission is accepted and marked `late` (completed after
`due_at`, the share's due copied at submission). Times are naive UTC, as in app.models.cycles.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle, WorkItem
from app.models.org import IkuUser, OrgUnit


class FinalSubmission(Model):
    """The final draft of one unit's IKU in one cycle, with its head's approval."""

    __tablename__ = "final_submission"
    __table_args__ = (UniqueConstraint("cycle_id", "org_unit_id", name="uq_final_submission_unit"),)
    __audited__ = AuditSpec(unit="org_unit_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[Cycle] = relationship()
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="SET NULL"))
    work_item: Mapped[WorkItem | None] = relationship()
    approver_name: Mapped[str] = mapped_column(String(200))
    approver_position: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    memo_name: Mapped[str] = mapped_column(String(255))
    memo_path: Mapped[str] = mapped_column(String(300))
    memo_sha256: Mapped[str] = mapped_column(String(64))
    memo_size: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    submitted_by: Mapped[IkuUser | None] = relationship()
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self) -> str:
        unit = self.org_unit.name if self.org_unit else self.org_unit_id
        cycle = self.cycle.code if self.cycle else self.cycle_id
        return f"{cycle} – {unit}"
