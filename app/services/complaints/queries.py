"""Reading complaints: the identity a user may see (and its logging), the history, what other
domains need (open complaints a user sees; the complaints a pelaksana handled in a year with
their timeliness, for the yearly evaluation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import Session

from app.models.complaints import (
    HIDDEN,
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintEvent,
)
from app.models.cycles import SlaStatus
from app.models.org import IkuUser
from app.security import scope_unit_id
from app.services.audit import log_event
from app.services.complaints import clock
from app.services.complaints.rules import is_receiver, rules_of
from app.services.cycles.people import Directory
from app.services.working_time import Schedule


@dataclass(frozen=True)
class Identity:
    name: str
    contact: str | None
    email: str | None
    revealed: bool  # a confidential identity shown to this user (and logged)


def identity_for(session: Session, user, complaint: Complaint) -> Identity:
    """The complainant as this user may see it. A confidential identity is shown only to the
    receiver and the Kabag it was delegated to, and every such view is logged in the audit
    trail, committed here: the entry exists before the page shows the name."""
    if not complaint.confidential:
        return Identity(complaint.complainant_name, complaint.complainant_contact,
                        complaint.complainant_email, False)
    person = Directory(session, only=(user.id,)).person(user.id) if user else None
    allowed = person is not None and (is_receiver(rules_of(complaint), person)
                                      or complaint.delegated_to_id == person.user_id)
    if not allowed:
        return Identity(HIDDEN, HIDDEN, HIDDEN, False)
    log_event(session, "view_identity", "Complaint", complaint.id,
              {"ticket": complaint.ticket}, unit_id=complaint.org_unit_id)
    session.commit()
    return Identity(complaint.complainant_name, complaint.complainant_contact,
                    complaint.complainant_email, True)


def history(session: Session, complaint_id: int, public_only: bool = False) -> list:
    query = select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
    if public_only:
        query = query.where(ComplaintEvent.public.is_(True))
    return list(session.scalars(query.order_by(ComplaintEvent.occurred_at, ComplaintEvent.id)))


def open_complaints_visible(session: Session, user) -> int:
    """How many open complaints the user sees in the complaint list (its unit's, for a
    liaison; all, for the bureau): the home page's and the evaluation's count."""
    query = select(func.count(Complaint.id)).where(Complaint.status.in_(OPEN_COMPLAINT_STATUSES))
    unit_id = scope_unit_id(user)
    if unit_id is not None:
        query = query.where(Complaint.org_unit_id == unit_id)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class HandledComplaint:
    id: int
    ticket: str
    kind: str
    status: str
    role: str  # "delegated" (as Kabag) or "handler"
    received_at: dt.datetime
    responded_at: dt.datetime | None
    follow_up_due_at: dt.datetime | None
    sla: SlaStatus  # of the follow-up: done_on_time, done_late, overdue, on_track, ...

    @property
    def on_time(self) -> bool | None:
        if self.sla == SlaStatus.DONE_ON_TIME:
            return True
        if self.sla in (SlaStatus.DONE_LATE, SlaStatus.OVERDUE):
            return False
        return None


def complaints_handled_by(session: Session, pelaksana_id: int, year: int,
                          now: dt.datetime, schedule: Schedule) -> list[HandledComplaint]:
    """The complaints a pelaksana followed up (as handler or delegated Kabag) that were received
    in `year`, each with its follow-up's SLA status: evidence of "work results"."""
    user_ids = list(session.scalars(select(IkuUser.id).where(IkuUser.pelaksana_id == pelaksana_id)))
    if not user_ids:
        return []
    rows = session.scalars(select(Complaint).where(
        or_(Complaint.handler_id.in_(user_ids), Complaint.delegated_to_id.in_(user_ids)),
        extract("year", Complaint.received_at) == year).order_by(Complaint.received_at))
    return [HandledComplaint(
        c.id, c.ticket, c.kind, c.status,
        "handler" if c.handler_id in user_ids else "delegated", c.received_at, c.responded_at,
        c.follow_up_due_at, clock.stage_sla(c, "follow_up", now, schedule).status)
        for c in rows]


@dataclass(frozen=True)
class BoardRow:
    complaint: Complaint
    stage: str | None
    sla: object  # app.services.cycles.sla.Sla
    mine: bool  # the user holds it now (must act)
    reminded: bool  # the scan reminded the user about its current stage


def board(session: Session, user, now: dt.datetime, schedule: Schedule) -> list[BoardRow]:
    """The open complaints the user sees, each with its running stage's SLA, whether the user
    holds it and whether the scan reminded the user of it: the complaint board."""
    from app.services.complaints.scan import holders

    query = select(Complaint).where(Complaint.status.in_(OPEN_COMPLAINT_STATUSES))
    unit_id = scope_unit_id(user)
    if unit_id is not None:
        query = query.where(Complaint.org_unit_id == unit_id)
    rows = session.scalars(query.order_by(Complaint.received_at)).all()
    reminded = {
        (e.complaint_id, (e.details or {}).get("stage"))
        for e in session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.action == "remind",
            ComplaintEvent.complaint_id.in_([c.id for c in rows])))
        if user.id in ((e.details or {}).get("recipients") or [])}
    directory = Directory(session)
    return [BoardRow(c, c.stage, clock.current_sla(c, now, schedule),
                     user.id in holders(directory, c), (c.id, c.stage) in reminded)
            for c in rows]
