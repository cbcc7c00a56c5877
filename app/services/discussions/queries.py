"""What the discussion pages read: a cycle's groups, one session, the links on the cycle page.

`unit_id` narrows to one unit (a liaison's scope, app.security.current_scope_unit_id): only
the groups that include it, and only its own indicators' decisions; out of scope is "not
found", exactly like a record of another unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models.cycles import Cycle, CycleUnit, WorkItem
from app.models.discussions import DiscussionGroup, DiscussionGroupUnit, DiscussionSession
from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.services.cycles.people import Directory, Person
from app.services.discussions.errors import DiscussionNotFoundError
from app.services.discussions.groups import (
    DISCUSS,
    can_define,
    discussion_items,
    load_tree,
    lock_reason,
)
from app.services.discussions.records import can_record, group_indicators


@dataclass(frozen=True)
class GroupsPage:
    cycle: Cycle
    groups: list[DiscussionGroup]
    free_units: list[OrgUnit]  # units of the cycle in no group yet
    locked: str | None  # why the groups can no longer change (None: they can)
    can_define: bool
    candidates: list[Person]  # bureau people who may lead or sit in a group
    sessions: int  # how many sessions each group holds


def _groups_query(cycle_id: int, unit_id: int | None):
    query = select(DiscussionGroup).where(DiscussionGroup.cycle_id == cycle_id).options(
        selectinload(DiscussionGroup.unit_links).selectinload(DiscussionGroupUnit.org_unit),
        selectinload(DiscussionGroup.members), selectinload(DiscussionGroup.sessions)
        .selectinload(DiscussionSession.work_item),
    ).order_by(DiscussionGroup.number)
    if unit_id is not None:
        query = query.where(DiscussionGroup.units.any(OrgUnit.id == unit_id))
    return query


def groups_page(session: Session, user, cycle_id: int, unit_id: int | None = None) -> GroupsPage:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or (unit_id is not None and not any(
            u.org_unit_id == unit_id for u in cycle.units)):
        raise DiscussionNotFoundError("Siklus tidak ditemukan.")
    groups = list(session.scalars(_groups_query(cycle_id, unit_id)))
    tree = load_tree(session, cycle_id)
    targets = discussion_items(cycle.standard.content, tree)
    directory = Directory(session)
    grouped = set(session.scalars(select(DiscussionGroupUnit.org_unit_id).where(
        DiscussionGroupUnit.cycle_id == cycle_id)))
    free = list(session.scalars(select(OrgUnit).join(CycleUnit, CycleUnit.org_unit_id == OrgUnit.id)
                                .where(CycleUnit.cycle_id == cycle_id,
                                       OrgUnit.id.not_in(grouped or {0}))
                                .order_by(OrgUnit.sort_order, OrgUnit.name)))
    person = directory.person(user.id)
    candidates = sorted((p for p in directory.people.values() if p.is_bureau),
                        key=lambda p: (p.level or 99, p.name))
    return GroupsPage(cycle, groups, free if unit_id is None else [],
                      lock_reason(session, tree, targets), can_define(person), candidates,
                      len(targets))


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    decision: str | None
    change: str | None


@dataclass(frozen=True)
class SessionPage:
    found: DiscussionSession
    group: DiscussionGroup
    item: WorkItem | None
    can_record: bool
    rows: list[IndicatorRow]
    other_sessions: list[DiscussionSession]


def session_page(session: Session, user, session_id: int,
                 unit_id: int | None = None) -> SessionPage:
    found = session.get(DiscussionSession, session_id)
    if found is None or (unit_id is not None and not any(
            u.org_unit_id == unit_id for u in found.group.unit_links)):
        raise DiscussionNotFoundError("Sesi pembahasan tidak ditemukan.")
    group = found.group
    person = Directory(session, only=(user.id,)).person(user.id)
    decided = {d.indicator_id: d for d in found.decisions}
    rows = [IndicatorRow(ind, decided[ind.id].decision if ind.id in decided else None,
                         decided[ind.id].change if ind.id in decided else None)
            for ind in group_indicators(session, group, unit_id)]
    return SessionPage(found, group, found.work_item,
                       unit_id is None and can_record(person, group), rows,
                       [s for s in group.sessions if s.id != found.id])


def node_links(session: Session, cycle_id: int) -> dict[int, tuple[str, int]]:
    """The cycle page's links into the discussion: the discussion step's row to its groups
    ("groups", cycle id), each group's item to its session ("session", session id)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        return {}
    step_code = _discussion_step(cycle.standard.content)
    links: dict[int, tuple[str, int]] = {}
    if step_code is not None:
        step_id = session.scalar(select(WorkItem.id).where(
            WorkItem.cycle_id == cycle_id, WorkItem.parent_id.is_(None),
            WorkItem.code == step_code))
        if step_id is not None:
            links[step_id] = ("groups", cycle_id)
    for session_id, item_id in session.execute(
            select(DiscussionSession.id, DiscussionSession.work_item_id).join(DiscussionGroup)
            .where(DiscussionGroup.cycle_id == cycle_id)).all():
        if item_id is not None:
            links[item_id] = ("session", session_id)
    return links


def _discussion_step(content: dict) -> str | None:
    for step in content.get("steps", []):
        if any(sub.get("action") == DISCUSS for sub in step.get("substeps", [])):
            return step["code"]
    return None
