"""The holiday list from the `holidays` package, its sync into the database, and the schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from app.models.calendar import Holiday, HolidayCategory, HolidaySource, WorkSchedule
from app.services.calendar import (
    load_schedule,
    national_holidays,
    seed_default_schedule,
    sync_holidays,
)
from app.services.working_time import Schedule, add_duration

CUTI_BERSAMA_2026 = [date(2026, m, d) for m, d in [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24),
                                                   (5, 15), (5, 28), (12, 24)]]  # fmt: skip


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Holiday.metadata.create_all(engine, tables=[WorkSchedule.__table__, Holiday.__table__])
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_national_holidays_2026_categories() -> None:
    found = {day: (name, category) for day, name, category in national_holidays(2026)}
    government = sorted(d for d, (_, c) in found.items() if c == HolidayCategory.GOVERNMENT)
    assert government == CUTI_BERSAMA_2026
    assert found[date(2026, 8, 17)][1] == HolidayCategory.PUBLIC
    assert "Kemerdekaan" in found[date(2026, 8, 17)][0]  # Indonesian names
    assert found[date(2026, 12, 25)] == ("Hari Raya Natal", HolidayCategory.PUBLIC)
    assert found[date(2026, 1, 1)][1] == HolidayCategory.PUBLIC


def test_national_holidays_several_years_sorted() -> None:
    days = [day for day, _, _ in national_holidays([2027, 2026, 2026])]
    assert days == sorted(days) and len(days) == len(set(days))
    assert {d.year for d in days} == {2026, 2027}


def test_sync_is_idempotent(session: Session) -> None:
    first = sync_holidays(session, 2026)
    assert len(first.added) == len(national_holidays(2026)) and first.kept == 0
    count = session.scalar(select(func.count()).select_from(Holiday))
    second = sync_holidays(session, 2026)
    assert second.added == [] and second.kept == len(first.added) and second.stale == []
    assert session.scalar(select(func.count()).select_from(Holiday)) == count
    christmas = session.scalar(select(Holiday).where(Holiday.date == date(2026, 12, 25)))
    assert christmas.source == HolidaySource.PACKAGE and christmas.active
    assert str(christmas) == "25-12-2026 Hari Raya Natal"
    assert "public/holidays package active" in repr(christmas)


def test_sync_respects_admin_choices(session: Session) -> None:
    manual = Holiday(date=date(2026, 12, 24), name="Libur kantor", category="manual", source="admin")
    removed = Holiday(
        date=date(2026, 8, 17),
        name="Hari Kemerdekaan",
        category=HolidayCategory.PUBLIC,
        source=HolidaySource.PACKAGE,
        active=False,
    )
    stale = Holiday(date=date(2026, 7, 1), name="Dipindah", category="government", source="holidays package")
    session.add_all([manual, removed, stale])
    session.commit()
    result = sync_holidays(session, [2026])
    assert date(2026, 12, 24) not in result.added and date(2026, 8, 17) not in result.added
    assert result.stale == [date(2026, 7, 1)]
    session.expire_all()
    assert (manual.name, manual.category, manual.active) == ("Libur kantor", "manual", True)
    assert removed.active is False
    assert str(removed) == "17-08-2026 Hari Kemerdekaan (nonaktif)"
    assert session.get(Holiday, stale.id) is not None  # reported, not deleted


def test_seed_default_schedule_is_idempotent(session: Session) -> None:
    assert seed_default_schedule(session) == 10
    assert seed_default_schedule(session) == 0
    rows = session.scalars(select(WorkSchedule).order_by(WorkSchedule.weekday)).all()
    assert len(rows) == 10 and {r.weekday for r in rows} == {0, 1, 2, 3, 4}
    assert str(rows[-1]) in {"Jumat 07:30-11:30", "Jumat 13:00-16:30"}
    assert load_schedule(session) == Schedule.default()


def test_load_schedule_uses_rows_and_active_holidays(session: Session) -> None:
    seed_default_schedule(session)
    sync_holidays(session, 2026)
    session.add(WorkSchedule(weekday=5, start_time=time(8), end_time=time(12), note="piket"))
    session.scalar(select(Holiday).where(Holiday.date == date(2026, 2, 16))).active = False
    session.commit()
    statements: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_rest: statements.append(statement))
    schedule = load_schedule(session)
    assert len(statements) == 1  # the hours and the holidays in one round trip
    assert schedule.intervals[5] == ((time(8), time(12)),)
    assert schedule.weekly_minutes == 37.5 * 60 + 240
    assert date(2026, 2, 16) not in schedule.holidays
    assert set(CUTI_BERSAMA_2026) - {date(2026, 2, 16)} <= schedule.holidays
    # Friday 13 Feb 10:00 + 1 hari: Saturday now works, Monday 16 Feb was re-opened by the admin.
    assert add_duration(datetime(2026, 2, 13, 10), "1 hari", schedule).date() == date(2026, 2, 14)
    lebaran = add_duration(datetime(2026, 3, 17, 10), "1 hari", schedule)
    assert lebaran.replace(tzinfo=None) == datetime(2026, 3, 25, 10)


def test_load_schedule_falls_back_to_default_hours(session: Session) -> None:
    session.add(Holiday(date=date(2026, 6, 8), name="Libur", category="manual", source="admin"))
    session.commit()
    schedule = load_schedule(session, tz="Asia/Makassar")
    assert schedule.intervals == Schedule.default().intervals
    assert schedule.holidays == {date(2026, 6, 8)} and schedule.tz == "Asia/Makassar"
