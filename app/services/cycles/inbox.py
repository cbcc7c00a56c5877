"""What the cycle pages need beyond the engine's public API: one item in detail, the people
an item may be given to, a person's reminders with their SLA, the SLA board's choices.

Read-only, each read a fixed number of queries: marking reminders read is the engine's
(app.services.cycles.mark_reminders_read), which stays the only place that writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models.cycles import (
    OPEN_STATUSES,
    Cycle,
    CycleStatus,
    Reminder,
    WorkEvent,
    WorkItem,
)
from app.models.org import IkuUser, OrgUnit, Section, SectionKind
from app.services.calendar import load_schedule
from app.services.cycles import rules
from app.services.cycles.errors import WorkItemNotFoundError
from app.services.cycles.flow import Tree
from app.services.cycles.naming import FAMILY_COLUMNS, Family, ItemRef, load_family
from app.services.cycles.people import Directory, user_name
from app.services.cycles.queries import EventRow, local_time
from app.services.cycles.sla import Sla, item_sla
from app.services.working_time import Schedule


@dataclass(frozen=True)
class ItemDetail:
    """One work item as its page shows it: routing, clock, SLA, and its own history."""

    id: int
    version: int
    cycle_id: int
    cycle_code: str
    cycle_title: str
    cycle_active: bool
    code: str
    label: str
    title: str
    kind: str
    status: str
    is_leaf: bool
    path: list[tuple[ItemRef, str]]  # (name, title) of the ancestors, step first
    actor_name: str | None
    on_behalf_of: str | None
    participants: list[str]
    section: str | None
    org_unit_id: int | None
    org_unit: str | None
    assignee_id: int | None
    assignee: str | None
    time_text: str | None
    documents: list[str]
    planned_due: dt.datetime | None
    ready_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by: str | None
    paused_minutes: float
    sla: Sla
    events: list[EventRow]
    ref: ItemRef | None = None  # how a reader names it: "Langkah 6 — Sekretariat Presiden"
    can_send_back: bool = False  # something earlier in its chain to return to


def item_detail(session: Session, item_id: int, now: dt.datetime | None = None, *,
                schedule: Schedule | None = None) -> ItemDetail:
    now = now or dt.datetime.now(dt.UTC)
    schedule = schedule or load_schedule(session)
    item = session.scalars(
        select(WorkItem).where(WorkItem.id == item_id).options(
            joinedload(WorkItem.cycle), joinedload(WorkItem.section),
            joinedload(WorkItem.org_unit), joinedload(WorkItem.assignee),
            joinedload(WorkItem.completed_by))
    ).unique().one_or_none()
    if item is None:
        raise WorkItemNotFoundError("Butir pekerjaan tidak ditemukan.")
    rows = session.execute(
        select(*FAMILY_COLUMNS, WorkItem.code, WorkItem.title, WorkItem.parallel)
        .where(WorkItem.cycle_id == item.cycle_id)).all()
    family = {row.id: row for row in rows}
    names = Family(rows)
    path, parent = [], item.parent_id
    while parent is not None and parent in family:
        path.insert(0, (names.ref(parent), family[parent].title))
        parent = family[parent].parent_id
    events = session.scalars(
        select(WorkEvent).where(WorkEvent.item_id == item.id)
        .options(joinedload(WorkEvent.user)).order_by(WorkEvent.occurred_at, WorkEvent.id)
    ).unique().all()
    return ItemDetail(
        item.id, item.version_id, item.cycle_id, item.cycle.code, item.cycle.title,
        item.cycle.status == CycleStatus.ACTIVE, item.code, item.label, item.title, item.kind,
        item.status, item.is_leaf, path, item.actor_name, item.on_behalf_of,
        list(getattr(item, "participants", None) or []),
        item.section.name if item.section else None, item.org_unit_id,
        item.org_unit.name if item.org_unit else None, item.assignee_user_id,
        user_name(item.assignee), item.time_text, list(item.documents or []),
        *(local_time(getattr(item, f), schedule)
          for f in ("planned_due", "ready_at", "started_at", "completed_at")),
        user_name(item.completed_by), item.paused_minutes or 0.0,
        item_sla(item, now, schedule),
        [EventRow(e.id, local_time(e.occurred_at, schedule), e.action, user_name(e.user),
                  e.on_behalf_of, item.code, item.label, e.note, e.attachment_name,
                  e.attachment_sha256, e.details, names.ref(item.id)) for e in events],
        names.ref(item.id), rules.can_send_back(Tree(rows), family[item.id]),
    )


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    where: str | None  # the section, or the unit a liaison acts for


def eligible_assignees(session: Session, item_id: int) -> list[Candidate]:
    """Who the reassign form offers: the unit's liaisons for a unit's share, and the active
    pelaksana on the item's section line (everyone for an item of the Biro itself). The engine
    still decides (check_target); this only keeps the obvious non-candidates off the list."""
    item = session.get(WorkItem, item_id)
    if item is None:
        raise WorkItemNotFoundError("Butir pekerjaan tidak ditemukan.")
    directory = Directory(session)
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).tuples().all())
    found = []
    for person in directory.people.values():
        if person.user_id == item.assignee_user_id or not person.active:
            continue
        if item.org_unit_id is not None and person.is_liaison \
                and person.org_unit_id == item.org_unit_id:
            found.append((0, 0, Candidate(person.user_id, person.name,
                                          units.get(person.org_unit_id))))
        elif person.is_bureau and directory.same_line(person.section_id, item.section_id):
            found.append((1, person.level or 99, Candidate(
                person.user_id, person.name, directory.section_name(person.section_id))))
    return [c for *_, c in sorted(found, key=lambda t: (t[0], t[1], t[2].name))]


@dataclass(frozen=True)
class ReminderRow:
    id: int
    kind: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    item_id: int
    item_code: str
    item_label: str
    item_title: str
    item_status: str
    cycle_id: int
    cycle_code: str
    sla: Sla
    item_ref: ItemRef | None = None


def reminders_for(session: Session, user, now: dt.datetime | None = None, *,
                  schedule: Schedule | None = None) -> list[ReminderRow]:
    """The user's reminders, unread first, newest first within each group."""
    now = now or dt.datetime.now(dt.UTC)
    schedule = schedule or load_schedule(session)
    rows = session.scalars(
        select(Reminder).where(Reminder.user_id == user.id)
        .options(joinedload(Reminder.item).joinedload(WorkItem.cycle))
        .order_by(Reminder.read_at.is_not(None), Reminder.created_at.desc(), Reminder.id.desc())
    ).unique().all()
    names = load_family(session, [r.item for r in rows])
    return [ReminderRow(r.id, r.kind, local_time(r.created_at, schedule),
                        local_time(r.read_at, schedule), r.item_id, r.item.code, r.item.label,
                        r.item.title, r.item.status, r.cycle_id, r.item.cycle.code,
                        item_sla(r.item, now, schedule), names.ref(r.item_id)) for r in rows]


