"""Keeps the working calendar in the database and turns it into a ``Schedule``.

National holidays and cuti bersama come from the ``holidays`` package (Indonesia: category
``public`` for national holidays, ``government`` for cuti bersama) so nobody has to type them in
each year; the admin stays in charge: a synced day the admin deactivated stays deactivated, days
the admin added by hand are never touched, and the office hours are seeded once and then belong to
the admin. Each public function that writes commits once, at its end.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays as holidays_package
from sqlalchemy import Date, Integer, Time, null, select, union_all
from sqlalchemy.orm import Session

from app.models.calendar import Holiday, HolidayCategory, HolidaySource, WorkSchedule
from app.services.working_time import DEFAULT_TZ, Schedule

COUNTRY = "ID"
LANGUAGE = "id"
# Checked in this order: a date that is both a national holiday and a cuti bersama is "public".
PACKAGE_CATEGORIES = (HolidayCategory.PUBLIC, HolidayCategory.GOVERNMENT)


@dataclass(frozen=True)
class HolidaySyncResult:
    """What a sync did, so the CLI and the admin page can report it."""

    added: list[dt.date] = field(default_factory=list)
    kept: int = 0
    # Package rows of the synced years the package no longer lists (e.g. a cuti bersama moved by
    # a new joint decree). Reported, not deleted: an admin decides.
    stale: list[dt.date] = field(default_factory=list)


def _years(years: int | Iterable[int]) -> list[int]:
    return [years] if isinstance(years, int) else sorted(set(years))


def national_holidays(years: int | Iterable[int]) -> list[tuple[dt.date, str, HolidayCategory]]:
    """(date, Indonesian name, category) of every package holiday in ``years``, by date."""
    found: dict[dt.date, tuple[str, HolidayCategory]] = {}
    for category in PACKAGE_CATEGORIES:
        calendar = holidays_package.country_holidays(
            COUNTRY, years=_years(years), categories=(category.value,), language=LANGUAGE
        )
        for day, name in calendar.items():
            found.setdefault(day, (name, category))
    return [(day, name, category) for day, (name, category) in sorted(found.items())]


def sync_holidays(session: Session, years: int | Iterable[int]) -> HolidaySyncResult:
    """Insert the package's holidays of ``years`` whose date has no row yet; change nothing else."""
    wanted = national_holidays(years)
    year_list = _years(years)
    existing = {
        row.date: row
        for row in session.scalars(
            select(Holiday).where(
                Holiday.date >= dt.date(min(year_list), 1, 1),
                Holiday.date <= dt.date(max(year_list), 12, 31),
            )
        )
    }
    added: list[dt.date] = []
    for day, name, category in wanted:
        if day in existing:
            continue
        session.add(
            Holiday(
                date=day,
                name=name,
                category=category.value,
                source=HolidaySource.PACKAGE.value,
                active=True,
            )
        )
        added.append(day)
    listed = {day for day, _, _ in wanted}
    stale = sorted(
        day
        for day, row in existing.items()
        if row.source == HolidaySource.PACKAGE and day.year in year_list and day not in listed
    )
    session.commit()
    return HolidaySyncResult(added=added, kept=len(wanted) - len(added), stale=stale)


def seed_default_schedule(session: Session) -> int:
    """Write the civil-service week if no office hours exist yet; returns the rows inserted.

    Once any row exists the hours are the admin's, so a second call changes nothing."""
    if session.scalar(select(WorkSchedule.id).limit(1)) is not None:
        return 0
    rows = [
        WorkSchedule(weekday=weekday, start_time=start, end_time=end, note="Jam kerja ASN")
        for weekday, spans in Schedule.default().intervals.items()
        for start, end in spans
    ]
    session.add_all(rows)
    session.commit()
    return len(rows)


def load_schedule(session: Session, tz: str = DEFAULT_TZ) -> Schedule:
    """The pure schedule used for due dates: stored hours and the active holidays.

    A database whose hours were never seeded gets the default civil-service week rather than a
    schedule without working time (which would make every due-date computation fail)."""
    found = session.execute(_schedule_statement()).all()
    rows = [(weekday, start, end) for weekday, start, end, _day in found if weekday is not None]
    days = {day for weekday, _start, _end, day in found if weekday is None}
    if not rows:
        return Schedule.default(holidays=days, tz=tz)
    intervals: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in rows:
        intervals.setdefault(weekday, []).append((start, end))
    return Schedule({wd: tuple(spans) for wd, spans in intervals.items()}, tz, frozenset(days))


@functools.cache
def _schedule_statement():
    """The hours and the active holidays in one statement (each page computing an SLA reads
    both: one round trip, not two), built once."""
    hours = select(WorkSchedule.weekday, WorkSchedule.start_time, WorkSchedule.end_time,
                   null().cast(Date).label("day"))
    days = select(null().cast(Integer), null().cast(Time), null().cast(Time), Holiday.date
                  ).where(Holiday.active.is_(True))
    return union_all(hours, days)


def shortest_workday_minutes(schedule: Schedule) -> int:
    """Working minutes of the shortest weekday that has any: what "1 hari" of a time standard is
    surely worth, whichever day it falls on. Days without working time (the weekend) are days
    off, not zero-minute days: counting them made "1 hari" worth 0 minutes."""
    days = [
        sum((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) for start, end in spans)
        for spans in schedule.intervals.values()
        if spans
    ]
    if not days:
        raise ValueError("Jadwal kerja tidak mempunyai hari kerja")
    return min(days)
