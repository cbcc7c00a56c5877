"""The unit portal: what a unit's liaison reads about its own unit (its cycles, where they
stand, what it must do next and by when, its IKU, its submissions), what it may see of a
cycle's page, and the window in which it may change its IKU.

Plain read models (dataclasses, aware datetimes in the schedule's zone): the pages word them.
The editing window is a record rule of the IKU registry (app.services.validation), so the
pages, the API and any import refuse a unit's change outside it with the same words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, CycleStatus, CycleUnit, SlaStatus, WorkItem, WorkItemKind
from app.models.cycles import WorkItemStatus as S
from app.models.iku import Indicator, IndicatorTarget
from app.models.org import OrgUnit
from app.models.submissions import FinalSubmission
from app.security import current_scope_unit_id
from app.services import iku as iku_service
from app.services import proposals
from app.services.calendar import load_schedule
from app.services.cycles.flow import Tree, from_db
from app.services.cycles.naming import Family, ItemRef
from app.services.cycles.sla import Sla, item_sla
from app.services.validation import FieldInvalidError, register_record_rule
from app.services.working_time import Schedule

# The step whose start opens a unit's editing window: the drafting of the IKU (seed B.4). The
# window closes when the unit's own share (its items of kind "unit", seed B.6) is done.
DRAFTING_STEP = "s04"


@dataclass(frozen=True)
class UnitShare:
    """The unit's share of a cycle: what it must do next and by when."""

    item_id: int
    ref: ItemRef | None
    title: str
    status: str
    due: dt.datetime | None  # due_at once handed over, else the planned due
    planned: bool  # True: `due` is the plan ("rencana"), the item is not handed over yet
    sla: Sla
    completed_at: dt.datetime | None
    submission_id: int | None
    late: bool

    @property
    def can_submit(self) -> bool:
        return self.status in (S.READY, S.IN_PROGRESS) and self.submission_id is None


@dataclass(frozen=True)
class CycleStanding:
    cycle_id: int
    code: str
    title: str
    step_ref: ItemRef | None  # the current step ("Langkah 5")
    step_title: str | None
    shares: list[UnitShare]


@dataclass(frozen=True)
class SubmissionRow:
    id: int
    cycle_code: str
    submitted_at: dt.datetime
    approver_name: str
    late: bool


@dataclass(frozen=True)
class ProposalRow:
    id: int
    reason: str
    status: str
    submitted_at: dt.datetime


@dataclass(frozen=True)
class UnitHome:
    unit_id: int
    unit_name: str
    cycles: list[CycleStanding]
    iku_counts: list[tuple[str, int]]  # (status code, count) in the registry's order
    submissions: list[SubmissionRow]
    proposals: list[ProposalRow]  # newest first


def _active_cycles(session: Session, unit_id: int) -> list[Cycle]:
    return list(session.scalars(
        select(Cycle).join(CycleUnit, CycleUnit.cycle_id == Cycle.id)
        .where(CycleUnit.org_unit_id == unit_id, Cycle.status == CycleStatus.ACTIVE)
        .order_by(Cycle.started_at)))


def _local(value, schedule: Schedule):
    return from_db(value).astimezone(schedule.zone) if value is not None else None


def unit_home(session: Session, unit_id: int, now: dt.datetime | None = None, *,
              schedule: Schedule | None = None) -> UnitHome | None:
    """The home page of a unit's liaison: its active cycles with the current step and the
    unit's share (deadline, SLA), its IKU counted by status, its submissions and its change
    proposals."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    schedule = schedule or load_schedule(session)
    submitted = {s.cycle_id: s for s in session.scalars(
        select(FinalSubmission).where(FinalSubmission.org_unit_id == unit_id)
        .order_by(FinalSubmission.submitted_at.desc()))}
    standings = [_standing(session, cycle, unit_id, submitted.get(cycle.id), now, schedule)
                 for cycle in _active_cycles(session, unit_id)]
    counts = dict(session.execute(select(Indicator.status, func.count()).where(
        Indicator.org_unit_id == unit_id).group_by(Indicator.status)).tuples().all())
    codes = {s.cycle_id: s.cycle.code for s in submitted.values()}
    return UnitHome(
        unit.id, unit.name, standings,
        [(status.value, counts.get(status.value, 0)) for status in iku_service.STATUS_ORDER],
        [SubmissionRow(s.id, codes[s.cycle_id], _local(s.submitted_at, schedule),
                       s.approver_name, s.late) for s in submitted.values()],
        [ProposalRow(p.id, p.reason_text, str(proposals.STATUS_LABELS[p.status]),
                     _local(p.submitted_at, schedule))
         for p in proposals.unit_proposals(session, unit_id)],
    )


def unit_standing(session: Session, cycle_id: int, unit_id: int,
                  now: dt.datetime | None = None, *,
                  schedule: Schedule | None = None) -> CycleStanding | None:
    """One cycle as the unit's home page shows it (for the cycle's own page)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    sub = session.scalar(select(FinalSubmission).where(
        FinalSubmission.cycle_id == cycle_id, FinalSubmission.org_unit_id == unit_id))
    return _standing(session, cycle, unit_id, sub, now or dt.datetime.now(dt.UTC),
                     schedule or load_schedule(session))