def unread_reminder_count(session: Session, user) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count(Reminder.id)).where(
        Reminder.user_id == user.id, Reminder.read_at.is_(None))) or 0


@dataclass(frozen=True)
class BoardChoices:
    cycles: list[tuple[int, str]]
    sections: list[tuple[int, str]]
    assignees: list[tuple[int, str]]
    units: list[tuple[int, str]]


def board_choices(session: Session) -> BoardChoices:
    """The filter choices of the SLA board: what the open items of active cycles refer to."""
    open_items = (select(WorkItem).join(Cycle, Cycle.id == WorkItem.cycle_id)
                  .where(Cycle.status == CycleStatus.ACTIVE,
                         WorkItem.status.in_(OPEN_STATUSES)).subquery())
    cycles = session.execute(select(Cycle.id, Cycle.code).where(
        Cycle.status == CycleStatus.ACTIVE).order_by(Cycle.code)).tuples().all()
    sections = session.execute(select(Section.id, Section.name).where(
        Section.kind == SectionKind.BAGIAN).order_by(Section.code)).tuples().all()
    users = session.scalars(select(IkuUser).where(
        IkuUser.id.in_(select(open_items.c.assignee_user_id)))).all()
    units = session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_(select(open_items.c.org_unit_id))).order_by(OrgUnit.sort_order,
                                                                   OrgUnit.name)).tuples().all()
    people = sorted(((u.id, user_name(u)) for u in users), key=lambda pair: pair[1] or "")
    return BoardChoices([tuple(r) for r in cycles], [tuple(r) for r in sections], people,
                        [tuple(r) for r in units])


def unit_ids_for_codes(session: Session, codes: list[str]) -> list[int]:
    """Unit codes (as an API client knows them) to ids; an unknown code is refused."""
    from app.services.cycles.errors import CycleUnitsEmptyError

    found = dict(session.execute(select(OrgUnit.code, OrgUnit.id).where(
        OrgUnit.code.in_(codes))).tuples().all())
    missing = [code for code in codes if code not in found]
    if missing:
        raise CycleUnitsEmptyError(f"Unit tidak dikenal: {', '.join(missing)}.")
    return [found[code] for code in codes]
