"""Internal supervision (seed I): a superior records its supervision of a pelaksana below it in
the section line (periodic supervision, oral or written reprimand, sanction), with the finding,
its basis picked from lists (the pelaksana's late cycle items, the complaints it handled), the
follow-up and its due date. A written reprimand issues its letter (app.services.documents.
standalone) in the same transaction. A pelaksana sees its own records; a superior those of the
people below it; the heads of personnel matters everyone's.

How often a superior supervises comes from the standard (`supervision.frequency`, e.g. 4 per
tahun): due_supervisions lists who is due, for `flask iku supervision-remind`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext
from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import Session

from app.models.complaints import Complaint
from app.models.cycles import WorkItem, WorkItemStatus
from app.models.org import IkuUser, Pelaksana
from app.models.supervision import SupervisionKind, SupervisionRecord
from app.security import PERSONNEL_ROLES
from app.services.cycles.action import real_now
from app.services.cycles.flow import to_db
from app.services.cycles.people import Directory, Person
from app.services.standards import current_standard
from app.services.working_time import DEFAULT_TZ

WIB = ZoneInfo(DEFAULT_TZ)
MONTHS_PER = {"bulan": 1, "triwulan": 3, "semester": 6, "tahun": 12}


class SupervisionRefusedError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)

    def as_messages(self) -> dict[str, list[str]]:
        return {self.field or "_schema": [str(self)]}


def _person_of_pelaksana(directory: Directory, pelaksana_id: int) -> Person | None:
    return next((p for p in directory.people.values() if p.pelaksana_id == pelaksana_id), None)


def is_above(directory: Directory, boss: Person | None, person: Person | None) -> bool:
    """`boss` is more senior than `person` in the person's section line."""
    return (boss is not None and person is not None and boss.is_bureau and person.is_bureau
            and boss.level is not None and person.level is not None
            and boss.level < person.level
            and boss.section_id in directory.lineage(person.section_id))


class SupervisionScopeFilter(BaseFilter):
    """The base filter of the supervision list and API: the records visible_pelaksana_ids
    allows, in lists, show pages, exports and the API alike."""

    name = "Supervision scope"
    arg_name = "supervisionscope"

    def apply(self, query, value):
        from flask import current_app

        user = current_app.appbuilder.sm.current_user
        if user is None or not getattr(user, "is_authenticated", False):
            return query.filter(SupervisionRecord.id.is_(None))
        ids = visible_pelaksana_ids(self.datamodel.session, user)
        return query if ids is None else query.filter(SupervisionRecord.pelaksana_id.in_(ids))


def visible_pelaksana_ids(session: Session, user) -> set[int] | None:
    """The pelaksana whose records the user sees; None: everyone's (the heads of personnel
    matters, the Auditor). Its own and those below it; nobody's for an account without a
    pelaksana."""
    if {r.name for r in user.roles} & PERSONNEL_ROLES:
        return None
    directory = Directory(session)
    me = directory.person(user.id)
    if me is None or not me.is_bureau:
        return set()
    return {me.pelaksana_id} | {p.pelaksana_id for p in directory.people.values()
                                if is_above(directory, me, p)}


@dataclass(frozen=True)
class Basis:
    late_items: list[tuple[int, str]]  # (work item id, words)
    complaints: list[tuple[int, str]]


def basis_choices(session: Session, pelaksana_id: int) -> Basis:
    """What a record may be based on: the pelaksana's late items (done late, or past due and
    still open) and the complaints it handled or was delegated."""
    user_ids = list(session.scalars(select(IkuUser.id).where(
        IkuUser.pelaksana_id == pelaksana_id)))
    if not user_ids:
        return Basis([], [])
    now = to_db(dt.datetime.now(dt.UTC))
    items = session.scalars(select(WorkItem).where(
        WorkItem.assignee_user_id.in_(user_ids), WorkItem.is_leaf, WorkItem.due_at.is_not(None),
        or_(WorkItem.completed_at > WorkItem.due_at,
            (WorkItem.status != WorkItemStatus.DONE) & (WorkItem.due_at < now)))
        .order_by(WorkItem.due_at.desc()).limit(200)).all()
    complaints = session.scalars(select(Complaint).where(
        or_(Complaint.handler_id.in_(user_ids), Complaint.delegated_to_id.in_(user_ids)))
        .order_by(Complaint.received_at.desc()).limit(200)).all()
    return Basis([(i.id, f"{i.cycle.code} {i.label} – {i.title}"[:200]) for i in items],
                 [(c.id, f"{c.ticket} – {c.subject}"[:200]) for c in complaints])


