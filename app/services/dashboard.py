"""The bottleneck dashboard of the Kepala Biro and the Kabag, as plain figures.

Per step of the standard: p50 and p90 of the actual working time of completed steps across
cycles against the step's time standard, and the on-time rate; the on-time rate per pelaksana;
complaints per month (from a registered series, see register_series); the survey grade per
cycle. Every chart on the page is drawn from one of these tables, and the same tables are
what the XLSX export writes.

Working time is computed per completed step (not per leaf): at ~15 steps a cycle, 1,000
cycles cost ~13,000 working-time spans (~0.45 s). A completed step never changes, so its span
is remembered per process (keyed by the item and its completion), and a recomputation only
spans the steps completed since; the tables themselves are kept for
IKU_DASHBOARD_CACHE_SECONDS (they move slowly: a step completes a few times a day).
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models.cycles import WorkItem, WorkItemStatus
from app.models.org import IkuUser, Pelaksana
from app.services import survey
from app.services.calendar import load_schedule
from app.services.cycles.flow import from_db
from app.services.working_time import Schedule, working_minutes_between


@dataclass(frozen=True)
class Table:
    """One chart's data: a title, column headings, rows (first column the label)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    kind: str = "bar"  # bar | line
    available: bool = True


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100): a value that really occurred."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def actual_minutes(clock_start: dt.datetime, completed: dt.datetime, paused: float,
                   schedule: Schedule) -> float:
    """Working minutes the step took, its pauses left out."""
    return max(0.0, working_minutes_between(clock_start, completed, schedule) - (paused or 0))


_SPANS: dict[tuple[int, dt.datetime], float] = {}


def _span(item_id: int, start, done, paused, schedule: Schedule) -> float:
    key = (item_id, done)
    if key not in _SPANS:
        _SPANS[key] = actual_minutes(from_db(start), from_db(done), paused, schedule)
    return _SPANS[key]


def step_times(session: Session, schedule: Schedule) -> Table:
    rows = session.execute(
        select(WorkItem.id, WorkItem.step_code, WorkItem.label, WorkItem.clock_start,
               WorkItem.completed_at, WorkItem.due_at, WorkItem.allowed_minutes,
               WorkItem.paused_minutes)
        .where(WorkItem.parent_id.is_(None), WorkItem.status == WorkItemStatus.DONE,
               WorkItem.clock_start.is_not(None), WorkItem.completed_at.is_not(None))).all()
    by_step: dict[str, dict] = {}
    for item_id, code, label, start, done, due, allowed, paused in rows:
        entry = by_step.setdefault(code, {"label": label, "spans": [], "allowed": [],
                                          "on_time": 0, "timed": 0})
        entry["spans"].append(_span(item_id, start, done, paused, schedule))
        if allowed:
            entry["allowed"].append(allowed)
        if due is not None:
            entry["timed"] += 1
            entry["on_time"] += done <= due
    out = []
    for code in sorted(by_step, key=_step_key):
        entry = by_step[code]
        standard = statistics.median(entry["allowed"]) if entry["allowed"] else None
        rate = round(100 * entry["on_time"] / entry["timed"], 1) if entry["timed"] else None
        out.append([entry["label"] or code, len(entry["spans"]),
                    _hours(percentile(entry["spans"], 50)), _hours(percentile(entry["spans"], 90)),
                    _hours(standard), rate])
    return Table("steps", "Waktu kerja per langkah (jam kerja)",
                 ["Langkah", "Jumlah", "p50", "p90", "Standar waktu", "Tepat waktu (%)"], out)


def on_time_per_person(session: Session) -> Table:
    timed = WorkItem.due_at.is_not(None)
    on_time = case((timed & (WorkItem.completed_at <= WorkItem.due_at), 1), else_=0)
    rows = session.execute(
        select(Pelaksana.name, func.count(WorkItem.id), func.sum(case((timed, 1), else_=0)),
               func.sum(on_time))
        .join(IkuUser, IkuUser.id == WorkItem.completed_by_id)
        .join(Pelaksana, Pelaksana.id == IkuUser.pelaksana_id)
        .where(WorkItem.is_leaf.is_(True), WorkItem.status == WorkItemStatus.DONE)
        .group_by(Pelaksana.id, Pelaksana.name).order_by(Pelaksana.name)).all()
    return Table("people", "Ketepatan waktu per pelaksana",
                 ["Pelaksana", "Selesai", "Bertenggat", "Tepat waktu (%)"],
                 [[name, int(done), int(timed or 0),
                   round(100 * int(ok or 0) / int(timed), 1) if timed else None]
                  for name, done, timed, ok in rows])


