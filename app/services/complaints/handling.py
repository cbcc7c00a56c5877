"""Handling a complaint, as the standard routes it (`complaints.routing`): the receiver
verifies it and delegates it to one of the delegates (or rejects it as not the bureau's
authority, or archives it, with a reason); the delegated Kabag assigns a handler, who drafts the
response; the Kabag (or the receiver) approves and sends it, which closes the complaint; the
complainant may reopen it within the standard's window. Pauses stop the running stage's clock.

Every public verb: one transaction (the complaint row locked first), one event in the history,
a ComplaintRefusedError in the actor's words when the actor may not do it, nothing half-saved.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintEventAction,
    ComplaintStatus,
)
from app.services.complaints import clock, notify
from app.services.complaints.errors import ComplaintConflictError, ComplaintRefusedError
from app.services.complaints.rules import (
    Routing,
    is_delegate,
    is_delegated_head,
    is_receiver,
    may_handle,
    rules_of,
)
from app.services.cycles.action import real_now
from app.services.cycles.flow import from_db, to_db
from app.services.cycles.people import Directory, Person
from app.services.working_time import Schedule, add_duration

A = ComplaintEventAction
S = ComplaintStatus


class _Act:
    """The complaint (locked), the actor and the rules of one action."""

    def __init__(self, session: Session, user, complaint_id: int, version: int | None,
                 now: dt.datetime | None, schedule: Schedule | None, extra_users=()):
        from app.services.calendar import load_schedule

        self.session, self.now = session, real_now(now)
        self.complaint = session.scalar(select(Complaint).where(Complaint.id == complaint_id)
                                        .with_for_update())
        if self.complaint is None:
            raise ComplaintRefusedError(gettext("The complaint does not exist."))
        if version is not None and version != self.complaint.version_id:
            raise ComplaintConflictError(gettext(
                "Someone else has just acted on this complaint; reload the page and try again."))
        self.rules: Routing = rules_of(self.complaint)
        self.directory = Directory(session, only=(user.id if user else None, *extra_users))
        self.person: Person | None = self.directory.person(user.id) if user else None
        self.user_id = user.id if user else None
        self.schedule = schedule or load_schedule(session)

    def require_status(self, *statuses: str) -> None:
        if self.complaint.status not in statuses:
            raise ComplaintRefusedError(gettext(
                "This cannot be done while the complaint is %(status)s.",
                status=status_label(self.complaint.status)))

    def refuse(self, message: str) -> None:
        raise ComplaintRefusedError(message)

    def event(self, action: str, note: str | None = None, public: bool = False,
              **details) -> None:
        self.session.add(ComplaintEvent(
            complaint_id=self.complaint.id, user_id=self.user_id, action=action, note=note,
            public=public, details=details or None, occurred_at=to_db(self.now)))

    def done(self) -> Complaint:
        self.session.commit()
        return self.complaint


def status_label(status: str) -> str:
    from app.services.complaints.words import STATUS_LABELS

    return str(STATUS_LABELS.get(status, status))


def _reason(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ComplaintRefusedError(gettext("Give the reason for %(what)s.", what=what), "note")
    return text[:5000]


def verify(session: Session, user, complaint_id: int, *, delegate_user_id: int | None,
           note: str | None = None, version: int | None = None,
           now: dt.datetime | None = None, schedule: Schedule | None = None) -> Complaint:
    """The receiver verifies the complaint and delegates it; the follow-up clock starts."""
    act = _Act(session, user, complaint_id, version, now, schedule, (delegate_user_id,))
    act.require_status(S.RECEIVED)
    if not is_receiver(act.rules, act.person):
        act.refuse(gettext("Only the %(who)s verifies and delegates a complaint.",
                           who=act.complaint.standard.content["complaints"]["routing"]
                           ["receiver"]["display"]))
    target = act.directory.person(delegate_user_id)
    if not is_delegate(act.rules, target):
        raise ComplaintRefusedError(gettext("Choose the Kabag to delegate the complaint to."),
                                    "delegate")
    c = act.complaint
    c.status, c.verified_at, c.verified_by_id = S.DELEGATED, to_db(act.now), act.user_id
    c.delegated_to_id, c.section_id = target.user_id, act.directory.bagian_of(target.section_id)
    if c.clock_paused_at is not None:
        clock.resume(c, act.now, act.schedule)
    clock.start_stage(c, "follow_up", act.rules.limits["follow_up"], act.now, act.schedule)
    act.event(A.VERIFY, note, public=True, delegated_to=target.name)
    return act.done()


def _end_unverified(session, user, complaint_id, action, status, note, what, version, now,
                    schedule) -> Complaint:
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.RECEIVED)
    if not is_receiver(act.rules, act.person):
        act.refuse(gettext("Only the receiver of complaints may reject or archive one."))
    c = act.complaint
    c.reason = _reason(note, what)
    c.status, c.verified_at, c.verified_by_id = status, to_db(act.now), act.user_id
    c.closed_at, c.clock_paused_at = to_db(act.now), None
    act.event(action, c.reason, public=True)
    return act.done()


def reject(session: Session, user, complaint_id: int, *, note: str | None,
           version: int | None = None, now: dt.datetime | None = None,
           schedule: Schedule | None = None) -> Complaint:
    """Not the bureau's authority: closed with the reason, which the complainant reads."""
    return _end_unverified(session, user, complaint_id, A.REJECT, S.REJECTED, note,
                           gettext("rejecting it"), version, now, schedule)


