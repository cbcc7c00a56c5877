"""The working calendar: when the bureau works, and which days it does not.

Time standards of a Standar Pelayanan are working time ("jam kerja kedinasan"), so due dates
depend on the office hours and on the list of holidays. Both are data an admin edits; the pure
``app.services.working_time.Schedule`` is built from these rows by
``app.services.calendar.load_schedule``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    SmallInteger,
    String,
    Time,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class HolidayCategory(StrEnum):
    """Why the day is off: a national holiday (``public``), a cuti bersama set yearly by joint
    decree (``government``), or a day an admin added (``manual``, e.g. a local office closure)."""

    PUBLIC = "public"
    GOVERNMENT = "government"
    MANUAL = "manual"


class HolidaySource(StrEnum):
    """Who put the row there, so a sync knows which rows it may create."""

    PACKAGE = "holidays package"
    ADMIN = "admin"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class WorkSchedule(Model):
    """One working interval (jam kerja) of one weekday; a day with a break has two rows.

    A weekday without rows is not a working day. Intervals are local wall-clock times of the
    office's zone (WIB for the ministry in Jakarta)."""

    __tablename__ = "work_schedule"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_work_schedule_weekday"),
        CheckConstraint("start_time < end_time", name="ck_work_schedule_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger, index=True, comment="0 = Senin, 6 = Minggu")
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.weekday] if 0 <= self.weekday <= 6 else str(self.weekday)

    def __str__(self) -> str:
        return f"{self.weekday_name} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def __repr__(self) -> str:
        return f"<WorkSchedule id={self.id} {self}>"


class Holiday(Model):
    """A date that is not a working day: national holiday, cuti bersama or a manual closure.

    Rows from the ``holidays`` package are inserted by a yearly sync; an admin "removes" one by
    setting ``active`` to False, which the sync respects, so the day does not come back."""

    __tablename__ = "holiday"
    __table_args__ = (
        CheckConstraint(_in("category", HolidayCategory), name="ck_holiday_category"),
        CheckConstraint(_in("source", HolidaySource), name="ck_holiday_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), default=HolidayCategory.MANUAL)
    source: Mapped[str] = mapped_column(String(30), default=HolidaySource.ADMIN)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    def __str__(self) -> str:
        text = f"{self.date:%d-%m-%Y} {self.name}"
        return text if self.active is not False else f"{text} (nonaktif)"

    def __repr__(self) -> str:
        state = "active" if self.active is not False else "inactive"
        origin = f"{self.category}/{self.source}"
        return f"<Holiday id={self.id} {self.date} {self.name!r} {origin} {state}>"
