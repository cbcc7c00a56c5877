"""Demo cycle for `make run`: "IKU-2027", started for all 13 units about three weeks of working
days ago and worked step by step by the demo people, up to the discussion step (5). The cycle
page, the SLA board, Tugas saya and every liaison's home then show a real cycle with history,
one late step, and each unit's step-6 deadline ahead.

The start is chosen on the calendar in the database so that the plan puts the end of step 4
just before now, whatever day `make run` happens on; each leaf is completed half-way through
what is left of its time, as its assignee (or the serving Bagian's staff for outside actors).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models.cycles import Cycle, WorkItem, WorkItemStatus
from app.models.org import IkuUser, Section
from app.services import cycles, documents
from app.services.calendar import load_schedule
from app.services.cycles.flow import from_db
from app.services.standards import current_standard
from app.services.working_time import add_duration, is_working_day, working_minutes_between

CODE, PERIOD, STANDARD = "IKU-2027", "2025-2029", "iku"
WORKED_STEPS = ("s01", "s02", "s03", "s04")
LATE_STEP = "s03"  # its last sub-step is done two working hours after its due
STAFF_OF = {"AK1": "staf1", "AK2": "staf2"}


def _start(now: dt.datetime, schedule) -> dt.datetime:
    """The latest working morning from which the plan ends step 4 at least two hours ago."""
    standard = current_standard(db.session, STANDARD)
    day = now.astimezone(schedule.zone).date()
    for _ in range(60):
        day -= dt.timedelta(days=1)
        if not is_working_day(day, schedule):
            continue
        start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=schedule.zone)
        plan = cycles.plan_preview(db.session, standard, start, schedule=schedule)
        if plan.steps[3].due and plan.steps[3].due <= now - dt.timedelta(hours=2):
            return start
    raise RuntimeError("Tidak menemukan tanggal mulai siklus demo.")


def _actor(item: WorkItem, users: dict[str, IkuUser], lead: Section | None) -> IkuUser:
    if item.assignee_user_id is not None:
        return db.session.get(IkuUser, item.assignee_user_id)
    section = db.session.get(Section, item.section_id) if item.section_id else lead
    code = section.code if section is not None else "AK1"
    return users[STAFF_OF["AK2" if code.startswith("AK2") else "AK1"]]


def _open_leaves(cycle_id: int, steps: tuple[str, ...]) -> list[WorkItem]:
    return list(db.session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle_id, WorkItem.is_leaf.is_(True),
        WorkItem.step_code.in_(steps),
        WorkItem.status.in_((WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS)),
    ).order_by(WorkItem.position)))


def _minutes(item: WorkItem, lead: IkuUser, at: dt.datetime, schedule) -> None:
    """A discussion group's item is done only with its session's minutes: record them."""
    from app.models.discussions import DiscussionSession
    from app.services import discussions

    found = db.session.scalar(select(DiscussionSession).where(
        DiscussionSession.work_item_id == item.id))
    if found is not None and not found.minutes:
        discussions.record_minutes(
            db.session, lead, found.id, now=at, schedule=schedule,
            text="Pembahasan draf IKU setiap unit kelompok; seluruh IKU dibahas dan disepakati.")


def _leaves_left(cycle_id: int, step_code: str) -> int:
    return len(db.session.scalars(select(WorkItem.id).where(
        WorkItem.cycle_id == cycle_id, WorkItem.step_code == step_code,
        WorkItem.is_leaf.is_(True), WorkItem.status != WorkItemStatus.DONE)).all())


def _done_at(item: WorkItem, left: int, last: dt.datetime, schedule) -> dt.datetime:
    """Nine tenths of an equal share of what is left of the item's time for each of the `left`
    leaves of its step still to do (leaves without a time of their own share their step's due),
    so steps end close to, and before, their due."""
    ready, due = max(from_db(item.ready_at) or last, last), from_db(item.due_at)
    if due is None:
        return last + dt.timedelta(minutes=15)
    if item.step_code == LATE_STEP and item.code.endswith(".c"):
        return add_duration(due, "2 jam", schedule)
    share = max(int(working_minutes_between(ready, due, schedule) * 0.9 / left), 5)
    return max(add_duration(ready, f"{share} menit", schedule), last + dt.timedelta(minutes=1))


def _action(cycle: Cycle, code: str) -> str | None:
    """The standard's action (draft, review, sign, number, send...) of an item, by its code
    (s02.a.5, s02.a.7@AK1: the step, then the labels of its sub-steps)."""
    parts = code.split("@")[0].split(".")
    node = next((s for s in cycle.standard.content.get("steps", []) if s["code"] == parts[0]), {})
    for label in parts[1:]:
        node = next((s for s in node.get("substeps", [])
                     if str(s.get("label", "")).rstrip(")") == label), {})
    return node.get("action")


def _documents(cycle: Cycle, leaf: WorkItem, actor: IkuUser, at: dt.datetime) -> None:
    """The naskah dinas of the step, as its people make them: generated at the first sub-step
    of its chain, finalised (numbered) when the chain numbers or sends it, left a draft when it
    goes on to a later step; so the register, the item pages and the verification page have
    real documents. PDFs are left for the first download."""
    anchor = documents.anchor_of(db.session, leaf)
    if anchor is None:
        return
    for code in anchor.documents:
        doc = documents.current_document(db.session, anchor.id, code)
        if doc is None:
            doc = documents.generate(db.session, actor, leaf.id, code, {}, now=at)
        if doc.status == "draft" and _action(cycle, leaf.code) in ("number", "send"):
            documents.finalise(db.session, actor, leaf.id, doc.id, now=at, with_pdf=False)


def work_steps(cycle: Cycle, steps: tuple[str, ...], last: dt.datetime, now: dt.datetime,
               schedule=None) -> dt.datetime:
    """Complete every open leaf of `steps`, in order, as its people would, between `last` and
    `now`; returns the moment of the last completion. Also used by the browser tests to bring
    the demo cycle to a later step."""
    schedule = schedule or load_schedule(db.session)
    users = {u.username: u for u in db.session.scalars(select(IkuUser))}
    for _ in range(300):
        leaves = _open_leaves(cycle.id, steps)
        if not leaves:
            break
        leaf = leaves[0]
        left = _leaves_left(cycle.id, leaf.step_code)
        last = max(min(_done_at(leaf, left, last, schedule), now - dt.timedelta(minutes=1)),
                   last + dt.timedelta(seconds=1))
        actor = _actor(leaf, users, cycle.lead_section)
        _minutes(leaf, actor, last, schedule)
        _documents(cycle, leaf, actor, last)
        cycles.complete_item(db.session, actor, leaf.id, note="Selesai (data demo).", now=last,
                             schedule=schedule)
    return last


def _discussion_groups(cycle: Cycle, users: dict[str, IkuUser], at: dt.datetime,
                       schedule) -> None:
    """Step 5a as the Kabag do it: one discussion group per Bagian with the units it serves,
    led by its Kasubbag with its staff; session 1 scheduled for the next working morning."""
    from app.models.discussions import DiscussionSession
    from app.services import discussions

    by_section: dict[str, list[int]] = {}
    for link in cycle.units:
        by_section.setdefault(link.section.code if link.section else "AK1", []).append(
            link.org_unit_id)
    plan = [("AK1", "Kelompok I (Bagian AK I)", "kabag1", "kasubbag1", "staf1"),
            ("AK2", "Kelompok II (Bagian AK II)", "kabag2", "kasubbag2", "staf2")]
    day = at.astimezone(schedule.zone).date() + dt.timedelta(days=1)
    while not is_working_day(day, schedule):
        day += dt.timedelta(days=1)
    for hour, (section, name, kabag, lead, member) in zip((9, 13), plan, strict=True):
        if not by_section.get(section):
            continue
        group = discussions.save_group(
            db.session, users[kabag], cycle.id, name=name, unit_ids=by_section[section],
            lead_id=users[lead].id, member_ids=[users[member].id], now=at, schedule=schedule)
        first = db.session.scalar(select(DiscussionSession).where(
            DiscussionSession.group_id == group.id).order_by(DiscussionSession.number))
        if first is not None:
            discussions.schedule_session(
                db.session, users[lead], first.id, place="Ruang Rapat Biro OTLAK, Lantai 2",
                scheduled_at=dt.datetime.combine(day, dt.time(hour), tzinfo=schedule.zone),
                now=at)
    assigning = db.session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle.id, WorkItem.code.like("s05#1.a%"), WorkItem.is_leaf.is_(True),
        WorkItem.status.in_((WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS)))).all()
    for item in assigning:  # 5a done: the groups' discussions are handed over
        cycles.complete_item(db.session, _actor(item, users, cycle.lead_section), item.id,
                             note="Kelompok pembahasan ditetapkan.", now=at, schedule=schedule)


def load_demo_cycle(now: dt.datetime | None = None) -> list[str]:
    """Idempotent: does nothing once any cycle exists."""
    if db.session.scalar(select(Cycle.id).limit(1)) is not None:
        return ["Siklus demo sudah ada."]
    schedule = load_schedule(db.session)
    now = now or dt.datetime.now(dt.UTC)
    users = {u.username: u for u in db.session.scalars(select(IkuUser))}
    start = _start(now, schedule)
    cycle = cycles.start_cycle(
        db.session, users["karo"], standard_code=STANDARD, code=CODE, period=PERIOD,
        reason="organisation_change", title="Perubahan IKU Kementerian Sekretariat Negara 2025-2029",
        reason_note="Penyesuaian IKU dengan perubahan organisasi Kementerian Sekretariat Negara.",
        now=start, schedule=schedule)
    last = work_steps(cycle, WORKED_STEPS, start, now, schedule)
    _discussion_groups(cycle, users, max(last, now - dt.timedelta(minutes=20)), schedule)
    pdfs = documents.make_missing_pdfs(db.session) if documents.pdf_available() else 0
    return [f"Siklus demo {CODE} dimulai {start:%d-%m-%Y %H:%M} WIB, kini pada langkah "
            "Pembahasan Substansi.", f"Naskah dinas demo: PDF dibuat untuk {pdfs} dokumen final."
            if pdfs else "Naskah dinas demo: PDF dibuat saat pertama diunduh (LibreOffice "
            "tidak terpasang)."]
