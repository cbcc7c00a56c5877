"""What the pages read: Tugas saya, the SLA board, a cycle's overview.

Each function issues a fixed number of queries whatever the number of cycles, items or events
(eager loads, no per-row lazy loads; SLA is computed in Python from columns already loaded),
on indexed columns: assignee+status, status+due_at, cycle+position, org_unit+status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models.cycles import (
    OPEN_STATUSES,
    Cycle,
    CycleStatus,
    CycleUnit,
    SlaStatus,
    WorkEvent,
    WorkItem,
)
from app.models.org import IkuUser
from app.services.calendar import load_schedule
from app.services.cycles.flow import Tree, from_db
from app.services.cycles.naming import Family, ItemRef, load_family
from app.services.cycles.people import user_name
from app.services.cycles.sla import (
    OPEN_ORDER,
    Sla,
    cycle_sla,
    forecast,
    group_by_sla,
    item_sla,
)
from app.services.working_time import Schedule


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def local_time(value: dt.datetime | None, schedule: Schedule) -> dt.datetime | None:
    return from_db(value).astimezone(schedule.zone) if value is not None else None


@dataclass(frozen=True)
class TaskRow:
    """One open item as a list shows it."""

    item_id: int
    version: int
    cycle_id: int
    cycle_code: str
    code: str
    step_code: str
    label: str
    title: str
    kind: str
    status: str
    actor_name: str | None
    on_behalf_of: str | None
    section: str | None
    org_unit: str | None
    assignee_id: int | None
    assignee: str | None
    ready_at: dt.datetime | None
    sla: Sla
    ref: ItemRef | None = None  # how a reader names it (never `code`)

    @property
    def due_at(self) -> dt.datetime | None:
        return self.sla.due_at


def _rows(session: Session, items, now: dt.datetime, schedule: Schedule) -> list[TaskRow]:
    family = load_family(session, items)
    return [_row(item, now, schedule, family.ref(item.id)) for item in items]


def _row(item: WorkItem, now: dt.datetime, schedule: Schedule, ref=None) -> TaskRow:
    return TaskRow(
        item.id, item.version_id, item.cycle_id, item.cycle.code, item.code, item.step_code,
        item.label, item.title, item.kind, item.status, item.actor_name, item.on_behalf_of,
        item.section.name if item.section else None,
        item.org_unit.name if item.org_unit else None, item.assignee_user_id,
        user_name(item.assignee), local_time(item.ready_at, schedule),
        item_sla(item, now, schedule), ref,
    )


def _open_items():
    return (
        select(WorkItem).join(Cycle, Cycle.id == WorkItem.cycle_id)
        .where(Cycle.status == CycleStatus.ACTIVE, WorkItem.status.in_(OPEN_STATUSES))
        .options(joinedload(WorkItem.cycle), joinedload(WorkItem.section),
                 joinedload(WorkItem.org_unit), joinedload(WorkItem.assignee))
        .order_by(WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.cycle_id,
                  WorkItem.position)
    )


@dataclass(frozen=True)
class MyTasks:
    """The user's open items under the heading of the SLA status each one shows (see
    group_by_sla): overdue, at risk, on track, without a deadline."""

    groups: dict[SlaStatus, list[TaskRow]]

    @property
    def overdue(self) -> list[TaskRow]:
        return self.groups[SlaStatus.OVERDUE]

    @property
    def at_risk(self) -> list[TaskRow]:
        return self.groups[SlaStatus.AT_RISK]

    @property
    def all(self) -> list[TaskRow]:
        return [row for rows in self.groups.values() for row in rows]

    @property
    def counts(self) -> dict[SlaStatus, int]:
        return {status: len(rows) for status, rows in self.groups.items()}


def my_tasks(session: Session, user, now: dt.datetime | None = None, *,
             schedule: Schedule | None = None) -> MyTasks:
    """The user's open items, most urgent first: assigned to them, and for a unit's liaison
    every share of their unit."""
    now, schedule = _now(now), schedule or load_schedule(session)
    mine = WorkItem.assignee_user_id == user.id
    if getattr(user, "org_unit_id", None) is not None:
        mine = or_(mine, WorkItem.org_unit_id == user.org_unit_id)
    items = session.scalars(_open_items().where(WorkItem.is_leaf, mine)).unique().all()
    return MyTasks(group_by_sla(_rows(session, items, now, schedule)))


@dataclass(frozen=True)
class SlaBoard:
    """`groups`: the rows shown under each status (at most `shown` each when the board was
    asked for a first part); `counts`: every open item each status holds."""

    groups: dict[SlaStatus, list[TaskRow]]
    counts: dict[SlaStatus, int]


BOARD_ORDER = OPEN_ORDER


def sla_board(session: Session, now: dt.datetime | None = None, filters: dict | None = None, *,
              schedule: Schedule | None = None, shown: int | None = None) -> SlaBoard:
    """Every open item of the active cycles, grouped by SLA status. Filters: cycle_id,
    section_id, assignee_user_id, org_unit_id, status (SLA statuses), steps (True: the steps
    instead of the actionable items). `shown`: only the first (most urgent) rows of each
    status, the counts still of all: a thousand active cycles hold ~10,000 open items."""
    now, schedule, filters = _now(now), schedule or load_schedule(session), filters or {}
    query = _open_items()
    if filters.get("steps"):
        query = query.where(WorkItem.parent_id.is_(None))
    else:
        query = query.where(WorkItem.is_leaf)
    for key in ("cycle_id", "section_id", "assignee_user_id", "org_unit_id"):
        if filters.get(key) is not None:
            query = query.where(getattr(WorkItem, key) == filters[key])
    wanted = {SlaStatus(s) for s in filters.get("status") or BOARD_ORDER}
    items = {item.id: item for item in session.scalars(query).unique()}
    groups = group_by_sla([_row(item, now, schedule) for item in items.values()],
                          [s for s in BOARD_ORDER if s in wanted])
    counts = {status: len(rows) for status, rows in groups.items()}
    if shown is not None:
        groups = {status: rows[:shown] for status, rows in groups.items()}
    # named after the cut: an item's name needs its step's family, loaded for shown rows only
    family = load_family(session, [items[r.item_id] for rows in groups.values() for r in rows])
    groups = {status: [replace(row, ref=family.ref(row.item_id)) for row in rows]
              for status, rows in groups.items()}
    return SlaBoard(groups, counts)


@dataclass
class NodeView:
    """An item of a cycle's tree with its plan, its actuals, its forecast and its SLA."""

    id: int
    version: int
    code: str
    label: str
    title: str
    kind: str
    status: str
    depth: int
    parallel: bool
    actor_name: str | None
    on_behalf_of: str | None
    section: str | None
    org_unit: str | None
    assignee: str | None
    time_text: str | None
    planned_start: dt.datetime | None
    planned_due: dt.datetime | None
    ready_at: dt.datetime | None
    due_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by: str | None
    forecast_end: dt.datetime | None
    paused_minutes: float
    sla: Sla
    children: list[NodeView] = field(default_factory=list)
    ref: ItemRef | None = None