def _standing(session: Session, cycle: Cycle, unit_id: int, sub: FinalSubmission | None,
              now: dt.datetime, schedule: Schedule) -> CycleStanding:
    tree = Tree(list(session.scalars(select(WorkItem).where(WorkItem.cycle_id == cycle.id))))
    family = Family(tree.items)
    current = next((s for s in tree.steps if s.status != S.DONE), None)
    shares = []
    for item in tree.items:
        if item.kind != WorkItemKind.UNIT or item.org_unit_id != unit_id or not item.is_leaf:
            continue
        planned = item.status == S.WAITING
        mine = sub if sub is not None and sub.work_item_id == item.id else None
        shares.append(UnitShare(
            item.id, family.ref(item.id), _step_title(tree, item), item.status,
            _local(item.planned_due if planned else item.due_at, schedule), planned,
            item_sla(item, now, schedule), _local(item.completed_at, schedule),
            mine.id if mine else None, bool(mine and mine.late)))
    return CycleStanding(cycle.id, cycle.code, cycle.title,
                         family.ref(current.id) if current else None,
                         current.title if current else None, shares)


def _step_title(tree: Tree, item: WorkItem) -> str:
    """What the unit's share is about: its step's title (the share's own title repeats the
    unit's name, which the reference already carries)."""
    parent = tree.parent(item)
    return parent.title if parent is not None else item.title


def is_overdue(sla: Sla) -> bool:
    return sla.status in (SlaStatus.OVERDUE, SlaStatus.DONE_LATE)


# ------------------------------------------------------------------ the cycle page
def hidden_items(session: Session, cycle_id: int, unit_id: int) -> set[int]:
    """The items a unit's liaison does not see on a cycle's page: other units' shares."""
    return set(session.scalars(select(WorkItem.id).where(
        WorkItem.cycle_id == cycle_id, WorkItem.kind == WorkItemKind.UNIT,
        WorkItem.org_unit_id != unit_id)))


def own_items(session: Session, cycle_id: int, unit_id: int) -> set[int]:
    return set(session.scalars(select(WorkItem.id).where(
        WorkItem.cycle_id == cycle_id, WorkItem.org_unit_id == unit_id)))


def takes_part(session: Session, cycle_id: int, unit_id: int) -> bool:
    return session.scalar(select(CycleUnit.id).where(
        CycleUnit.cycle_id == cycle_id, CycleUnit.org_unit_id == unit_id)) is not None


def unit_overview(overview, hidden: set[int], unit_name: str | None):
    """A cycle's overview (app.services.cycles.queries.CycleOverview) as a unit reads it:
    other units' shares and the events on them left out, the bureau's routing doubts left out,
    only its own unit among the units concerned."""
    codes = set()

    def prune(node):
        kept = [prune(child) for child in node.children if child.id not in hidden]
        for child in node.children:
            if child.id in hidden:
                codes.add(child.code)
        node.children = kept
        return node

    steps = [prune(step) for step in overview.steps]
    events = [e for e in overview.events if e.item_code not in codes]
    units = [u for u in overview.units if u[1] == unit_name]
    return replace(overview, steps=steps, events=events, warnings=[], units=units,
                   events_total=None)  # the cycle's total counts other units' events


# ------------------------------------------------------------------ the editing window
def editing_window(session: Session, unit_id: int) -> tuple[str, Cycle | None]:
    """Where the unit's IKU drafting stands: ("open", cycle) while an active cycle of the unit
    has reached the drafting step and the unit's share is not done; else ("not_yet", cycle),
    ("closed", cycle) or ("none", None)."""
    found: tuple[str, Cycle | None] = ("none", None)
    for cycle in _active_cycles(session, unit_id):
        rows = session.execute(select(WorkItem.step_code, WorkItem.kind, WorkItem.org_unit_id,
                                      WorkItem.status, WorkItem.parent_id).where(
            WorkItem.cycle_id == cycle.id)).all()
        drafting = [r for r in rows if r.step_code == DRAFTING_STEP and r.parent_id is None]
        started = not drafting or drafting[0].status != S.WAITING
        shares = [r for r in rows if r.kind == WorkItemKind.UNIT and r.org_unit_id == unit_id]
        done = bool(shares) and all(r.status == S.DONE for r in shares)
        if started and not done:
            return "open", cycle
        found = ("closed", cycle) if done else ("not_yet", cycle)
    return found


def _window_message(state: str, cycle: Cycle | None) -> str:
    if state == "not_yet":
        return gettext("Cycle %(code)s has not reached the drafting of the IKU yet: your unit "
                       "can change its IKU from then until it submits its final draft.",
                       code=cycle.code)
    if state == "closed":
        return gettext("Your unit has submitted its final draft in cycle %(code)s: its IKU can "
                       "no longer be changed by the unit.", code=cycle.code)
    return gettext("There is no IKU drafting cycle running for your unit: its IKU can be "
                   "changed only while a cycle is in the drafting and discussion steps.")


def check_unit_window(item) -> None:
    """Record rule: a unit's liaison changes its IKU (and their targets) only in the window."""
    unit_id = current_scope_unit_id()
    if unit_id is None:
        return
    from app.extensions import db

    with db.session.no_autoflush:
        state, cycle = editing_window(db.session, unit_id)
    if state != "open":
        field = "indicator" if isinstance(item, IndicatorTarget) else "status"
        raise FieldInvalidError(field, _window_message(state, cycle))


register_record_rule(Indicator, check_unit_window)
register_record_rule(IndicatorTarget, check_unit_window)