def record_supervision(
    session: Session, user, *, pelaksana_id: int | None, kind: str, held_on: dt.date | None,
    finding: str | None, work_item_ids=(), complaint_ids=(), follow_up: str | None = None,
    follow_up_due: dt.date | None = None, now: dt.datetime | None = None,
) -> SupervisionRecord:
    """Record it (and a written reprimand's letter) and commit; everything or nothing."""
    now = real_now(now)
    directory = Directory(session)
    me = directory.person(user.id)
    subject = _person_of_pelaksana(directory, pelaksana_id) if pelaksana_id else None
    if subject is None:
        raise SupervisionRefusedError(gettext("Choose the pelaksana supervised."), "pelaksana")
    if not is_above(directory, me, subject):
        raise SupervisionRefusedError(gettext(
            "Only a superior of %(name)s may record its supervision.", name=subject.name),
            "pelaksana")
    if kind not in {k.value for k in SupervisionKind}:
        raise SupervisionRefusedError(gettext("Choose the kind of supervision."), "kind")
    if not isinstance(held_on, dt.date):
        raise SupervisionRefusedError(gettext("The date is required."), "held_on")
    if held_on > now.astimezone(WIB).date():
        raise SupervisionRefusedError(gettext("The date cannot be in the future."), "held_on")
    finding = (finding or "").strip()
    if not finding:
        raise SupervisionRefusedError(gettext("The finding is required."), "finding")
    if follow_up_due is not None and follow_up_due < held_on:
        raise SupervisionRefusedError(gettext(
            "The follow-up cannot be due before the supervision."), "follow_up_due")
    basis = basis_choices(session, pelaksana_id)
    items = sorted({int(i) for i in work_item_ids or ()})
    complaints = sorted({int(i) for i in complaint_ids or ()})
    if not set(items) <= {i for i, _ in basis.late_items}:
        raise SupervisionRefusedError(gettext(
            "The basis may only name late items of this pelaksana."), "work_item_ids")
    if not set(complaints) <= {i for i, _ in basis.complaints}:
        raise SupervisionRefusedError(gettext(
            "The basis may only name complaints this pelaksana handled."), "complaint_ids")
    record = SupervisionRecord(
        kind=kind, pelaksana_id=pelaksana_id, supervisor_id=me.pelaksana_id, held_on=held_on,
        finding=finding[:10000], work_item_ids=items, complaint_ids=complaints,
        follow_up=(follow_up or "").strip() or None, follow_up_due=follow_up_due,
        recorded_by_id=user.id, recorded_at=to_db(now))
    if kind == SupervisionKind.TEGURAN_TERTULIS:
        from app.services.documents import standalone

        record.document = standalone.issue(
            session, user, "teguran_tertulis", pelaksana_id=pelaksana_id,
            fields={"pelanggaran": finding[:2000]}, now=now)
    session.add(record)
    session.commit()
    return record


def complete_follow_up(session: Session, user, record_id: int,
                       now: dt.datetime | None = None) -> SupervisionRecord:
    """The supervisor (or a head above it) marks the follow-up done."""
    record = session.get(SupervisionRecord, record_id)
    directory = Directory(session)
    me = directory.person(user.id)
    subject = _person_of_pelaksana(directory, record.pelaksana_id) if record else None
    if record is None or not is_above(directory, me, subject):
        raise SupervisionRefusedError(gettext(
            "Only a superior of the pelaksana may close the follow-up."))
    if record.follow_up_done_at is not None:
        raise SupervisionRefusedError(gettext("The follow-up is already done."))
    record.follow_up_done_at = to_db(real_now(now))
    session.commit()
    return record


def supervision_records_of(session: Session, pelaksana_id: int, year: int) -> list[
        SupervisionRecord]:
    """A pelaksana's records held in `year`, oldest first: for the yearly evaluation."""
    return list(session.scalars(select(SupervisionRecord).where(
        SupervisionRecord.pelaksana_id == pelaksana_id,
        extract("year", SupervisionRecord.held_on) == year)
        .order_by(SupervisionRecord.held_on, SupervisionRecord.id)))


def findings_by_kind(session: Session, year: int) -> list[tuple[str, int]]:
    rows = session.execute(select(SupervisionRecord.kind, func.count()).where(
        extract("year", SupervisionRecord.held_on) == year).group_by(SupervisionRecord.kind))
    tally = Counter(dict(rows.tuples().all()))
    return [(k.value, tally.get(k.value, 0)) for k in SupervisionKind]


def period_months(session: Session) -> int:
    """Months between periodic supervisions, from the standard (default: quarterly)."""
    standard = current_standard(session, "iku")
    frequency = ((standard.content.get("supervision") or {}).get("frequency")
                 if standard else None) or {"times": 4, "per": "tahun"}
    return max(1, MONTHS_PER[frequency["per"]] // max(1, frequency["times"]))


@dataclass(frozen=True)
class Due:
    supervisor_user_id: int
    supervisor: str
    pelaksana_id: int
    pelaksana: str
    last: dt.date | None


def due_supervisions(session: Session, today: dt.date | None = None) -> list[Due]:
    """Each direct superior and pelaksana pair without a periodic supervision in the last
    period: the schedule's reminders."""
    today = today or dt.datetime.now(WIB).date()
    months = period_months(session)
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    last = dict(session.execute(select(SupervisionRecord.pelaksana_id,
                                       func.max(SupervisionRecord.held_on))
                                .where(SupervisionRecord.kind == SupervisionKind.SUPERVISI)
                                .group_by(SupervisionRecord.pelaksana_id)).tuples().all())
    directory = Directory(session)
    out = []
    for person in sorted(directory.people.values(), key=lambda p: p.name):
        boss = directory.superior(person) if person.is_bureau else None
        if boss is None:
            continue
        seen = last.get(person.pelaksana_id)
        if seen is None or seen < start:
            out.append(Due(boss.user_id, boss.name, person.pelaksana_id, person.name, seen))
    return out


def pelaksana_choices(session: Session, user) -> list[tuple[int, str]]:
    """The pelaksana the user may record supervision of."""
    directory = Directory(session)
    me = directory.person(user.id)
    people = [p for p in directory.people.values() if is_above(directory, me, p)]
    names = dict(session.execute(select(Pelaksana.id, Pelaksana.name)).tuples().all())
    return sorted(((p.pelaksana_id, names.get(p.pelaksana_id, p.name)) for p in people),
                  key=lambda x: x[1])
