"""Change proposals (usulan perubahan IKU): a unit asks the bureau to (re)draft its IKU.

Seed C.2: every satuan organisasi/satuan kerja may propose drafting its IKU when its
organisation changes, when its goals or targets change, or at its leadership's direction.
The reasons are the standard's own data (requirements.user.proposal_reasons), not a Python
enum: `reason` holds the code, `standard` the standard version whose list it was chosen from,
so the reason keeps its wording after the standard is revised.

A liaison submits the proposal for its own unit (bureau staff may record one a unit sent on
paper, on its behalf), with a description, the IKU it concerns if any, and a supporting file
(the unit head's memorandum, a new organisation chart). The file's bytes are stored
content-addressed under instance/attachments/<sha256>, as cycle attachments are; the row keeps
its original name, path, hash and size. The Kepala Biro or a Kabag accepts or rejects it
(a rejection says why); the unit may withdraw it while it waits. An accepted proposal can later
name the cycle it led to. Times are naive UTC, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle
from app.models.iku import Indicator
from app.models.org import IkuUser, OrgUnit
from app.models.standards import ServiceStandard


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


change_proposal_indicator = Table(
    "change_proposal_indicator",
    Model.metadata,
    Column("proposal_id", ForeignKey("change_proposal.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
)


class ChangeProposal(Model):
    """One unit's proposal to change its IKU for a period, and the bureau's decision on it."""

    __tablename__ = "change_proposal"
    __audited__ = AuditSpec(unit="org_unit_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standard.id"))
    standard: Mapped[ServiceStandard] = relationship()
    reason: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=change_proposal_indicator, order_by="Indicator.code")
    attachment_name: Mapped[str] = mapped_column(String(255))
    attachment_path: Mapped[str] = mapped_column(String(300))
    attachment_sha256: Mapped[str] = mapped_column(String(64))
    attachment_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.SUBMITTED, index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    submitted_by: Mapped[IkuUser | None] = relationship(foreign_keys=[submitted_by_id])
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    decided_by: Mapped[IkuUser | None] = relationship(foreign_keys=[decided_by_id])
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    cycle: Mapped[Cycle | None] = relationship()

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def reason_text(self) -> str:
        """The reason as the standard version it was chosen from words it."""
        reasons = ((self.standard.content if self.standard else {}) or {}).get(
            "requirements", {}).get("user", {}).get("proposal_reasons", [])
        return next((r["text"] for r in reasons if r.get("code") == self.reason), self.reason)

    def __str__(self) -> str:
        unit = self.org_unit.name if self.org_unit else ""
        return f"{unit} {self.period}: {self.reason_text}".strip()
