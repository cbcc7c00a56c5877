"""Cycles: one run of a service standard (e.g. "IKU 2027"), its work items and their history.

A cycle copies the procedure of the standard version in force when it starts into a tree of
WorkItems (steps, sub-steps, sessions, per-Bagian and per-unit parts) and keeps that version for
good: a standard revised mid-cycle changes later cycles only.

Datetimes are stored naive, in UTC (plain DateTime), on every backend. SQLite silently drops a
tzinfo and PostgreSQL's timestamptz comes back in the connection's zone, so naive UTC is the one
representation both round-trip unchanged; the engine converts at its edges (services hand out
aware datetimes only) and working-time arithmetic happens in the schedule's zone.
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
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.org import IkuUser, OrgUnit, Section
from app.models.standards import ServiceStandard


class CycleStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Cycle(Model):
    """One run of a service standard for a period, e.g. IKU-2027, started for a reason.

    `reason` is a code from the standard's own list (requirements.user.proposal_reasons: periodic,
    organisation change, change of goals, leadership direction) rather than a Python enum: the
    list is part of the standard, and another standard brings its own. `standard_id` is the
    version in force at the start, kept for the life of the cycle. `planned_end` is fixed at the
    start (every item taking exactly its time standard); the forecast is computed live.
    `lead_section` is the Bagian that logs on behalf of outside actors when no chain says
    otherwise: the first Bagian of the standard that serves one of the units concerned.
    """

    __tablename__ = "cycle"
    # A table that grows every year: list filters find a cycle by typing its code or title
    # instead of a select box of every cycle (app.views.scaled_view.ScaledViewMixin).
    search_text = ("code", "title")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(50))
    reason_note: Mapped[str | None] = mapped_column(Text)
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standard.id"), index=True)
    standard: Mapped[ServiceStandard] = relationship()
    status: Mapped[str] = mapped_column(String(20), default=CycleStatus.ACTIVE, index=True)
    lead_section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    lead_section: Mapped[Section | None] = relationship()
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    started_by: Mapped[IkuUser | None] = relationship()
    planned_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    units: Mapped[list[CycleUnit]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CycleUnit.id"
    )

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


class CycleUnit(Model):
    """A unit concerned by a cycle, with the Bagian that served it when the cycle started.

    The Bagian is copied because units move between Bagian (reorganisations): the routing of a
    running cycle must not change under its feet when an admin moves a unit.
    """

    __tablename__ = "cycle_unit"
    __table_args__ = (UniqueConstraint("cycle_id", "org_unit_id", name="uq_cycle_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[Cycle] = relationship(back_populates="units")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    org_unit: Mapped[OrgUnit] = relationship()
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    section: Mapped[Section | None] = relationship()


class WorkItemKind(StrEnum):
    STEP = "step"
    SUBSTEP = "substep"
    SESSION = "session"  # one repetition of a step printed "2 kali @ 2 hari"
    BAGIAN = "bagian"  # the share of one serving Bagian when both serve the units concerned
    UNIT = "unit"  # the share of one unit concerned (a step done by the units themselves)
    # the share of one discussion group (app.models.discussions), added under the discussing
    # sub-step when the groups are defined: not a SESSION (a repetition of a whole step, named
    # "sesi n") but, like BAGIAN and UNIT, a share done side by side by its own people
    GROUP = "group"


class WorkItemStatus(StrEnum):
    WAITING = "waiting"
    READY = "ready"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    DONE = "done"


OPEN_STATUSES = (WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS, WorkItemStatus.PAUSED)


class SlaStatus(StrEnum):
    """Computed, never stored: where an item (or a cycle) stands against its time standard at a
    given moment (see app.services.cycles.sla)."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    NO_DEADLINE = "no_deadline"