@dataclass(frozen=True)
class EventRow:
    id: int
    occurred_at: dt.datetime
    action: str
    user: str | None
    on_behalf_of: str | None
    item_code: str | None
    item_label: str | None
    note: str | None
    attachment_name: str | None
    attachment_sha256: str | None
    details: dict | None
    item_ref: ItemRef | None = None


@dataclass(frozen=True)
class CycleOverview:
    id: int
    code: str
    title: str
    period: str
    reason: str
    reason_text: str | None
    status: str
    standard_code: str
    standard_version: int
    started_at: dt.datetime
    started_by: str | None
    planned_end: dt.datetime | None
    forecast_end: dt.datetime | None
    completed_at: dt.datetime | None
    sla: Sla
    units: list[tuple[str, str, str | None]]
    steps: list[NodeView]
    events: list[EventRow]
    warnings: list[str]
    standard_title: str | None = None
    events_total: int | None = None  # all the cycle's events, when `events` holds the latest


def cycle_overview(session: Session, cycle_id: int, now: dt.datetime | None = None, *,
                   schedule: Schedule | None = None,
                   latest_events: int | None = None) -> CycleOverview:
    """Steps with planned vs actual, forecast and SLA; the event log (only its latest
    `latest_events`, in order, when given: a page links to the full history instead of
    rendering a thousand rows); the engine's doubts."""
    from app.services.cycles.errors import CycleNotFoundError

    now, schedule = _now(now), schedule or load_schedule(session)
    cycle = session.scalars(
        select(Cycle).where(Cycle.id == cycle_id).options(
            joinedload(Cycle.standard), joinedload(Cycle.started_by),
            selectinload(Cycle.units).options(joinedload(CycleUnit.org_unit),
                                              joinedload(CycleUnit.section)))
    ).unique().one_or_none()
    if cycle is None:
        raise CycleNotFoundError("Siklus tidak ditemukan.")
    items = session.scalars(
        select(WorkItem).where(WorkItem.cycle_id == cycle_id).options(
            joinedload(WorkItem.section), joinedload(WorkItem.org_unit),
            joinedload(WorkItem.assignee), joinedload(WorkItem.completed_by))
    ).unique().all()
    tree = Tree(list(items))
    family = Family(tree.items)
    started = from_db(cycle.started_at)
    if cycle.cancelled_at is not None:  # time stopped for a cancelled cycle
        now = min(now, from_db(cycle.cancelled_at))
    active = cycle.status == CycleStatus.ACTIVE
    planner = forecast(tree, schedule, started, now) if active else None
    views = {}
    for item in tree.items:
        planned = planner.get(item) if planner else None
        views[item.id] = NodeView(
            item.id, item.version_id, item.code, item.label, item.title, item.kind,
            item.status, item.depth, item.parallel, item.actor_name, item.on_behalf_of,
            item.section.name if item.section else None,
            item.org_unit.name if item.org_unit else None, user_name(item.assignee),
            item.time_text, *(local_time(getattr(item, f), schedule) for f in (
                "planned_start", "planned_due", "ready_at", "due_at", "started_at",
                "completed_at")),
            user_name(item.completed_by),
            planned.end.astimezone(schedule.zone) if planned else local_time(item.completed_at,
                                                                         schedule),
            item.paused_minutes or 0.0, item_sla(item, now, schedule),
            ref=family.ref(item.id),
        )
        if item.parent_id is not None:
            views[item.parent_id].children.append(views[item.id])
    forecast_end = (planner.get(tree.steps[-1]).end if planner and tree.steps
                    else from_db(cycle.completed_at))
    # Plain rows, not entities: a cycle gathers a thousand events or more, and an ORM object
    # (and its joined user) per event made this function 31 ms instead of 17 at 1,500 events.
    query = (select(*EVENT_COLUMNS, IkuUser.first_name, IkuUser.last_name, IkuUser.username)
             .outerjoin(IkuUser, IkuUser.id == WorkEvent.user_id)
             .where(WorkEvent.cycle_id == cycle_id))
    events_total = None
    if latest_events is None:
        events = session.execute(query.order_by(WorkEvent.occurred_at, WorkEvent.id)).all()
    else:
        events = session.execute(query.order_by(WorkEvent.occurred_at.desc(), WorkEvent.id.desc())
                                 .limit(latest_events)).all()[::-1]
        events_total = session.scalar(select(func.count(WorkEvent.id))
                                      .where(WorkEvent.cycle_id == cycle_id))
    names: dict[int | None, str | None] = {None: None}
    reasons = {r["code"]: r["text"] for r in cycle.standard.content.get("requirements", {})
               .get("user", {}).get("proposal_reasons", [])}
    done_at = from_db(cycle.completed_at)
    return CycleOverview(
        cycle.id, cycle.code, cycle.title, cycle.period, cycle.reason,
        reasons.get(cycle.reason), cycle.status, cycle.standard.code, cycle.standard.version,
        started.astimezone(schedule.zone), user_name(cycle.started_by),
        local_time(cycle.planned_end, schedule),
        forecast_end.astimezone(schedule.zone) if forecast_end else None,
        local_time(cycle.completed_at, schedule),
        cycle_sla(from_db(cycle.planned_end), forecast_end, started, done_at, now, schedule),
        [(u.org_unit.code, u.org_unit.name, u.section.name if u.section else None)
         for u in cycle.units],
        [views[s.id] for s in tree.steps],
        [_event_row(e, tree, schedule, names, family) for e in events],
        _warnings(tree, family),
        cycle.standard.title,
        events_total,
    )


