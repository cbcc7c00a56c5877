"""The evidence an evaluator sees: what the system itself holds about a pelaksana's year.

Built-in sources read the cycles (items completed, on-time rate, median lateness in working
time). Other modules add theirs with register_source(name, fn) — complaints handled and their
timeliness, supervision records — so this module needs no knowledge of them; a source not
registered is shown as "belum tersedia" rather than as a zero that would look like a fact.

A source is `fn(session, pelaksana_id, year, schedule) -> list[Figure]`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import WorkItem, WorkItemStatus
from app.models.org import IkuUser
from app.services.cycles.flow import from_db
from app.services.working_time import Schedule, working_minutes_between

NOT_AVAILABLE = "belum tersedia"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    link: str | None = None


Source = Callable[[Session, int, int, Schedule], list[Figure]]
# name -> (heading, fn or None). The expected sources are listed even before they exist.
_SOURCES: dict[str, tuple[str, Source | None]] = {
    "work": ("Pekerjaan dalam siklus", None),
    "complaints": ("Pengaduan yang ditangani", None),
    "supervision": ("Catatan pengawasan", None),
}


def register_source(name: str, fn: Source, heading: str | None = None) -> None:
    current = _SOURCES.get(name, (name, None))
    _SOURCES[name] = (heading or current[0], fn)


def unregister_source(name: str) -> None:
    """For tests, and for a module that is switched off."""
    if name in _SOURCES:
        _SOURCES[name] = (_SOURCES[name][0], None)


@dataclass(frozen=True)
class Section:
    name: str
    heading: str
    figures: list[Figure]

    @property
    def available(self) -> bool:
        return bool(self.figures)


def collect(session: Session, pelaksana_id: int, year: int, schedule: Schedule) -> list[Section]:
    sections = []
    for name, (heading, fn) in _SOURCES.items():
        figures = fn(session, pelaksana_id, year, schedule) if fn else []
        sections.append(Section(name, heading, figures))
    return sections


# ---------------------------------------------------------------------------- pure figures
@dataclass(frozen=True)
class WorkFigures:
    completed: int
    on_time: int
    late: int
    median_late_minutes: float | None

    @property
    def on_time_rate(self) -> float | None:
        timed = self.on_time + self.late
        return self.on_time / timed if timed else None


def work_figures(done: list[tuple[dt.datetime, dt.datetime | None]],
                 schedule: Schedule) -> WorkFigures:
    """(completed_at, due_at) pairs, aware -> counts, and the median lateness of the late
    ones in working minutes (a Friday-evening due met on Monday morning is barely late)."""
    lateness = [working_minutes_between(due, completed, schedule)
                for completed, due in done if due is not None and completed > due]
    timed = sum(1 for _completed, due in done if due is not None)
    return WorkFigures(completed=len(done), on_time=timed - len(lateness), late=len(lateness),
                       median_late_minutes=statistics.median(lateness) if lateness else None)


def format_minutes(minutes: float | None, schedule: Schedule | None = None) -> str:
    """Working minutes as "2 hari 3 jam 10 menit" with a working day of 7.5 hours by default."""
    if minutes is None:
        return "–"
    day = 450
    whole = round(minutes)
    days, rest = divmod(whole, day)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} hari" if days else "", f"{hours} jam" if hours else "",
             f"{mins} menit" if mins or not (days or hours) else ""]
    return " ".join(p for p in parts if p)


def _work_source(session: Session, pelaksana_id: int, year: int,
                 schedule: Schedule) -> list[Figure]:
    user_ids = select(IkuUser.id).where(IkuUser.pelaksana_id == pelaksana_id)
    start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    rows = session.execute(select(WorkItem.completed_at, WorkItem.due_at).where(
        WorkItem.completed_by_id.in_(user_ids), WorkItem.status == WorkItemStatus.DONE,
        WorkItem.is_leaf.is_(True),
        WorkItem.completed_at >= start, WorkItem.completed_at < end)).all()
    figures = work_figures([(from_db(c), from_db(d)) for c, d in rows], schedule)
    rate = figures.on_time_rate
    return [
        Figure("Pekerjaan diselesaikan", str(figures.completed)),
        Figure("Tepat waktu", f"{figures.on_time} ({rate:.0%})".replace(".", ",")
               if rate is not None else str(figures.on_time)),
        Figure("Terlambat", str(figures.late)),
        Figure("Median keterlambatan (waktu kerja)", format_minutes(figures.median_late_minutes)),
    ]


register_source("work", _work_source)
