"""The SLA scan (cron: `flask iku sla-scan`): mark items at risk or overdue, remind people.

Idempotent and safe to run on several machines at once (see scan_sla).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.cycles import (
    OPEN_STATUSES,
    Cycle,
    CycleStatus,
    Reminder,
    ReminderKind,
    SlaStatus,
    WorkItem,
)
from app.services.calendar import load_schedule
from app.services.cycles.flow import from_db, to_db
from app.services.cycles.people import Directory
from app.services.cycles.sla import item_sla
from app.services.mail import notices as mail_notices
from app.services.working_time import Schedule

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class ScanResult:
    checked: int
    overdue_marked: int
    at_risk_marked: int
    reminders_created: int


def scan_sla(session: Session, now: dt.datetime | None = None, *,
             schedule: Schedule | None = None) -> ScanResult:
    """Mark items at risk/overdue and remind the assignee and their superior; idempotent.

    Markers are written with plain UPDATEs that leave version_id alone: the scan must never
    make a user's concurrent action fail as a conflict. Reminders are inserted with ON CONFLICT
    DO NOTHING on (item, user, kind), so concurrent scans on several machines remind once.
    Each cycle is locked like a user action locks it (cycle row first, then its items), so a
    scan and an action never deadlock; a cycle busy with an action (or another scan) right now
    is skipped (SKIP LOCKED) and picked up by the next run."""
    now = now if now is not None else dt.datetime.now(dt.UTC)
    schedule = schedule or load_schedule(session)
    cycle_ids = session.scalars(
        select(Cycle.id).where(Cycle.status == CycleStatus.ACTIVE).order_by(Cycle.id)
        .with_for_update(skip_locked=True)
    ).all()
    items = session.scalars(
        select(WorkItem).where(WorkItem.cycle_id.in_(cycle_ids),
                               WorkItem.status.in_(OPEN_STATUSES))
    ).all()
    directory = Directory(session)
    marks: dict[tuple[str, bool], list[int]] = {}
    wanted: set[tuple[int, int, int, str]] = set()
    for item in items:
        status = item_sla(item, now, schedule).status
        for column, applies in (("overdue_at", status == SlaStatus.OVERDUE),
                                ("at_risk_at", status in (SlaStatus.AT_RISK, SlaStatus.OVERDUE))):
            if applies != (getattr(item, column) is not None):
                marks.setdefault((column, applies), []).append(item.id)
        if item.is_leaf and status in (SlaStatus.AT_RISK, SlaStatus.OVERDUE):
            kind = ReminderKind.OVERDUE if status == SlaStatus.OVERDUE else ReminderKind.AT_RISK
            for user_id in _recipients(directory, item):
                wanted.add((item.cycle_id, item.id, user_id, kind.value))
    for (column, applies), ids in marks.items():
        session.execute(update(WorkItem.__table__).where(WorkItem.__table__.c.id.in_(ids))
                        .values({column: to_db(now) if applies else None}))
    existing = set(session.execute(
        select(Reminder.item_id, Reminder.user_id, Reminder.kind)
        .join(WorkItem, WorkItem.id == Reminder.item_id)
        .where(WorkItem.status.in_(OPEN_STATUSES))
    ).tuples())
    rows = [{"cycle_id": c, "item_id": i, "user_id": u, "kind": k, "created_at": to_db(now)}
            for c, i, u, k in sorted(wanted) if (i, u, k) not in existing]
    if rows:
        insert = _INSERT[session.get_bind().dialect.name](Reminder.__table__)
        session.execute(insert.values(rows).on_conflict_do_nothing(
            index_elements=["item_id", "user_id", "kind"]))
        mail_notices.reminders(session, [(r["item_id"], r["user_id"], r["kind"]) for r in rows],
                               items)
    session.commit()
    count = lambda column: len(marks.get((column, True), []))  # noqa: E731
    return ScanResult(len(items), count("overdue_at"), count("at_risk_at"), len(rows))


def _recipients(directory: Directory, item: WorkItem) -> list[int]:
    """The assignee and their superior; with nobody assigned (or a unit's liaison, who has no
    superior in the bureau) the head of the item's Bagian, who has to see to it."""
    assignee = directory.person(item.assignee_user_id)
    boss = directory.superior(assignee) if assignee else None
    if boss is None:
        boss = directory.head_of(item.section_id)
    ids = [p.user_id for p in (assignee, boss) if p is not None]
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class ReminderRow:
    id: int
    kind: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    item_id: int
    item_code: str
    item_title: str
    cycle_code: str
    due_at: dt.datetime | None


def my_reminders(session: Session, user, *, unread_only: bool = True) -> list[ReminderRow]:
    """The user's reminders, newest first, in one query (item and cycle joined)."""
    query = (select(Reminder, WorkItem, Cycle)
             .join(WorkItem, WorkItem.id == Reminder.item_id)
             .join(Cycle, Cycle.id == Reminder.cycle_id)
             .where(Reminder.user_id == user.id)
             .order_by(Reminder.created_at.desc(), Reminder.id.desc()))
    if unread_only:
        query = query.where(Reminder.read_at.is_(None))
    return [ReminderRow(r.id, r.kind, from_db(r.created_at), from_db(r.read_at), i.id, i.code,
                        i.title, c.code, from_db(i.due_at))
            for r, i, c in session.execute(query)]


def mark_reminders_read(session: Session, user, reminder_ids=None,
                        now: dt.datetime | None = None) -> int:
    """Mark the user's own reminders read (all unread ones when no ids are given); commits."""
    now = now if now is not None else dt.datetime.now(dt.UTC)
    statement = (update(Reminder.__table__)
                 .where(Reminder.__table__.c.user_id == user.id,
                        Reminder.__table__.c.read_at.is_(None))
                 .values(read_at=to_db(now)))
    if reminder_ids is not None:
        statement = statement.where(Reminder.__table__.c.id.in_(list(reminder_ids)))
    count = session.execute(statement).rowcount
    session.commit()
    return count