class WorkItem(Model):
    """One node of a cycle's procedure tree: a step, a sub-step, a session, or the share of one
    Bagian or one unit. Leaves are what people act on; a parent's status derives from its
    children (done when all are). Children run one after another (the review chain), or side
    by side when `parallel`.

    Planning: `planned_start`/`planned_due` are fixed when the cycle starts. Actual clock:
    `ready_at` (handed over), `clock_start`/`allowed_minutes`/`due_at` from the item's own time
    standard or, for an item without one, copied from the nearest ancestor that has one (a
    sub-step without its own time shares its step's due). `clock_paused_at` is set while the
    clock is stopped; `paused_minutes` sums the working minutes it was stopped, already added to
    `due_at`. `at_risk_at`/`overdue_at` are marked by the SLA scan. `version_id` is the
    optimistic lock: two people acting on the same item cannot both win.
    `substep_time_policy` (on items with children, copied from the standard's step) says what
    governs when the children's own times exceed the item's: `fit_to_step`, the item's time
    (children's dues shrunk proportionally to fit), or `extend_step`, the children's.

    Routing: `actor_code`/`actor_kind` of the actor who acts (the first printed), everyone
    printed in `participants`, `section` (Bagian), `org_unit` (for a unit's share), `assignee`.
    `on_behalf_of` names the outside actor (Deputi, Menteri, a team) whose act bureau staff
    record.
    """

    __tablename__ = "work_item"
    # the step's plan, read by the engine and the item's page: a list decoding these three
    # JSON values for each row spent most of its reading on them (app.views.datamodel)
    list_unloaded = ("relative_deadline", "documents", "participants")
    __table_args__ = (
        UniqueConstraint("cycle_id", "code", name="uq_work_item_code"),
        Index("ix_work_item_cycle_position", "cycle_id", "position"),
        Index("ix_work_item_assignee_status", "assignee_user_id", "status"),
        Index("ix_work_item_status_due", "status", "due_at"),
        Index("ix_work_item_unit_status", "org_unit_id", "status"),
        # the API's list order (FAB adds the pk): without it, a sort of every item
        Index("ix_work_item_position", "position", "id"),
        # the same order within a unit: a liaison's list (migration 0004)
        Index("ix_work_item_unit_position", "org_unit_id", "position", "id"),
        # a step's number is its rank among its cycle's steps (naming.load_family counts
        # them for each item it names): the steps alone, not every item of the cycle
        Index("ix_work_item_step", "cycle_id", "position",
              postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    cycle: Mapped[Cycle] = relationship()
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), index=True
    )
    parent: Mapped[WorkItem | None] = relationship(remote_side="WorkItem.id")
    position: Mapped[int] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(120))
    step_code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    parallel: Mapped[bool] = mapped_column(Boolean, default=False)
    substep_time_policy: Mapped[str | None] = mapped_column(String(20))
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True)

    actor_code: Mapped[str | None] = mapped_column(String(50))
    actor_kind: Mapped[str | None] = mapped_column(String(20))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    on_behalf_of: Mapped[str | None] = mapped_column(String(300))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    section: Mapped[Section | None] = relationship()
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    org_unit: Mapped[OrgUnit | None] = relationship()
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    assignee: Mapped[IkuUser | None] = relationship(foreign_keys=[assignee_user_id])

    duration_value: Mapped[int | None] = mapped_column(Integer)
    duration_unit: Mapped[str | None] = mapped_column(String(10))
    time_text: Mapped[str | None] = mapped_column(String(60))
    relative_deadline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)

    planned_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    planned_due: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ready_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    clock_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    allowed_minutes: Mapped[float | None] = mapped_column(Float)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    clock_paused_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paused_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    completed_by: Mapped[IkuUser | None] = relationship(foreign_keys=[completed_by_id])
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default=WorkItemStatus.WAITING)
    version_id: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class WorkEventAction(StrEnum):
    START = "start"
    COMPLETE = "complete"
    RETURN = "return"
    PAUSE = "pause"
    RESUME = "resume"
    REASSIGN = "reassign"
    CYCLE_START = "cycle_start"
    CYCLE_COMPLETE = "cycle_complete"
    CYCLE_CANCEL = "cycle_cancel"
    GROUPS = "groups"  # discussion groups defined or changed (app.services.discussions)
    DISCUSSION = "discussion"  # a group's session recorded: attendance, minutes, decisions


class WorkEvent(Model):
    """What happened, immutably: who did what to which item, when, with which note.

    `on_behalf_of` names the outside actor (Deputi, Menteri, Biro Tata Usaha, a unit) whose act
    a bureau user recorded. An attachment's bytes live on disk under
    instance/attachments/<sha256>; the event keeps the original name, the path and the hash, so
    the file can be verified later. `details` holds what the action changed (reassigned from/to,
    items reopened by a return). Rows are never updated or deleted (enforced below).

    `org_unit_id` is the item's unit, copied when the event is written (an item's unit is set
    when its cycle is built and never changes): a liaison reads its unit's events, and with the
    unit on the event that is one index range (ix_work_event_unit_time), not a look-up of each
    event's item across the whole history (bench/README.md, "Eighth step").
    """

    __tablename__ = "work_event"
    list_unloaded = ("details",)  # shown on an event's own page, not in a list
    __table_args__ = (
        Index("ix_work_event_cycle_time", "cycle_id", "occurred_at"),
        # the history list's and the API's order, newest first (FAB adds the pk): without it,
        # a sort of the whole log at every page
        Index("ix_work_event_time", "occurred_at", "id"),
        Index("ix_work_event_unit_time", "org_unit_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[WorkItem | None] = relationship()
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    org_unit: Mapped[OrgUnit | None] = relationship()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    user: Mapped[IkuUser | None] = relationship()
    on_behalf_of: Mapped[str | None] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_path: Mapped[str | None] = mapped_column(String(300))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)


class WorkEventImmutableError(ValueError):
    """Code tried to change or delete a recorded event."""


@event.listens_for(WorkEvent, "before_update")
@event.listens_for(WorkEvent, "before_delete")
def _refuse_change(_mapper, _connection, target: WorkEvent) -> None:
    raise WorkEventImmutableError("Riwayat pekerjaan tidak dapat diubah atau dihapus.")


class ReminderKind(StrEnum):
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


class Reminder(Model):
    """A nudge to one person about one item that is at risk or overdue, created by the SLA scan.

    Unique per (item, user, kind), so the scan can run every few minutes from cron on several
    machines and still remind each person once per item and kind.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id", "kind", name="uq_reminder_item_user_kind"),
        Index("ix_reminder_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    item: Mapped[WorkItem] = relationship()
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    user: Mapped[IkuUser] = relationship()
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
