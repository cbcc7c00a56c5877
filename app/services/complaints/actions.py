"""What a user may do to a complaint, by name: the page's offer (available_actions) and the
one entry the page and the API act through (perform). The verbs themselves
(app.services.complaints.handling) check everything again."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy.orm import Session

from app.models.complaints import FINAL_COMPLAINT_STATUSES, Complaint, ComplaintStatus
from app.services.complaints.errors import ComplaintRefusedError
from app.services.complaints.handling import (
    archive,
    assign,
    comment,
    draft_response,
    pause,
    reject,
    reopen,
    resume,
    return_draft,
    send_response,
    verify,
)
from app.services.complaints.rules import is_delegated_head, is_receiver, rules_of
from app.services.cycles.action import real_now
from app.services.cycles.flow import from_db
from app.services.cycles.people import Directory

S = ComplaintStatus


def available_actions(session: Session, user, complaint: Complaint,
                      now: dt.datetime | None = None) -> list[str]:
    """What the page offers this user (the verbs still check everything again)."""
    if complaint.status in FINAL_COMPLAINT_STATUSES and complaint.status != S.CLOSED:
        return []
    directory = Directory(session, only=(user.id,))
    person = directory.person(user.id)
    rules = rules_of(complaint)
    out = []
    status = complaint.status
    if status == S.RECEIVED and is_receiver(rules, person):
        out += ["verify", "reject", "archive"]
    if status in (S.DELEGATED, S.IN_PROGRESS) and is_delegated_head(complaint, person):
        out.append("assign")
    if status == S.IN_PROGRESS and complaint.handler_id == user.id:
        out.append("draft")
    if status == S.AWAITING_APPROVAL and is_delegated_head(complaint, person):
        out.append("return")
    if status in (S.DELEGATED, S.IN_PROGRESS, S.AWAITING_APPROVAL) and (
            is_delegated_head(complaint, person) or is_receiver(rules, person)):
        out.append("send")
    if status == S.CLOSED and person is not None and person.is_liaison and \
            person.org_unit_id == complaint.org_unit_id and complaint.reopen_until and \
            real_now(now) <= from_db(complaint.reopen_until):
        out.append("reopen")
    if complaint.is_open:
        holder = (is_receiver(rules, person) if status == S.RECEIVED else
                  is_delegated_head(complaint, person) or complaint.handler_id == user.id)
        if holder:
            out.append("resume" if complaint.clock_paused_at else "pause")
    if person is not None and (person.is_bureau or person.is_liaison):
        out.append("comment")
    return out


VERB_NAMES = ("verify", "reject", "archive", "assign", "draft", "return", "send", "reopen",
              "pause", "resume", "comment")


def perform(session: Session, user, complaint_id: int, verb: str, *, note: str | None = None,
            response: str | None = None, target_user_id: int | None = None,
            version: int | None = None, now: dt.datetime | None = None) -> Complaint:
    """One entry for the page and the API: the verb by its name (VERB_NAMES)."""
    common = {"version": version, "now": now}
    calls = {
        "verify": lambda: verify(session, user, complaint_id, delegate_user_id=target_user_id,
                                 note=note, **common),
        "reject": lambda: reject(session, user, complaint_id, note=note, **common),
        "archive": lambda: archive(session, user, complaint_id, note=note, **common),
        "assign": lambda: assign(session, user, complaint_id, handler_user_id=target_user_id,
                                 note=note, **common),
        "draft": lambda: draft_response(session, user, complaint_id, response=response,
                                        **common),
        "return": lambda: return_draft(session, user, complaint_id, note=note, **common),
        "send": lambda: send_response(session, user, complaint_id, response=response, **common),
        "reopen": lambda: reopen(session, user, complaint_id, note=note, **common),
        "pause": lambda: pause(session, user, complaint_id, note=note, **common),
        "resume": lambda: resume(session, user, complaint_id, note=note, **common),
        "comment": lambda: comment(session, user, complaint_id, note=note, now=now),
    }
    if verb not in calls:
        raise ComplaintRefusedError(gettext("Unknown action."))
    return calls[verb]()