def archive(session: Session, user, complaint_id: int, *, note: str | None,
            version: int | None = None, now: dt.datetime | None = None,
            schedule: Schedule | None = None) -> Complaint:
    return _end_unverified(session, user, complaint_id, A.ARCHIVE, S.ARCHIVED, note,
                           gettext("archiving it"), version, now, schedule)


def assign(session: Session, user, complaint_id: int, *, handler_user_id: int | None,
           note: str | None = None, version: int | None = None,
           now: dt.datetime | None = None, schedule: Schedule | None = None) -> Complaint:
    """The delegated Kabag names who follows up (itself or its staff)."""
    act = _Act(session, user, complaint_id, version, now, schedule, (handler_user_id,))
    act.require_status(S.DELEGATED, S.IN_PROGRESS)
    if not is_delegated_head(act.complaint, act.person):
        act.refuse(gettext("Only the Kabag the complaint was delegated to assigns its handler."))
    target = act.directory.person(handler_user_id)
    if not may_handle(act.rules, act.directory, act.complaint, target):
        raise ComplaintRefusedError(gettext(
            "Choose a handler of the Bagian the complaint was delegated to."), "handler")
    act.complaint.handler_id, act.complaint.status = target.user_id, S.IN_PROGRESS
    act.event(A.ASSIGN, note, handler=target.name)
    return act.done()


def draft_response(session: Session, user, complaint_id: int, *, response: str | None,
                   version: int | None = None, now: dt.datetime | None = None,
                   schedule: Schedule | None = None) -> Complaint:
    """The handler writes the response; it waits for the Kabag's approval."""
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.IN_PROGRESS)
    if act.complaint.handler_id != act.user_id:
        act.refuse(gettext("Only the assigned handler drafts the response."))
    act.complaint.response = _reason(response, gettext("the response")).strip()
    act.complaint.status = S.AWAITING_APPROVAL
    act.event(A.DRAFT)
    return act.done()


def return_draft(session: Session, user, complaint_id: int, *, note: str | None,
                 version: int | None = None, now: dt.datetime | None = None,
                 schedule: Schedule | None = None) -> Complaint:
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.AWAITING_APPROVAL)
    if not is_delegated_head(act.complaint, act.person):
        act.refuse(gettext("Only the Kabag the complaint was delegated to approves its response."))
    act.complaint.status = S.IN_PROGRESS
    act.event(A.RETURN, _reason(note, gettext("returning the draft")))
    return act.done()


def send_response(session: Session, user, complaint_id: int, *, response: str | None = None,
                  version: int | None = None, now: dt.datetime | None = None,
                  schedule: Schedule | None = None) -> Complaint:
    """The delegated Kabag (or the receiver) approves the response (edited if given) and sends
    it: the complaint is closed, the reopen window opens, the complainant is told."""
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.DELEGATED, S.IN_PROGRESS, S.AWAITING_APPROVAL)
    c = act.complaint
    if not (is_delegated_head(c, act.person) or is_receiver(act.rules, act.person)):
        act.refuse(gettext("Only the Kabag the complaint was delegated to, or the receiver, "
                           "approves and sends the response."))
    if response is not None and response.strip():
        c.response = response.strip()[:10000]
    if not (c.response or "").strip():
        raise ComplaintRefusedError(gettext("Write the response before sending it."), "response")
    if c.clock_paused_at is not None:
        clock.resume(c, act.now, act.schedule)
    c.status, c.responded_at, c.responded_by_id = S.CLOSED, to_db(act.now), act.user_id
    c.closed_at = to_db(act.now)
    c.reopen_until = to_db(add_duration(act.now, act.rules.reopen_within, act.schedule))
    act.event(A.SEND, public=True)
    notify.response_sent(session, c, act.now)
    return act.done()


