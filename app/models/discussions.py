"""Substance discussion (pembahasan substansi, seed step 5): the units of a cycle in discussion
groups, each group's sessions, who attended, the minutes and a decision per indicator.

Seed 5a: the Kabag has the units split into groups "as needed"; 5b: each group discusses its
units' draft IKU with its members; the step runs "2 kali @ 2 hari", so every group meets once
per repetition of the step. Each group's meeting is a work item of the cycle of its own (kind
`group`, under the session's sub-step b) assigned to the group's lead, so the cycle shows who
answers for which group and the group's lead finds it in Tugas saya (app.services.discussions).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle, WorkItem
from app.models.iku import Indicator
from app.models.org import IkuUser, OrgUnit

discussion_group_member = Table(
    "discussion_group_member", Model.metadata,
    Column("group_id", ForeignKey("discussion_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id"), primary_key=True),
)


class DiscussionGroup(Model):
    """A discussion group of one cycle: the units whose IKU it discusses, the bureau people
    who sit in it (members) and the one who leads it and answers for its sessions (lead).

    `number` orders the groups of a cycle and names their work items (`<b code>.g<number>`);
    it is never reused within the cycle. A unit of the cycle sits in at most one group of the
    cycle: DiscussionGroupUnit carries the cycle and the database refuses a second entry.
    """

    __tablename__ = "discussion_group"
    __table_args__ = (
        UniqueConstraint("cycle_id", "number", name="uq_discussion_group_number"),
        UniqueConstraint("cycle_id", "name", name="uq_discussion_group_name"),
    )
    __audited__ = AuditSpec(exclude=frozenset({"units"}))  # units: see DiscussionGroupUnit

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[Cycle] = relationship()
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    lead_user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), index=True)
    lead: Mapped[IkuUser] = relationship(foreign_keys=[lead_user_id])
    members: Mapped[list[IkuUser]] = relationship(secondary=discussion_group_member,
                                                  order_by="IkuUser.id")
    unit_links: Mapped[list[DiscussionGroupUnit]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="DiscussionGroupUnit.id")
    # read-only view of unit_links, for lists, the API and the unit scope ("units")
    units: Mapped[list[OrgUnit]] = relationship(
        secondary="discussion_group_unit", viewonly=True, order_by="OrgUnit.sort_order")
    sessions: Mapped[list[DiscussionSession]] = relationship(
        back_populates="group", cascade="all, delete-orphan",
        order_by="DiscussionSession.number")

    def __str__(self) -> str:
        return self.name


class DiscussionGroupUnit(Model):
    """A unit of the cycle placed in a group. `cycle_id` repeats the group's cycle so that the
    database itself keeps a unit in one group per cycle."""

    __tablename__ = "discussion_group_unit"
    __table_args__ = (
        UniqueConstraint("cycle_id", "org_unit_id", name="uq_discussion_group_unit"),
    )
    __audited__ = AuditSpec(unit="org_unit_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_group.id", ondelete="CASCADE"), index=True)
    group: Mapped[DiscussionGroup] = relationship(back_populates="unit_links")
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()


class DiscussionSession(Model):
    """One meeting of a group: session `number` of the step's repetitions (1..N as the
    standard prints, "2 kali"), when and where it is held (scheduled_at in naive UTC like every
    stored time), its minutes (text and/or a file stored like the cycle's attachments, by
    SHA-256) and the work item that stands for it in the cycle (the group's share of 5b)."""

    __tablename__ = "discussion_session"
    __table_args__ = (UniqueConstraint("group_id", "number", name="uq_discussion_session"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_group.id", ondelete="CASCADE"), index=True)
    group: Mapped[DiscussionGroup] = relationship(back_populates="sessions")
    number: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_file_name: Mapped[str | None] = mapped_column(String(255))
    minutes_file_path: Mapped[str | None] = mapped_column(String(300))
    minutes_file_sha256: Mapped[str | None] = mapped_column(String(64))
    minutes_file_size: Mapped[int | None] = mapped_column(Integer)
    minutes_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    minutes_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    minutes_by: Mapped[IkuUser | None] = relationship(foreign_keys=[minutes_by_id])
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="SET NULL"), index=True)
    work_item: Mapped[WorkItem | None] = relationship()
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Attendance.id")
    decisions: Mapped[list[DiscussionDecision]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="DiscussionDecision.id")

    @property
    def has_minutes(self) -> bool:
        return bool((self.minutes or "").strip() or self.minutes_file_path)

    def __str__(self) -> str:
        return f"{self.group.name} – sesi {self.number}" if self.group else f"sesi {self.number}"


class Attendance(Model):
    """A person on a session's attendance list: a name as signed, a position or unit, present
    or not; linked to the account or the unit where the person has one (bureau members, a
    unit's liaison), free text for the units' officials who have no account."""

    __tablename__ = "discussion_attendance"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_session.id", ondelete="CASCADE"), index=True)
    session: Mapped[DiscussionSession] = relationship(back_populates="attendance")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user: Mapped[IkuUser | None] = relationship()
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    org_unit: Mapped[OrgUnit | None] = relationship()


class DecisionKind(StrEnum):
    KEPT = "kept"  # the indicator stays as drafted
    CHANGED = "changed"  # it stays, with the change written in `change`
    DROPPED = "dropped"  # it is taken out of the unit's IKU


class DiscussionDecision(Model):
    """What a session decided about one indicator of one of its group's units. A "changed"
    decision says what changes (`change`); the registry itself is edited by the bureau, never
    by the decision (see app.services.discussions)."""

    __tablename__ = "discussion_decision"
    __table_args__ = (
        UniqueConstraint("session_id", "indicator_id", name="uq_discussion_decision"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_session.id", ondelete="CASCADE"), index=True)
    session: Mapped[DiscussionSession] = relationship(back_populates="decisions")
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    indicator: Mapped[Indicator] = relationship()
    decision: Mapped[str] = mapped_column(String(20))
    change: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    recorded_by: Mapped[IkuUser | None] = relationship()
