"""A complaint's two clocks (verify, follow_up) on the cycles' working-time engine and SLA
statuses: each stage is seen as a work item (due, allowed minutes, completion, pause) and
measured by app.services.cycles.sla.item_sla, so a complaint is "at risk" or "overdue" by
exactly the rule a cycle's step is.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from app.models.complaints import Complaint, ComplaintStatus
from app.models.cycles import SlaStatus, WorkItemStatus
from app.services.cycles.flow import from_db, to_db
from app.services.cycles.sla import Sla, item_sla
from app.services.working_time import (
    Duration,
    Schedule,
    add_duration,
    first_working_moment,
    working_minutes_between,
)

STAGES = ("verify", "follow_up")


def start_stage(complaint: Complaint, stage: str, limit: Duration, now: dt.datetime,
                schedule: Schedule) -> None:
    """Fix the stage's due from `now` (its clock starts at the next working moment)."""
    due = add_duration(now, limit, schedule)
    allowed = working_minutes_between(first_working_moment(now, schedule), due, schedule)
    if stage == "verify":
        complaint.verify_due_at, complaint.verify_allowed_minutes = to_db(due), allowed
    else:
        complaint.follow_up_start = to_db(now)
        complaint.follow_up_due_at, complaint.follow_up_allowed_minutes = to_db(due), allowed


def pause(complaint: Complaint, now: dt.datetime) -> None:
    complaint.clock_paused_at = to_db(now)


def resume(complaint: Complaint, now: dt.datetime, schedule: Schedule) -> float:
    """Restart the clock; the running stage's due moves by the working minutes it stood."""
    minutes = round(working_minutes_between(from_db(complaint.clock_paused_at), now, schedule))
    complaint.paused_minutes = (complaint.paused_minutes or 0.0) + minutes
    column = "verify_due_at" if complaint.stage == "verify" else "follow_up_due_at"
    due = getattr(complaint, column)
    if minutes > 0 and due is not None:
        setattr(complaint, column, to_db(add_duration(from_db(due), Duration(minutes, "menit"),
                                                      schedule)))
    complaint.clock_paused_at = None
    return minutes


def _as_item(complaint: Complaint, stage: str) -> SimpleNamespace | None:
    if stage == "verify":
        due, allowed, done = (complaint.verify_due_at, complaint.verify_allowed_minutes,
                              complaint.verified_at)
        running = complaint.status == ComplaintStatus.RECEIVED
    else:
        due, allowed, done = (complaint.follow_up_due_at, complaint.follow_up_allowed_minutes,
                              complaint.responded_at)
        running = complaint.stage == "follow_up"
        if running:
            done = None  # a reopened complaint: its new clock runs
    if due is None:
        return None
    if running:
        status = WorkItemStatus.PAUSED if complaint.clock_paused_at else WorkItemStatus.IN_PROGRESS
    elif done is not None:
        status = WorkItemStatus.DONE
    else:
        return None
    return SimpleNamespace(status=status, due_at=due, allowed_minutes=allowed,
                           completed_at=done,
                           clock_paused_at=complaint.clock_paused_at if running else None)


def stage_sla(complaint: Complaint, stage: str, now: dt.datetime, schedule: Schedule) -> Sla:
    item = _as_item(complaint, stage)
    if item is None:
        return Sla(SlaStatus.NOT_STARTED)
    return item_sla(item, now, schedule)


def current_sla(complaint: Complaint, now: dt.datetime, schedule: Schedule) -> Sla:
    """The SLA of the stage now running; of the follow-up (else verification) once answered."""
    if complaint.stage is not None:
        return stage_sla(complaint, complaint.stage, now, schedule)
    if complaint.follow_up_due_at is not None and complaint.responded_at is not None:
        return stage_sla(complaint, "follow_up", now, schedule)
    return stage_sla(complaint, "verify", now, schedule)


def working_days_taken(start: dt.datetime | None, end: dt.datetime | None,
                       schedule: Schedule, day_minutes: float) -> float | None:
    """Working days from start to end (reports: time to verify, to respond)."""
    if start is None or end is None:
        return None
    return round(working_minutes_between(from_db(start), from_db(end), schedule) / day_minutes, 1)
