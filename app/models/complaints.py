"""Complaints, grievances and suggestions about the service (seed H).

A complaint (pengaduan), grievance (keluhan) or suggestion (masukan) goes to the receiver the
standard names (`complaints.routing`: the Kepala Biro), who verifies it and delegates it to a
Kabag, or rejects it as outside the bureau's authority, or archives it; the Kabag assigns staff,
a response is drafted, approved and sent, and the complaint is closed. The complainant may reopen
it within the standard's `reopen_within`. `standard` is the version whose routing and time
limits govern it, so a later edit of the YAML does not change a complaint already running.

Clock: two stages with their own time standard (verify, follow_up), counted on working time like
a cycle's items. `*_due_at`/`*_allowed_minutes` are fixed when the stage starts; a pause
(`clock_paused_at`, `pause_reason`: waiting for the complainant) stops the running stage's
clock, and its working minutes are added to that stage's due on resume (`paused_minutes` sums
them). Times are naive UTC, as in app.models.cycles.

Identity: `complainant_name`/`complainant_contact` are shown in lists, exports and the API only
through `complainant_listed`/`contact_listed`, which say "dirahasiakan" for a confidential
complaint; only the show page reveals them, to the receiver and the delegated Kabag, and logs it
(app.services.complaints.identity). The audit trail records that they changed, never the value.

The secret code handed to the complainant with the ticket number is kept as a hash only.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    event,
    literal,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle, WorkItem
from app.models.org import IkuUser, OrgUnit, Pelaksana, Section
from app.models.standards import ServiceStandard

HIDDEN = "dirahasiakan"


class ComplaintKind(StrEnum):
    PENGADUAN = "pengaduan"
    KELUHAN = "keluhan"
    MASUKAN = "masukan"


class ComplaintChannel(StrEnum):
    PORTAL = "portal"  # filed by the unit's liaison in the application
    TELEPON = "telepon"
    SURAT = "surat"
    EMAIL = "email"
    LANGSUNG = "langsung"  # in person at the service desk


class ComplaintStatus(StrEnum):
    RECEIVED = "received"  # with the receiver, to verify
    DELEGATED = "delegated"  # verified, with a Kabag, no staff assigned yet
    IN_PROGRESS = "in_progress"  # staff assigned, following up
    AWAITING_APPROVAL = "awaiting_approval"  # response drafted, awaiting the Kabag's approval
    CLOSED = "closed"  # response sent
    REJECTED = "rejected"  # not the bureau's authority
    ARCHIVED = "archived"


OPEN_COMPLAINT_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.DELEGATED,
                           ComplaintStatus.IN_PROGRESS, ComplaintStatus.AWAITING_APPROVAL)
FINAL_COMPLAINT_STATUSES = (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED,
                            ComplaintStatus.ARCHIVED)


class Complaint(Model):
    """One complaint, grievance or suggestion and where it stands."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_status_received", "status", "received_at"),
        Index("ix_complaint_received", "received_at", "id"),
    )
    __audited__ = AuditSpec(unit="org_unit_id", exclude=frozenset({"secret_hash"}),
                            masked=frozenset({"complainant_name", "complainant_contact",
                                              "complainant_email"}))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(30), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standard.id"))
    standard: Mapped[ServiceStandard] = relationship()
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id", ondelete="SET NULL"))
    cycle: Mapped[Cycle | None] = relationship()
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="SET NULL"))
    work_item: Mapped[WorkItem | None] = relationship()
    pelaksana_id: Mapped[int | None] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    pelaksana: Mapped[Pelaksana | None] = relationship()

    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_contact: Mapped[str | None] = mapped_column(String(200))
    complainant_email: Mapped[str | None] = mapped_column(String(200))

    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    filed_by: Mapped[IkuUser | None] = relationship(foreign_keys=[filed_by_id])
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default=ComplaintStatus.RECEIVED)
    reason: Mapped[str | None] = mapped_column(Text)  # why rejected or archived

    verify_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verify_allowed_minutes: Mapped[float | None] = mapped_column(Float)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    verified_by: Mapped[IkuUser | None] = relationship(foreign_keys=[verified_by_id])
    delegated_to_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    delegated_to: Mapped[IkuUser | None] = relationship(foreign_keys=[delegated_to_id])
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    section: Mapped[Section | None] = relationship()
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    handler: Mapped[IkuUser | None] = relationship(foreign_keys=[handler_id])

    follow_up_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    follow_up_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    follow_up_allowed_minutes: Mapped[float | None] = mapped_column(Float)
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    responded_by: Mapped[IkuUser | None] = relationship(foreign_keys=[responded_by_id])
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopen_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    clock_paused_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    version_id: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES

    @property
    def stage(self) -> str | None:
        """The stage whose clock runs: verify while received, follow_up until answered."""
        if self.status == ComplaintStatus.RECEIVED:
            return "verify"
        return "follow_up" if self.is_open else None

    @hybrid_property
    def complainant_listed(self) -> str:
        """The complainant as every list, export and API shows it. Also an SQL expression,
        so that a REST list selects it as a column (app/views/select_plan.py)."""
        return HIDDEN if self.confidential else self.complainant_name

    @complainant_listed.inplace.expression
    @classmethod
    def _complainant_listed(cls):
        return case((cls.confidential.is_(True), literal(HIDDEN)), else_=cls.complainant_name)

    @hybrid_property
    def contact_listed(self) -> str | None:
        return HIDDEN if self.confidential else self.complainant_contact

    @contact_listed.inplace.expression
    @classmethod
    def _contact_listed(cls):
        return case((cls.confidential.is_(True), literal(HIDDEN)), else_=cls.complainant_contact)

    def __str__(self) -> str:
        return f"{self.ticket} {self.subject}"


class ComplaintEventAction(StrEnum):
    FILE = "file"
    VERIFY = "verify"
    REJECT = "reject"
    ARCHIVE = "archive"
    ASSIGN = "assign"
    DRAFT = "draft"
    RETURN = "return"  # the Kabag sends a draft back to the staff
    SEND = "send"
    REOPEN = "reopen"
    PAUSE = "pause"
    RESUME = "resume"
    COMMENT = "comment"
    REMIND = "remind"


class ComplaintEvent(Model):
    """What happened to a complaint, immutably: who did what, when, with which note. `details`
    holds what the action changed (delegated to, assigned to, the stage a reminder was for).
    `public` marks what the complainant sees on the status page (never an internal comment)."""

    __tablename__ = "complaint_event"
    __table_args__ = (Index("ix_complaint_event_complaint_time", "complaint_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    complaint: Mapped[Complaint] = relationship()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user: Mapped[IkuUser | None] = relationship()
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ComplaintEventImmutableError(ValueError):
    """Code tried to change or delete a recorded complaint event."""


@event.listens_for(ComplaintEvent, "before_update")
@event.listens_for(ComplaintEvent, "before_delete")
def _refuse_change(_mapper, _connection, target: ComplaintEvent) -> None:
    raise ComplaintEventImmutableError("Riwayat pengaduan tidak dapat diubah atau dihapus.")
