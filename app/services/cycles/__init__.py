"""Cycles: run a service standard. Start a cycle, record the work, follow its time standards.

Public API (every function takes the session first, commits once, and takes `now`; only here,
the outermost service layer, does `now` default to the real clock):

- start_cycle(session, user, *, standard_code, code, period, reason, ...) -> Cycle
- cancel_cycle(session, user, cycle_id, *, reason, now=None) -> Cycle
- start_item / complete_item / return_item / pause_item / resume_item / reassign_item
  (session, user, item_id, ...) -> WorkItem
- plan_preview(session, standard, start) -> PlanPreview (the plan, before starting a cycle)
- scan_sla(session, now) -> ScanResult               (cron: `flask iku sla-scan`)
- my_tasks(session, user, now) -> MyTasks            ("Tugas saya")
- sla_board(session, now, filters) -> SlaBoard       (all open items by SLA status)
- cycle_overview(session, cycle_id, now) -> CycleOverview
- my_reminders(session, user) / mark_reminders_read(session, user, ids, now)

Concurrency: every item action first locks its cycle's row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serialises writers itself), then reloads the cycle's items, so actions on
one cycle take turns and each sees the previous one's result: of two people completing the
same item, the second is told it is already done. WorkItem.version_id (optimistic lock) backs
this up for any writer that does not take the lock, and `expected_version` lets a page refuse
an action on an item that changed since it was shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.cycles import (
    Cycle,
    CycleStatus,
    CycleUnit,
    WorkEventAction,
    WorkItem,
    WorkItemStatus,
)
from app.models.standards import ServiceStandard
from app.services.calendar import load_schedule
from app.services.cycles import rules
from app.services.cycles.action import (
    Action,
    add_event,
    commit,
    lock_cycle,
    real_now,
)
from app.services.cycles.action import attachments_dir as default_attachments_dir
from app.services.cycles.build import Builder, lead_section, to_items, units_concerned
from app.services.cycles.errors import (
    CycleCodeTakenError,
    CycleReasonUnknownError,
    CycleStandardMissingError,
)
from app.services.cycles.flow import Flow, Tree, to_db
from app.services.cycles.people import Directory
from app.services.cycles.plan import PlannedStep, PlanPreview, plan_preview
from app.services.cycles.queries import cycle_overview, my_tasks, sla_board
from app.services.cycles.rules import Attachment
from app.services.cycles.scan import mark_reminders_read, my_reminders, scan_sla
from app.services.cycles.sla import plan_cycle
from app.services.mail import notices as mail_notices
from app.services.standards import current_standard
from app.services.working_time import Schedule

__all__ = [
    "Attachment", "cancel_cycle", "complete_item", "cycle_overview", "cycle_reasons",
    "PlanPreview", "PlannedStep", "mark_reminders_read", "my_reminders", "my_tasks",
    "pause_item", "plan_preview", "reassign_item",
    "resume_item", "return_item", "scan_sla", "sla_board", "start_cycle", "start_item",
]  # fmt: skip

OPEN = (WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS)


def cycle_reasons(standard: ServiceStandard) -> list[dict]:
    """The reasons a cycle of this standard may be started for ({code, text}), from its data."""
    return list(standard.content.get("requirements", {}).get("user", {})
                .get("proposal_reasons", []))


def start_cycle(
    session: Session, user, *, standard_code: str, code: str, period: str, reason: str,
    title: str | None = None, reason_note: str | None = None,
    unit_ids: Iterable[int] | None = None, now: dt.datetime | None = None,
    schedule: Schedule | None = None,
) -> Cycle:
    """Instantiate every step and sub-step of the standard version in force, route each to
    people, fix the planned dues and the planned end, and hand step 1 over."""
    now = real_now(now)
    directory = Directory(session, with_workload=True)
    person = directory.person(user.id)
    rules.check_can_start_cycle(person)
    standard = current_standard(session, standard_code)
    if standard is None:
        raise CycleStandardMissingError(f"Standar pelayanan '{standard_code}' belum dimuat.")
    content = standard.content
    code, period = (code or "").strip(), (period or "").strip()
    if not code or not period:
        raise CycleReasonUnknownError("Kode dan periode siklus wajib diisi.")
    codes = [r["code"] for r in cycle_reasons(standard)]
    if (codes and reason not in codes) or not reason:
        choices = ", ".join(codes) or "-"
        raise CycleReasonUnknownError(f"Alasan '{reason}' tidak dikenal. Pilihan: {choices}.")
    if session.scalar(select(Cycle.id).where(Cycle.code == code)) is not None:
        raise CycleCodeTakenError(f"Kode siklus {code} sudah dipakai.")
    units = units_concerned(session, content, directory, unit_ids)
    lead = lead_section(content, directory, units)
    cycle = Cycle(
        code=code, title=title or f"{content.get('short_title') or standard.title} {period}",
        period=period, reason=reason, reason_note=reason_note, standard=standard,
        status=CycleStatus.ACTIVE, lead_section_id=lead, started_at=to_db(now),
        started_by_id=user.id,
        units=[CycleUnit(org_unit_id=u.org_unit_id, section_id=u.section_id) for u in units],
    )
    session.add(cycle)
    session.flush()
    items = to_items(cycle.id, Builder(content, directory, units, lead).steps())
    session.add_all(items)
    session.flush()
    schedule = schedule or load_schedule(session)
    tree = Tree(items)
    cycle.planned_end = to_db(plan_cycle(tree, schedule, now))
    Flow(tree, schedule, now).activate(tree.steps[0])
    add_event(session, cycle, None, person, WorkEventAction.CYCLE_START, now, note=reason_note,
           details={"standard": standard.code, "version": standard.version,
                    "reason": reason, "units": [u.code for u in units]})
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise CycleCodeTakenError(f"Kode siklus {code} sudah dipakai.") from exc
    return cycle


def cancel_cycle(session: Session, user, cycle_id: int, *, reason: str,
                 now: dt.datetime | None = None) -> Cycle:
    """Stop a cycle for good (started by mistake, superseded); its history stays."""
    now = real_now(now)
    person = Directory(session, only=(user.id,)).person(user.id)
    rules.check_can_start_cycle(person)
    reason = rules.check_reason(reason, "pembatalan")
    cycle = lock_cycle(session, cycle_id)
    rules.check_cycle_open(cycle)
    cycle.status, cycle.cancelled_at = CycleStatus.CANCELLED, to_db(now)
    add_event(session, cycle, None, person, WorkEventAction.CYCLE_CANCEL, now, note=reason)
    commit(session)
    return cycle


# ---------------------------------------------------------------------- item actions
def start_item(session: Session, user, item_id: int, *, note: str | None = None,
               expected_version: int | None = None, now: dt.datetime | None = None,
               schedule: Schedule | None = None) -> WorkItem:
    act = Action(session, user, item_id, now, schedule, expected_version)
    act.leaf(WorkItemStatus.READY)
    on_behalf = act.acting_as()
    act.flow.start(act.item)
    return act.record(WorkEventAction.START, on_behalf, note=note)


def complete_item(session: Session, user, item_id: int, *, note: str | None = None,
                  attachment: Attachment | None = None, attachments_dir: Path | None = None,
                  expected_version: int | None = None, now: dt.datetime | None = None,
                  schedule: Schedule | None = None,
                  also: Callable[[Session, WorkItem], object] | None = None) -> WorkItem:
    """Done (from ready or in progress). The attachment's bytes are stored before the commit:
    content-addressed, so a failed commit leaves only an unreferenced duplicate-free file.
    `also` adds more to the same transaction (e.g. app.services.mail.queue_dispatch when a
    "menyampaikan" sub-step sends a memorandum): its refusal rolls the completion back too."""
    act = Action(session, user, item_id, now, schedule, expected_version)
    act.leaf(*OPEN)
    on_behalf = act.acting_as()
    rules.check_completion(session, act.item)
    stored = None
    if attachment is not None:
        stored = rules.store_attachment(attachment, attachments_dir or default_attachments_dir())
    act.flow.complete(act.item, user.id)
    if also is not None:
        also(session, act.item)
    extra = {}
    if stored is not None:
        extra = {"attachment_name": stored.name, "attachment_path": stored.path,
                 "attachment_sha256": stored.sha256, "attachment_size": stored.size}
    return act.record(WorkEventAction.COMPLETE, on_behalf, note=note, **extra)


def return_item(session: Session, user, item_id: int, *, reason: str,
                expected_version: int | None = None, now: dt.datetime | None = None,
                schedule: Schedule | None = None) -> WorkItem:
    """Send the work back down the review chain: this item waits, the previous one reopens."""
    act = Action(session, user, item_id, now, schedule, expected_version)
    act.leaf(*OPEN)
    reason = rules.check_reason(reason, "pengembalian")
    on_behalf = act.acting_as()
    rules.previous_in_chain(act.tree, act.item)
    reopened = act.flow.send_back(act.item)
    mail_notices.returned(session, reopened, reason=reason, by=act.person.name if act.person else None)
    return act.record(WorkEventAction.RETURN, on_behalf, note=reason,
                      details={"reopened": [i.code for i in reopened]})


def pause_item(session: Session, user, item_id: int, *, reason: str,
               expected_version: int | None = None, now: dt.datetime | None = None,
               schedule: Schedule | None = None) -> WorkItem:
    """Stop the clock (waiting for someone outside the chain, say); the reason is recorded."""
    act = Action(session, user, item_id, now, schedule, expected_version)
    act.leaf(*OPEN)
    reason = rules.check_reason(reason, "penjedaan")
    on_behalf = act.acting_as()
    act.flow.pause(act.item)
    return act.record(WorkEventAction.PAUSE, on_behalf, note=reason)


def resume_item(session: Session, user, item_id: int, *, note: str | None = None,
                expected_version: int | None = None, now: dt.datetime | None = None,
                schedule: Schedule | None = None) -> WorkItem:
    act = Action(session, user, item_id, now, schedule, expected_version)
    act.leaf(WorkItemStatus.PAUSED)
    on_behalf = act.acting_as()
    act.flow.resume(act.item)
    return act.record(WorkEventAction.RESUME, on_behalf, note=note)


def reassign_item(session: Session, user, item_id: int, to_user_id: int, *,
                  note: str | None = None, expected_version: int | None = None,
                  now: dt.datetime | None = None) -> WorkItem:
    """A Kabag or Kasubbag (for their Bagian) or the Kepala Biro gives an item to someone else."""
    act = Action(session, user, item_id, now, Schedule.default(), expected_version)
    act.leaf(WorkItemStatus.WAITING, *OPEN, WorkItemStatus.PAUSED)
    rules.check_can_reassign(act.directory, act.item, act.person)
    target = act.directory.person(to_user_id)
    rules.check_target(act.directory, act.item, target)
    previous = act.item.assignee_user_id
    act.item.assignee_user_id = to_user_id
    mail_notices.assigned(session, act.item, to_user_id, by=act.person.name if act.person else None)
    return act.record(WorkEventAction.REASSIGN, note=note,
                      details={"from_user_id": previous, "to_user_id": to_user_id})
