"""The complaint scan (cron: `flask iku complaint-scan`): remind whoever holds a complaint whose
running stage is at risk or overdue, once per stage run and kind, as the cycles' SLA scan does.

The reminder is an event in the complaint's history (action "remind", details: stage, kind,
recipients) that the complaint board and its page show; a later outbox mail is sent from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.complaints import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintEvent,
    ComplaintEventAction,
)
from app.models.cycles import SlaStatus
from app.services.complaints import clock
from app.services.complaints.rules import receivers, rules_of
from app.services.cycles.flow import from_db, to_db
from app.services.cycles.people import Directory
from app.services.working_time import Schedule


@dataclass(frozen=True)
class ComplaintScanResult:
    checked: int
    at_risk: int
    overdue: int
    reminders: int


def holders(directory: Directory, complaint: Complaint) -> list[int]:
    """Who must act now: the receiver(s) while it awaits verification; the handler and the
    delegated Kabag afterwards."""
    if complaint.stage == "verify":
        return [p.user_id for p in receivers(rules_of(complaint), directory)]
    ids = [complaint.handler_id, complaint.delegated_to_id]
    return list(dict.fromkeys(i for i in ids if i is not None))


def scan_complaints(session: Session, now: dt.datetime | None = None, *,
                    schedule: Schedule | None = None) -> ComplaintScanResult:
    from app.services.calendar import load_schedule

    now = now if now is not None else dt.datetime.now(dt.UTC)
    schedule = schedule or load_schedule(session)
    complaints = session.scalars(select(Complaint).where(
        Complaint.status.in_(OPEN_COMPLAINT_STATUSES)).order_by(Complaint.id)
        .with_for_update(skip_locked=True)).all()
    directory = Directory(session)
    counts = {SlaStatus.AT_RISK: 0, SlaStatus.OVERDUE: 0}
    reminders = 0
    for complaint in complaints:
        status = clock.current_sla(complaint, now, schedule).status
        if status not in counts:
            continue
        counts[status] += 1
        stage = complaint.stage
        since = complaint.received_at if stage == "verify" else complaint.follow_up_start
        sent = session.scalars(select(ComplaintEvent.details).where(
            ComplaintEvent.complaint_id == complaint.id,
            ComplaintEvent.action == ComplaintEventAction.REMIND,
            ComplaintEvent.occurred_at >= since)).all()
        if any(d and d.get("stage") == stage and d.get("kind") == status.value for d in sent):
            continue
        recipients = holders(directory, complaint)
        session.add(ComplaintEvent(
            complaint_id=complaint.id, action=ComplaintEventAction.REMIND,
            details={"stage": stage, "kind": status.value, "recipients": recipients,
                     "due": from_db(complaint.verify_due_at if stage == "verify"
                                    else complaint.follow_up_due_at).isoformat()},
            occurred_at=to_db(now)))
        reminders += 1
    session.commit()
    return ComplaintScanResult(len(complaints), counts[SlaStatus.AT_RISK],
                               counts[SlaStatus.OVERDUE], reminders)
