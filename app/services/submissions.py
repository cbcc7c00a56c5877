"""Final-draft submission (seed B.6): a unit sends the IKU its head approved, which completes
its share of the step done by the units, in one transaction with the record of the approval
and the move of the unit's IKU to "disetujui pimpinan unit".

Public API: submit_final_draft(session, user, cycle_id, ...) -> FinalSubmission;
unit_share(session, cycle_id, unit_id) -> WorkItem | None; period_years(period).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, CycleStatus, CycleUnit, WorkItem, WorkItemKind, WorkItemStatus
from app.models.iku import Indicator, IndicatorStatus
from app.models.org import OrgUnit
from app.models.submissions import FinalSubmission
from app.services import cycles
from app.services.cycles.action import attachments_dir as default_attachments_dir
from app.services.cycles.action import real_now
from app.services.cycles.flow import Tree, from_db, to_db
from app.services.cycles.naming import Family
from app.services.cycles.people import Directory
from app.services.cycles.rules import MAX_ATTACHMENT_BYTES, Attachment
from app.services.working_time import DEFAULT_TZ, Schedule

# The approval memo: a signed scan (PDF) or the word processor's file; told apart by name and
# by the file's first bytes (a .docx/.odt is a ZIP archive), so a renamed file is refused.
MEMO_TYPES = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".odt": b"PK\x03\x04"}
# The registry statuses a unit's IKU may have while it is drafted and discussed; the head's
# approval moves them on to DISETUJUI.
APPROVABLE = (IndicatorStatus.DRAFT, IndicatorStatus.DIBAHAS)


class SubmissionRefusedError(ValueError):
    """A submission the rules refuse; str(self) tells the person why (Indonesian)."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)

    def as_messages(self) -> dict[str, list[str]]:
        return {self.field or "_schema": [str(self)]}


def period_years(period: str | None) -> tuple[int, int] | None:
    """The years a cycle's period names ("2027", "2025-2029"); None if it names none."""
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", period or "")]
    return (min(years), max(years)) if years else None


def unit_share(session: Session, cycle_id: int, unit_id: int) -> WorkItem | None:
    """The unit's share of the step the units do themselves: its first item of kind "unit"
    not yet done (the one the standard's `performed_by: unit` step made for it), else its
    last one (done). No step code is named: the tree says which items are the unit's."""
    items = session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle_id, WorkItem.org_unit_id == unit_id,
        WorkItem.kind == WorkItemKind.UNIT, WorkItem.is_leaf).order_by(WorkItem.position)).all()
    open_ = [i for i in items if i.status != WorkItemStatus.DONE]
    return open_[0] if open_ else (items[-1] if items else None)


def _check_memo(memo: Attachment | None) -> None:
    if memo is None or not (memo.filename or "").strip() or not memo.data:
        raise SubmissionRefusedError(gettext("The approval memo file is required."), "memo")
    suffix = Path(memo.filename.replace("\\", "/")).suffix.lower()
    magic = MEMO_TYPES.get(suffix)
    if magic is None or not memo.data.startswith(magic):
        raise SubmissionRefusedError(gettext(
            "The approval memo must be a PDF, DOCX or ODT file."), "memo")
    if len(memo.data) > MAX_ATTACHMENT_BYTES:
        raise SubmissionRefusedError(gettext(
            "The approval memo is too large (at most %(mb)d MB).",
            mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)), "memo")


def _check_fields(approver_name, approver_position, approved_on, now) -> tuple[str, str]:
    name, position = (approver_name or "").strip(), (approver_position or "").strip()
    if not name:
        raise SubmissionRefusedError(gettext("The approver's name is required."), "approver_name")
    if not position:
        raise SubmissionRefusedError(gettext("The approver's position is required."),
                                     "approver_position")
    if not isinstance(approved_on, dt.date):
        raise SubmissionRefusedError(gettext("The approval date is required."), "approved_on")
    today = now.astimezone(ZoneInfo(DEFAULT_TZ)).date()
    if approved_on > today:
        raise SubmissionRefusedError(gettext("The approval date cannot be in the future."),
                                     "approved_on")
    return name[:200], position[:200]


def _unit_of(session: Session, user, org_unit_id: int | None) -> OrgUnit:
    """The liaison's own unit; a bureau user names the unit it records for."""
    own = getattr(user, "org_unit_id", None)
    person = Directory(session, only=(user.id,)).person(user.id)
    if person is not None and person.is_liaison:
        if org_unit_id not in (None, own):
            raise SubmissionRefusedError(gettext(
                "You can only submit the final draft of your own unit."), "org_unit")
        org_unit_id = own
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id else None
    if unit is None:
        raise SubmissionRefusedError(gettext("Choose the unit whose final draft this is."),
                                     "org_unit")
    return unit


def _blocker_words(session: Session, item: WorkItem) -> str:
    tree = Tree(session.scalars(select(WorkItem).where(WorkItem.cycle_id == item.cycle_id)).all())
    blocker = tree.blocker(item)
    if blocker is None:
        return ""
    step = tree.step_of(blocker)
    return f"{Family(tree.items).name(step.id)} ({step.title})"