EVENT_COLUMNS = (WorkEvent.id, WorkEvent.occurred_at, WorkEvent.action, WorkEvent.user_id,
                 WorkEvent.on_behalf_of, WorkEvent.item_id, WorkEvent.note,
                 WorkEvent.attachment_name, WorkEvent.attachment_sha256, WorkEvent.details)


def _event_row(row, tree: Tree, schedule: Schedule, names: dict,
               family: Family | None = None) -> EventRow:
    """`row`: EVENT_COLUMNS and the user's name columns (what user_name reads), unpacked by
    position: a thousand rows on a big cycle's page, and a Row's named access costs more."""
    (event_id, occurred_at, action, user_id, on_behalf_of, item_id, note, attachment_name,
     attachment_sha256, details, *_names) = row
    item = tree.by_id.get(item_id) if item_id else None
    if user_id not in names:
        names[user_id] = user_name(row)
    return EventRow(event_id, local_time(occurred_at, schedule), action, names[user_id],
                    on_behalf_of, item.code if item else None, item.label if item else None,
                    note, attachment_name, attachment_sha256, details,
                    family.ref(item_id) if family and item else None)


def _warnings(tree: Tree, family: Family) -> list[str]:
    """Where the standard contradicts itself or routing found nobody: shown, not hidden, and
    named as a reader names the items ("Langkah 6 — Sekretariat Militer Presiden")."""
    found = []
    for item in tree.items:
        parent = tree.parent(item)
        if (parent is not None and item.planned_due and parent.planned_due
                and item.duration_value is not None and item.planned_due > parent.planned_due):
            found.append(f"{family.name(item.id)}: tenggat rencana melewati tenggat "
                         f"{family.name(parent.id)} (waktu sub-langkah melebihi waktu "
                         "langkahnya).")
        if item.is_leaf and item.assignee_user_id is None and item.status != "done":
            found.append(f"{family.name(item.id)}: belum ada pelaksana yang ditugaskan.")
    return found
