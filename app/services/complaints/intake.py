"""Intake of a complaint and the complainant's own view of it.

A unit's liaison files for its own unit (channel "portal"); bureau staff record one received by
phone, letter, email or in person on the complainant's behalf, naming the channel and the unit.
Each gets a ticket number and a secret code, shown once: the code is kept only as a hash, and
the pair opens the public status page (status_for), where a wrong pair tells nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.complaints import (
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintEventAction,
    ComplaintStatus,
)
from app.models.cycles import Cycle, CycleUnit, WorkItem
from app.models.org import OrgUnit, Pelaksana
from app.services.complaints import clock
from app.services.complaints.errors import ComplaintRefusedError
from app.services.complaints.rules import routing
from app.services.cycles.action import real_now
from app.services.cycles.flow import to_db
from app.services.cycles.people import Directory
from app.services.standards import current_standard
from app.services.working_time import Schedule

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
HASH_METHOD = "pbkdf2:sha256:60000"
STANDARD_CODE = "iku"
# a hash of a code nobody holds: an unknown ticket costs what a known one does
_DUMMY_HASH = generate_password_hash("X" * 10, method=HASH_METHOD)


def _token(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_ticket(now: dt.datetime) -> str:
    return f"ADU-{now:%Y}-{_token(6)}"


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    secret_code: str  # shown once, never stored


def _text(value, field: str, label: str, limit: int, required: bool = True) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ComplaintRefusedError(gettext("%(label)s must be text.", label=label), field)
    if required and not text:
        raise ComplaintRefusedError(gettext("%(label)s is required.", label=label), field)
    if len(text) > limit:
        raise ComplaintRefusedError(gettext("%(label)s is too long (at most %(n)d characters).",
                                            label=label, n=limit), field)
    return text or None


def _links(session: Session, unit_id: int, cycle_id, work_item_id, pelaksana_id):
    cycle = session.get(Cycle, cycle_id) if cycle_id else None
    if cycle_id and cycle is None:
        raise ComplaintRefusedError(gettext("The cycle does not exist."), "cycle")
    if cycle is not None and session.scalar(select(CycleUnit.id).where(
            CycleUnit.cycle_id == cycle.id, CycleUnit.org_unit_id == unit_id)) is None:
        raise ComplaintRefusedError(gettext("The unit does not take part in that cycle."),
                                    "cycle")
    item = session.get(WorkItem, work_item_id) if work_item_id else None
    if work_item_id and (item is None or cycle is None or item.cycle_id != cycle.id):
        raise ComplaintRefusedError(gettext("The step must belong to the chosen cycle."),
                                    "work_item")
    person = session.get(Pelaksana, pelaksana_id) if pelaksana_id else None
    if pelaksana_id and person is None:
        raise ComplaintRefusedError(gettext("The pelaksana does not exist."), "pelaksana")
    return cycle, item, person


def file_complaint(
    session: Session, user, *, kind: str, subject: str, description: str,
    complainant_name: str | None = None, complainant_contact: str | None = None,
    complainant_email: str | None = None, confidential: bool = False,
    channel: str | None = None, org_unit_id: int | None = None, cycle_id: int | None = None,
    work_item_id: int | None = None, pelaksana_id: int | None = None,
    now: dt.datetime | None = None, schedule: Schedule | None = None,
) -> Filed:
    """Record a complaint and start its verification clock; commit. Everything or nothing."""
    from app.services.calendar import load_schedule

    now = real_now(now)
    person = Directory(session, only=(user.id,)).person(user.id)
    standard = current_standard(session, STANDARD_CODE)
    if standard is None:
        raise ComplaintRefusedError(gettext("No service standard is loaded."))
    rules = routing(standard.content)
    if kind not in rules.kinds:
        raise ComplaintRefusedError(gettext("Choose the kind: complaint, grievance or "
                                            "suggestion."), "kind")
    if person is not None and person.is_liaison:
        if org_unit_id not in (None, person.org_unit_id):
            raise ComplaintRefusedError(gettext(
                "You can only file a complaint for your own unit."), "org_unit")
        org_unit_id, channel = person.org_unit_id, ComplaintChannel.PORTAL
        complainant_name = complainant_name or person.name
    elif person is not None and person.is_bureau:
        recorded = [c.value for c in ComplaintChannel if c != ComplaintChannel.PORTAL]
        if channel not in recorded:
            raise ComplaintRefusedError(gettext(
                "Choose how the complaint was received: phone, letter, email or in person."),
                "channel")
    else:
        raise ComplaintRefusedError(gettext(
            "Only a unit's liaison or the bureau's staff can file a complaint."))
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id else None
    if unit is None:
        raise ComplaintRefusedError(gettext("Choose the unit the complaint comes from."),
                                    "org_unit")
    subject = _text(subject, "subject", gettext("Subject"), 200)
    description = _text(description, "description", gettext("Description"), 10000)
    name = _text(complainant_name, "complainant_name", gettext("Complainant"), 200)
    contact = _text(complainant_contact, "complainant_contact", gettext("Contact"), 200, False)
    email = _text(complainant_email, "complainant_email", gettext("Email"), 200, False)
    if email and ("@" not in email or any(ch in email for ch in " \r\n,;")):
        raise ComplaintRefusedError(gettext("The email address is not valid."),
                                    "complainant_email")
    cycle, item, target = _links(session, unit.id, cycle_id, work_item_id, pelaksana_id)
    code = _token(10)
    complaint = Complaint(
        ticket=new_ticket(now), secret_hash=generate_password_hash(code, method=HASH_METHOD),
        standard=standard, kind=kind, channel=str(channel), subject=subject,
        description=description, org_unit=unit, cycle=cycle, work_item=item, pelaksana=target,
        confidential=bool(confidential), complainant_name=name, complainant_contact=contact,
        complainant_email=email, filed_by_id=user.id, received_at=to_db(now),
        status=ComplaintStatus.RECEIVED, paused_minutes=0.0, reopen_count=0)
    clock.start_stage(complaint, "verify", rules.limits["verify"], now,
                      schedule or load_schedule(session))
    session.add(complaint)
    session.add(ComplaintEvent(complaint=complaint, user_id=user.id,
                               action=ComplaintEventAction.FILE, public=True,
                               details={"channel": str(channel)}, occurred_at=to_db(now)))
    session.commit()
    return Filed(complaint, code)


def find_by_secret(session: Session, ticket: str | None, code: str | None) -> Complaint | None:
    """The complaint the pair opens, else None; an unknown ticket costs a hash check too."""
    ticket = (ticket or "").strip().upper()[:30]
    code = (code or "").strip().upper()[:40]
    complaint = session.scalar(select(Complaint).where(Complaint.ticket == ticket)) \
        if ticket else None
    stored = complaint.secret_hash if complaint is not None else _DUMMY_HASH
    matches = check_password_hash(stored, code or "-")
    return complaint if complaint is not None and matches else None