def submit_final_draft(
    session: Session, user, cycle_id: int, *, approver_name: str, approver_position: str,
    approved_on: dt.date | None, memo: Attachment | None, note: str | None = None,
    org_unit_id: int | None = None, now: dt.datetime | None = None,
    schedule: Schedule | None = None, attachments_dir: Path | None = None,
) -> FinalSubmission:
    """Record the unit's final draft and complete its share of the step (late is accepted and
    marked). Everything or nothing: a refusal anywhere leaves no row, no status changed."""
    now = real_now(now)
    name, position = _check_fields(approver_name, approver_position, approved_on, now)
    _check_memo(memo)
    unit = _unit_of(session, user, org_unit_id)
    cycle = session.get(Cycle, cycle_id)
    taking_part = cycle is not None and session.scalar(select(CycleUnit.id).where(
        CycleUnit.cycle_id == cycle_id, CycleUnit.org_unit_id == unit.id)) is not None
    if not taking_part:
        raise SubmissionRefusedError(gettext("The unit %(unit)s does not take part in this cycle.",
                                             unit=unit.name), "cycle")
    if cycle.status != CycleStatus.ACTIVE:
        raise SubmissionRefusedError(gettext("Cycle %(code)s is no longer running.",
                                             code=cycle.code), "cycle")
    if session.scalar(select(FinalSubmission.id).where(
            FinalSubmission.cycle_id == cycle_id, FinalSubmission.org_unit_id == unit.id)):
        raise SubmissionRefusedError(gettext(
            "%(unit)s has already submitted its final draft in cycle %(code)s.",
            unit=unit.name, code=cycle.code))
    share = unit_share(session, cycle_id, unit.id)
    if share is None:
        raise SubmissionRefusedError(gettext(
            "Cycle %(code)s has no step in which %(unit)s submits its final draft.",
            code=cycle.code, unit=unit.name))
    if share.status == WorkItemStatus.DONE:
        raise SubmissionRefusedError(gettext(
            "The share of %(unit)s in cycle %(code)s is already completed.",
            unit=unit.name, code=cycle.code))
    if share.status == WorkItemStatus.WAITING:
        raise SubmissionRefusedError(gettext(
            "The final draft cannot be submitted yet: %(step)s is not finished.",
            step=_blocker_words(session, share) or gettext("the previous step")))
    due = from_db(share.due_at)
    submission = FinalSubmission(
        cycle_id=cycle_id, org_unit_id=unit.id, work_item_id=share.id, approver_name=name,
        approver_position=position, approved_on=approved_on, note=(note or "").strip() or None,
        submitted_by_id=user.id, submitted_at=to_db(now), due_at=share.due_at,
        late=due is not None and now > due,
    )
    try:
        _approve_indicators(session, unit.id, cycle.period)
        stored = _store(memo, attachments_dir)
        submission.memo_name, submission.memo_path = stored.name, stored.path
        submission.memo_sha256, submission.memo_size = stored.sha256, stored.size
        session.add(submission)
        # complete_item commits: the submission and the IKU statuses go with it, or not at all
        cycles.complete_item(session, user, share.id, note=_event_note(submission),
                             attachment=memo, attachments_dir=attachments_dir, now=now,
                             schedule=schedule)
    except IntegrityError:
        session.rollback()
        raise SubmissionRefusedError(gettext(
            "%(unit)s has already submitted its final draft in cycle %(code)s.",
            unit=unit.name, code=cycle.code)) from None
    except Exception:
        session.rollback()
        raise
    return submission


def _store(memo: Attachment, directory: Path | None):
    from app.services.cycles.rules import store_attachment

    return store_attachment(memo, directory or default_attachments_dir())


def _event_note(submission: FinalSubmission) -> str:
    text = (f"Rancangan final IKU disetujui oleh {submission.approver_name} "
            f"({submission.approver_position}) pada {submission.approved_on:%d-%m-%Y}.")
    if submission.late:
        text += " Disampaikan terlambat."
    return f"{text} {submission.note}" if submission.note else text


def _approve_indicators(session: Session, unit_id: int, period: str) -> int:
    """The unit's IKU of the cycle's period still in draft or under discussion move to
    "disetujui pimpinan unit": the head's approval memo is the evidence for that step. The
    registry's set_status is the bureau's manual path, one step at a time, and refuses a unit
    by design; the submission is the one place a unit's act moves its IKU, so it sets the
    status itself, never past DISETUJUI and never on an enacted or final IKU."""
    years = period_years(period)
    if years is None:
        return 0
    rows = session.scalars(select(Indicator).where(
        Indicator.org_unit_id == unit_id, Indicator.status.in_(APPROVABLE),
        Indicator.start_year <= years[1], Indicator.end_year >= years[0])).all()
    for row in rows:
        row.status = IndicatorStatus.DISETUJUI
    return len(rows)
