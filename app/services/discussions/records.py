"""What a group's session records: its schedule, attendance, minutes and decisions.

Who: the group's lead and members, and whoever may define the groups (Kepala Biro, Kabag,
Admin); anyone else only reads. When: the schedule until the session is done; the rest once
the session's turn has come (its work item handed over) and until it is done. The first record
starts the session's work item (a START event by the recorder): a discussion being written
down is under way, and from then on the groups can no longer change.

Decisions, per indicator of the group's units: kept, changed (with the change in words) or
dropped. They never edit the registry: the bureau amends the IKU itself. But an indicator
still in draft that a session keeps or changes is now under discussion: it moves to "dibahas"
with the first such decision. A dropped indicator keeps its status; the decision is its mark
(the decision list filters on it, and the session page shows it), because taking an IKU out of
a unit's registry is the bureau's act after the unit's head agrees (5c), not the meeting's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import WorkEventAction, WorkItem, WorkItemStatus
from app.models.discussions import (
    Attendance,
    DecisionKind,
    DiscussionDecision,
    DiscussionGroup,
    DiscussionSession,
)
from app.models.iku import Indicator, IndicatorStatus
from app.models.org import OrgUnit
from app.services.calendar import load_schedule
from app.services.cycles import rules
from app.services.cycles.action import add_event, attachments_dir, commit, lock_cycle, real_now
from app.services.cycles.flow import Flow, to_db
from app.services.cycles.people import Directory, Person
from app.services.discussions.errors import (
    DiscussionForbiddenError,
    DiscussionLockedError,
    DiscussionNotFoundError,
    DiscussionRecordInvalidError,
)
from app.services.discussions.groups import can_define, load_tree
from app.services.working_time import Schedule

DECISION_WORDS = {DecisionKind.KEPT: "tetap", DecisionKind.CHANGED: "diubah",
                  DecisionKind.DROPPED: "dihapus"}


def can_record(person: Person | None, group: DiscussionGroup) -> bool:
    if person is None or not person.active:
        return False
    if can_define(person):
        return True
    return person.is_bureau and (person.user_id == group.lead_user_id
                                 or any(m.id == person.user_id for m in group.members))


class _Record:
    """One locked cycle around one session, for one record by one user."""

    def __init__(self, session: Session, user, session_id: int, now, schedule=None):
        self.session, self.now = session, real_now(now)
        found = session.get(DiscussionSession, session_id)
        if found is None:
            raise DiscussionNotFoundError("Sesi pembahasan tidak ditemukan.")
        self.person = Directory(session, only=(user.id,)).person(user.id)
        self.cycle = lock_cycle(session, found.group.cycle_id)
        rules.check_cycle_open(self.cycle)
        self.tree = load_tree(session, self.cycle.id)
        self.found, self.group = found, found.group
        if not can_record(self.person, self.group):
            raise DiscussionForbiddenError(
                f"Hanya ketua dan anggota {self.group.name} (atau Kepala Biro/Kepala Bagian) "
                "yang dapat mencatat sesi ini.")
        self.item: WorkItem | None = self.tree.by_id.get(found.work_item_id)
        self.schedule = schedule

    @property
    def label(self) -> str:
        return f"{self.group.name} sesi {self.found.number}"

    def open_for_records(self) -> None:
        """Refuse a record before the session's turn or after it is done; start the item at
        the first record."""
        status = self.item.status if self.item else None
        if status == WorkItemStatus.DONE:
            raise DiscussionLockedError(f"Pembahasan {self.label} sudah selesai; catatannya "
                                        "tidak dapat diubah lagi.")
        if status in (None, WorkItemStatus.WAITING):
            raise DiscussionLockedError(f"Pembahasan {self.label} belum tiba gilirannya.")
        if status == WorkItemStatus.READY:
            flow = Flow(self.tree, self.schedule or load_schedule(self.session), self.now)
            flow.start(self.item)
            add_event(self.session, self.cycle, self.item, self.person, WorkEventAction.START,
                      self.now, note="Pencatatan pembahasan dimulai.")

    def done(self, note: str, details: dict | None = None) -> DiscussionSession:
        add_event(self.session, self.cycle, self.item, self.person, WorkEventAction.DISCUSSION,
                  self.now, note=note, details=details)
        commit(self.session)
        return self.found


def _text(value, limit: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    return text[:limit] if limit else text


def schedule_session(session: Session, user, session_id: int, *, scheduled_at: dt.datetime,
                     place: str | None, now: dt.datetime | None = None) -> DiscussionSession:
    """When and where the session meets (aware datetime). Planning, not work: no event, the
    audit trail keeps it, and the groups may still change afterwards."""
    rec = _Record(session, user, session_id, now)
    if rec.item is not None and rec.item.status == WorkItemStatus.DONE:
        raise DiscussionLockedError(f"Pembahasan {rec.label} sudah selesai.")
    if scheduled_at is None:
        raise DiscussionRecordInvalidError("Tanggal dan jam sesi wajib diisi.")
    rec.found.scheduled_at = to_db(scheduled_at)
    rec.found.place = _text(place, 200) or None
    commit(session)
    return rec.found


def add_attendance(session: Session, user, session_id: int, *, name: str | None,
                   position: str | None = None, present: bool = True,
                   user_id: int | None = None, org_unit_id: int | None = None,
                   now: dt.datetime | None = None,
                   schedule: Schedule | None = None) -> Attendance:
    rec = _Record(session, user, session_id, now, schedule)
    rec.open_for_records()
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id else None
    if org_unit_id and (unit is None or unit.id not in {u.org_unit_id
                                                        for u in rec.group.unit_links}):
        raise DiscussionRecordInvalidError(
            "Satuan organisasi peserta harus salah satu satuan organisasi kelompok ini.")
    person = Directory(session, only=(user_id,)).person(user_id) if user_id else None
    if user_id and person is None:
        raise DiscussionRecordInvalidError("Akun peserta tidak ditemukan.")
    name = _text(name, 200) or (person.name if person else "")
    if not name:
        raise DiscussionRecordInvalidError("Nama peserta wajib diisi.")
    row = Attendance(name=name, position=_text(position, 200) or None, present=bool(present),
                     user_id=user_id or None, org_unit_id=unit.id if unit else None)
    rec.found.attendance.append(row)
    state = "hadir" if row.present else "tidak hadir"
    rec.done(f"Daftar hadir {rec.label}: {name} ({state}).")
    return row


def remove_attendance(session: Session, user, attendance_id: int, *,
                      now: dt.datetime | None = None) -> DiscussionSession:
    row = session.get(Attendance, attendance_id)
    if row is None:
        raise DiscussionNotFoundError("Peserta tidak ditemukan.")
    rec = _Record(session, user, row.session_id, now)
    rec.open_for_records()
    rec.found.attendance.remove(row)
    return rec.done(f"Daftar hadir {rec.label}: {row.name} dihapus.")


def record_minutes(session: Session, user, session_id: int, *, text: str | None,
                   attachment: rules.Attachment | None = None,
                   attachments: Path | None = None, now: dt.datetime | None = None,
                   schedule: Schedule | None = None) -> DiscussionSession:
    """The minutes as text, a file (e.g. the signed scan), or both; a file replaces the
    previous one (the earlier file stays stored under its hash)."""
    rec = _Record(session, user, session_id, now, schedule)
    rec.open_for_records()
    text = _text(text)
    if not text and attachment is None and not rec.found.minutes_file_path:
        raise DiscussionRecordInvalidError("Isi notulen atau unggah berkas notulen.")
    found = rec.found
    if attachment is not None:
        stored = rules.store_attachment(attachment, attachments or attachments_dir())
        found.minutes_file_name, found.minutes_file_path = stored.name, stored.path
        found.minutes_file_sha256, found.minutes_file_size = stored.sha256, stored.size
    found.minutes = text or None
    found.minutes_recorded_at, found.minutes_by_id = to_db(rec.now), user.id
    return rec.done(f"Notulen {rec.label} dicatat.",
                    {"minutes_file": found.minutes_file_name} if attachment else None)


def group_indicators(session: Session, group: DiscussionGroup,
                     unit_id: int | None = None) -> list[Indicator]:
    """The IKU a group discusses: the latest version of each indicator of its units (of one
    unit only, for a liaison's view)."""
    units = [u.org_unit_id for u in group.unit_links]
    if unit_id is not None:
        units = [u for u in units if u == unit_id]
    newer = select(Indicator.previous_id).where(Indicator.previous_id.is_not(None))
    return list(session.scalars(select(Indicator).join(OrgUnit).where(
        Indicator.org_unit_id.in_(units), Indicator.id.not_in(newer)).order_by(
        OrgUnit.sort_order, OrgUnit.name, Indicator.sasaran_code, Indicator.code)))


def record_decisions(session: Session, user, session_id: int, decisions: list[tuple],
                     *, now: dt.datetime | None = None,
                     schedule: Schedule | None = None) -> DiscussionSession:
    """`decisions`: (indicator_id, decision, change) per indicator; an empty decision leaves
    that indicator as it is. All are checked before any is saved."""
    rec = _Record(session, user, session_id, now, schedule)
    units = {u.org_unit_id for u in rec.group.unit_links}
    checked = []
    for indicator_id, decision, change in decisions:
        decision, change = _text(decision), _text(change)
        if not decision:
            continue
        indicator = session.get(Indicator, indicator_id) if indicator_id else None
        if indicator is None or indicator.org_unit_id not in units:
            what = f"IKU {indicator.code}" if indicator else "IKU ini"
            raise DiscussionRecordInvalidError(
                f"{what} bukan milik satuan organisasi {rec.group.name}; keputusannya tidak "
                "dapat dicatat di sini.")
        if decision not in set(DecisionKind):
            raise DiscussionRecordInvalidError(
                f"Keputusan untuk IKU {indicator.code} tidak dikenal: pilih tetap, diubah atau "
                "dihapus.")
        if decision == DecisionKind.CHANGED and not change:
            raise DiscussionRecordInvalidError(
                f"IKU {indicator.code} diputuskan diubah: tuliskan perubahannya.")
        checked.append((indicator, DecisionKind(decision), change or None))
    if not checked:
        raise DiscussionRecordInvalidError("Pilih keputusan untuk sedikitnya satu IKU.")
    rec.open_for_records()
    existing = {d.indicator_id: d for d in rec.found.decisions}
    moved, words = [], {}
    for indicator, decision, change in checked:
        row = existing.get(indicator.id)
        if row is None:
            row = DiscussionDecision(indicator_id=indicator.id, recorded_at=to_db(rec.now))
            rec.found.decisions.append(row)
        row.decision, row.change = decision, change
        row.recorded_at, row.recorded_by_id = to_db(rec.now), user.id
        words[indicator.code] = DECISION_WORDS[decision]
        if decision != DecisionKind.DROPPED and indicator.status == IndicatorStatus.DRAFT:
            indicator.status = IndicatorStatus.DIBAHAS
            moved.append(indicator.code)
    return rec.done(f"Keputusan {rec.label} atas {len(checked)} IKU dicatat.",
                    {"decisions": words, "under_discussion": moved})
