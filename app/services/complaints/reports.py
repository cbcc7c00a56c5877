"""Complaint reports: counts by kind, status, unit and month; time to verify and to respond
against the standard's limits. Plain rows, each exportable to XLSX by the page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import extract, select
from sqlalchemy.orm import Session, joinedload

from app.models.complaints import Complaint
from app.models.cycles import SlaStatus
from app.services.complaints import clock
from app.services.working_time import DEFAULT_TZ, Schedule

WIB = ZoneInfo(DEFAULT_TZ)


def _year(session: Session, year: int, unit_id: int | None):
    query = select(Complaint).options(joinedload(Complaint.org_unit)).where(
        extract("year", Complaint.received_at) == year)
    if unit_id is not None:
        query = query.where(Complaint.org_unit_id == unit_id)
    return session.scalars(query.order_by(Complaint.received_at)).unique().all()


@dataclass(frozen=True)
class CountRow:
    month: str  # MM-YYYY (WIB)
    unit: str
    kind: str
    status: str
    count: int


def counts(session: Session, year: int, unit_id: int | None = None) -> list[CountRow]:
    tally: Counter = Counter()
    for c in _year(session, year, unit_id):
        received = c.received_at.replace(tzinfo=dt.UTC).astimezone(WIB)
        tally[(f"{received:%m-%Y}", c.org_unit.name, c.kind, c.status)] += 1
    return [CountRow(*key, n) for key, n in sorted(tally.items())]


@dataclass(frozen=True)
class TimelinessRow:
    ticket: str
    unit: str
    kind: str
    verify_days: float | None
    verify_status: SlaStatus
    respond_days: float | None
    respond_status: SlaStatus


def timeliness(session: Session, year: int, now: dt.datetime, schedule: Schedule,
               day_minutes: float, unit_id: int | None = None) -> list[TimelinessRow]:
    """Per complaint: working days taken to verify and to respond, and each stage's status
    against the limit it ran on (the standard's, fixed when the stage started)."""
    rows = []
    for c in _year(session, year, unit_id):
        rows.append(TimelinessRow(
            c.ticket, c.org_unit.name, c.kind,
            clock.working_days_taken(c.received_at, c.verified_at, schedule, day_minutes),
            clock.stage_sla(c, "verify", now, schedule).status,
            clock.working_days_taken(c.follow_up_start, c.responded_at, schedule, day_minutes),
            clock.stage_sla(c, "follow_up", now, schedule).status))
    return rows