SeriesFn = Callable[[Session], list[tuple[str, int]]]
_SERIES: dict[str, SeriesFn | None] = {"complaints_per_month": None}


def register_series(name: str, fn: SeriesFn | None) -> None:
    """complaints_per_month: fn(session) -> [("2026-01", 4), ...], oldest month first."""
    _SERIES[name] = fn
    clear_cache()


def complaints_per_month(session: Session) -> Table:
    fn = _SERIES.get("complaints_per_month")
    rows = [[month, count] for month, count in fn(session)] if fn else []
    return Table("complaints", "Pengaduan per bulan", ["Bulan", "Pengaduan"], rows,
                 kind="line", available=fn is not None)


def survey_per_cycle(session: Session) -> Table:
    rows = [[r.cycle_code, r.index, r.grade, r.responses, r.units]
            for r in survey.results(session)]
    return Table("survey", "Indeks kepuasan (SKM) per siklus",
                 ["Siklus", "Indeks", "Mutu", "Responden", "Unit"], rows, kind="line")


def tables(session: Session, schedule: Schedule | None = None) -> list[Table]:
    schedule = schedule or load_schedule(session)
    return [step_times(session, schedule), on_time_per_person(session),
            complaints_per_month(session), survey_per_cycle(session)]


_cache: dict[str, tuple[float, list[Table]]] = {}
_lock = threading.Lock()


def cached_tables(session: Session, max_age: float) -> list[Table]:
    """The tables, recomputed at most every `max_age` seconds per process (0: always)."""
    bind = session.get_bind()
    key = str(getattr(bind, "engine", bind).url)
    with _lock:
        hit = _cache.get(key)
        if hit and max_age > 0 and time.monotonic() - hit[0] < max_age:
            return hit[1]
    result = tables(session)
    with _lock:
        _cache[key] = (time.monotonic(), result)
    return result


def clear_cache() -> None:
    """Tables and spans (a schedule change alters every span: call it then too)."""
    with _lock:
        _cache.clear()
        _SPANS.clear()


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 1)


def _step_key(code: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p)
            for p in code.replace("-", ".").split(".")]


@dataclass(frozen=True)
class DoneRow:
    cycle_id: int
    cycle_code: str
    item_id: int
    title: str
    completed_at: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class DoneWork:
    on_time: int
    late: int
    latest_late: list[DoneRow]


def done_work(session: Session, filters: dict, limit: int = 10) -> DoneWork:
    """The SLA board's done side: actionable items of the active cycles completed by their due
    (or without one) and after it, under the board's own filters; the latest late ones."""
    from app.models.cycles import Cycle, CycleStatus

    active = list(session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.ACTIVE)))
    where = [WorkItem.cycle_id.in_(active), WorkItem.status == WorkItemStatus.DONE,
             WorkItem.parent_id.is_(None) if filters.get("steps") else WorkItem.is_leaf]
    for key in ("cycle_id", "section_id", "assignee_user_id", "org_unit_id"):
        if filters.get(key) is not None:
            where.append(getattr(WorkItem, key) == filters[key])
    late = WorkItem.due_at.is_not(None) & (WorkItem.completed_at > WorkItem.due_at)
    counts = session.execute(
        select(func.count(), func.sum(case((late, 1), else_=0)))
        .select_from(WorkItem).where(*where)).one()
    rows = session.execute(
        select(Cycle.id, Cycle.code, WorkItem.id, WorkItem.title, WorkItem.completed_at,
               WorkItem.due_at)
        .join(Cycle, Cycle.id == WorkItem.cycle_id).where(*where, late)
        .order_by(WorkItem.completed_at.desc()).limit(limit)).all()
    total, late_count = int(counts[0] or 0), int(counts[1] or 0)
    return DoneWork(total - late_count, late_count,
                    [DoneRow(cid, code, iid, title, from_db(done), from_db(due))
                     for cid, code, iid, title, done, due in rows])
