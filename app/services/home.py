"""What each role's home page shows at a glance: counters for everyone; for the Kepala Biro and
the Kabag each active cycle's progress against its plan; for a liaison its unit's next deadline.

Counters come from a registry (register_counter(name, fn)) so that modules this one does not
know (complaints) add theirs; a counter not registered reads "belum tersedia", not 0.
A counter is `fn(session, user, now) -> int | None`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, CycleStatus, SlaStatus, WorkItem, WorkItemStatus
from app.services import evaluation

CounterFn = Callable[[Session, object, dt.datetime], "int | None"]

# name -> (label, fn or None, link endpoint or None), in the order the page shows them
_COUNTERS: dict[str, tuple[str, CounterFn | None, str | None]] = {}


def register_counter(name: str, label: str, fn: CounterFn | None,
                     endpoint: str | None = None) -> None:
    _COUNTERS[name] = (label, fn, endpoint)


@dataclass(frozen=True)
class Counter:
    name: str
    label: str
    value: int | None  # None: the source is not available yet
    endpoint: str | None


def counters(session: Session, user, now: dt.datetime, tasks=None) -> list[Counter]:
    """`tasks` (cycles.my_tasks) is passed in when the page already has it."""
    out = []
    for name, (label, fn, endpoint) in _COUNTERS.items():
        if name in ("my_tasks", "overdue", "at_risk") and tasks is not None:
            value = _from_tasks(name, tasks)
        else:
            value = fn(session, user, now) if fn else None
        out.append(Counter(name, label, value, endpoint))
    return out


def _from_tasks(name: str, tasks) -> int:
    if name == "my_tasks":
        return len(tasks.all)
    return tasks.counts[SlaStatus.OVERDUE if name == "overdue" else SlaStatus.AT_RISK]


def _my_tasks_count(name: str) -> CounterFn:
    def count(session, user, now):
        from app.services import cycles

        return _from_tasks(name, cycles.my_tasks(session, user, now))

    return count


register_counter("my_tasks", "Tugas saya", _my_tasks_count("my_tasks"), "TasksView.index")
register_counter("overdue", "Terlambat", _my_tasks_count("overdue"), "TasksView.index")
register_counter("at_risk", "Berisiko", _my_tasks_count("at_risk"), "TasksView.index")
register_counter("complaints_open", "Pengaduan terbuka", None)
register_counter("evaluations_due", "Evaluasi menunggu Anda",
                 lambda session, user, now: evaluation.due_for(session, user),
                 "EvaluationView.list")


@dataclass(frozen=True)
class CycleProgress:
    cycle_id: int
    code: str
    title: str
    steps: int
    done: int
    planned_done: int  # steps the plan had finished by now
    planned_end: dt.datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.steps) if self.steps else 0

    @property
    def planned_percent(self) -> int:
        return round(100 * self.planned_done / self.steps) if self.steps else 0

    @property
    def behind(self) -> int:
        """Steps behind the plan (0 when on or ahead of it)."""
        return max(0, self.planned_done - self.done)


def cycle_progress(session: Session, now: dt.datetime) -> list[CycleProgress]:
    """Each active cycle: top-level steps done against the steps the plan had done by now.
    One grouped query, whatever the number of cycles."""
    naive_now = now.astimezone(dt.UTC).replace(tzinfo=None)
    rows = session.execute(
        select(Cycle.id, Cycle.code, Cycle.title, Cycle.planned_end, func.count(WorkItem.id),
               func.sum(case((WorkItem.status == WorkItemStatus.DONE, 1), else_=0)),
               func.sum(case((WorkItem.planned_due <= naive_now, 1), else_=0)))
        .join(WorkItem, (WorkItem.cycle_id == Cycle.id) & WorkItem.parent_id.is_(None))
        .where(Cycle.status == CycleStatus.ACTIVE)
        .group_by(Cycle.id, Cycle.code, Cycle.title, Cycle.planned_end)
        .order_by(Cycle.started_at.desc(), Cycle.id)).all()
    return [CycleProgress(cid, code, title, int(steps), int(done or 0), int(planned or 0),
                          end.replace(tzinfo=dt.UTC) if end else None)
            for cid, code, title, end, steps, done, planned in rows]


@dataclass(frozen=True)
class Deadline:
    cycle_id: int
    cycle_code: str
    title: str
    due: dt.datetime


def next_deadline(session: Session, unit_id: int, now: dt.datetime) -> Deadline | None:
    """The unit's nearest due among its open shares (app.services.portal's unit home)."""
    from app.services import portal

    page = portal.unit_home(session, unit_id, now)
    if page is None:
        return None
    dues = [Deadline(c.cycle_id, c.code, share.title, share.due)
            for c in page.cycles for share in c.shares
            if share.due is not None and share.completed_at is None]
    return min(dues, key=lambda d: d.due, default=None)