def reopen(session: Session, user, complaint_id: int, *, note: str | None,
           version: int | None = None, now: dt.datetime | None = None,
           schedule: Schedule | None = None) -> Complaint:
    """The complainant (user None: through the status page with ticket and code) or the unit's
    liaison reopens an answered complaint within the window: back to the delegated Kabag, with a
    new follow-up clock."""
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.CLOSED)
    c = act.complaint
    if user is not None and not (act.person and act.person.is_liaison
                                 and act.person.org_unit_id == c.org_unit_id):
        act.refuse(gettext("Only the complainant or the unit's liaison may reopen a complaint."))
    if c.reopen_until is None or act.now > from_db(c.reopen_until):
        act.refuse(gettext("The time to reopen this complaint has passed."))
    c.status, c.closed_at, c.reopen_until = S.DELEGATED, None, None
    c.reopen_count = (c.reopen_count or 0) + 1
    clock.start_stage(c, "follow_up", act.rules.limits["follow_up"], act.now, act.schedule)
    act.event(A.REOPEN, _reason(note, gettext("reopening it")), public=True)
    return act.done()


def _may_run_clock(act: _Act) -> bool:
    c = act.complaint
    if c.status == S.RECEIVED:
        return is_receiver(act.rules, act.person)
    return is_delegated_head(c, act.person) or (act.user_id is not None
                                                and c.handler_id == act.user_id)


def pause(session: Session, user, complaint_id: int, *, note: str | None,
          version: int | None = None, now: dt.datetime | None = None,
          schedule: Schedule | None = None) -> Complaint:
    """Stop the running stage's clock, with the reason (e.g. waiting for the complainant)."""
    act = _Act(session, user, complaint_id, version, now, schedule)
    act.require_status(S.RECEIVED, S.DELEGATED, S.IN_PROGRESS, S.AWAITING_APPROVAL)
    if not _may_run_clock(act):
        act.refuse(gettext("Only whoever holds the complaint now may pause its clock."))
    if act.complaint.clock_paused_at is not None:
        act.refuse(gettext("The clock of this complaint is already paused."))
    act.complaint.pause_reason = _reason(note, gettext("pausing the clock"))
    clock.pause(act.complaint, act.now)
    act.event(A.PAUSE, act.complaint.pause_reason, public=True)
    return act.done()


def resume(session: Session, user, complaint_id: int, *, note: str | None = None,
           version: int | None = None, now: dt.datetime | None = None,
           schedule: Schedule | None = None) -> Complaint:
    act = _Act(session, user, complaint_id, version, now, schedule)
    if act.complaint.clock_paused_at is None:
        act.refuse(gettext("The clock of this complaint is not paused."))
    if not _may_run_clock(act):
        act.refuse(gettext("Only whoever holds the complaint now may resume its clock."))
    minutes = clock.resume(act.complaint, act.now, act.schedule)
    act.complaint.pause_reason = None
    act.event(A.RESUME, note, public=True, paused_minutes=minutes)
    return act.done()


def comment(session: Session, user, complaint_id: int, *, note: str | None,
            now: dt.datetime | None = None, schedule: Schedule | None = None) -> Complaint:
    """A remark in the history by anyone who may see the complaint and is part of it: the
    bureau's people, or the unit's liaison for its own unit."""
    act = _Act(session, user, complaint_id, None, now, schedule)
    p = act.person
    if p is None or not (p.is_bureau or (p.is_liaison and p.org_unit_id
                                         == act.complaint.org_unit_id)):
        act.refuse(gettext("You may not comment on this complaint."))
    act.event(A.COMMENT, _reason(note, gettext("the comment")))
    return act.done()
