"""Shares added to a running cycle's tree after its start, and taken away while untouched.

The builder (build.py) makes the whole tree when a cycle starts. Some shares only become known
later: which discussion groups sit in step 5 is decided in step 5 itself (seed 5a). They are
grafted under an existing item as parallel leaves, like a Bagian's or a unit's share:

- the parent stops being a leaf and runs its children side by side; it is done when all are
  (Flow derives it, as for every parent);
- the children have no time standard of their own: they share the nearest timed ancestor's
  clock (their planned start and due are the parent's);
- `position` stays the pre-order of the tree: the children follow their parent directly, and
  every later item of the cycle moves down (or up) by the difference. Positions are display
  order, not state, so they are shifted with one UPDATE that does not bump the items'
  optimistic-lock version (a page showing step 7 must not be refused because step 5 grew);
- a child can only be taken away while nothing happened to it: never started and no event
  (events are immutable history and point at their item).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.models.cycles import (
    OPEN_STATUSES,
    Reminder,
    WorkEvent,
    WorkItem,
    WorkItemStatus,
)
from app.services.cycles.errors import WorkItemStateError
from app.services.cycles.flow import Flow, Tree


@dataclass(frozen=True)
class Share:
    """One child to graft: its code (unique in the cycle), label, title and people."""

    code: str
    label: str
    title: str
    actor_name: str
    assignee_user_id: int | None
    section_id: int | None
    participants: list[str] = field(default_factory=list)


def untouched(session: Session, item: WorkItem) -> bool:
    """Never started, not done, and no event recorded on it."""
    if item.started_at is not None or item.status in (WorkItemStatus.DONE,
                                                      WorkItemStatus.IN_PROGRESS,
                                                      WorkItemStatus.PAUSED):
        return False
    return not session.scalar(select(exists().where(WorkEvent.item_id == item.id)))


def replace_shares(session: Session, tree: Tree, parent: WorkItem, kind: str,
                   wanted: list[Share], flow: Flow) -> list[WorkItem]:
    """Make `parent`'s children exactly `wanted` (matched by code): existing ones updated,
    missing ones added (and handed over at once when the parent is open), the others removed.
    The caller holds the cycle's lock and has loaded `tree` fresh. Returns the children."""
    old = tree.children(parent)
    if any(kid.kind != kind for kid in old):
        raise WorkItemStateError("Butir ini sudah terbagi menurut hal lain; tidak dapat dibagi.")
    if parent.status == WorkItemStatus.DONE or (not old and parent.started_at is not None):
        raise WorkItemStateError("Butir ini sudah mulai dikerjakan; tidak dapat dibagi lagi.")
    codes = {share.code for share in wanted}
    gone = [kid for kid in old if kid.code not in codes]
    for kid in gone:
        if not untouched(session, kid):
            raise WorkItemStateError(f"{kid.title} sudah mulai dikerjakan; tidak dapat dihapus.")
    if gone:
        ids = [kid.id for kid in gone]
        session.execute(delete(Reminder).where(Reminder.item_id.in_(ids)))
        for kid in gone:
            session.delete(kid)
    session.flush()

    delta = len(wanted) - len(old)
    end = parent.position + len(old)  # the old children sit right after their parent
    if delta:
        session.execute(update(WorkItem.__table__).where(
            WorkItem.__table__.c.cycle_id == parent.cycle_id,
            WorkItem.__table__.c.position > end,
        ).values(position=WorkItem.__table__.c.position + delta))
        for item in tree.items:  # keep the loaded rows in step, without dirtying them
            if item.position > end and item not in gone:
                set_committed_value(item, "position", item.position + delta)

    kept = {kid.code: kid for kid in old if kid.code in codes}
    children: list[WorkItem] = []
    for offset, share in enumerate(wanted, start=1):
        kid = kept.get(share.code)
        if kid is None:
            kid = WorkItem(
                cycle_id=parent.cycle_id, parent=parent, depth=parent.depth + 1,
                code=share.code, step_code=parent.step_code, kind=kind, parallel=False,
                is_leaf=True, actor_code=parent.actor_code, actor_kind=parent.actor_kind,
                documents=[], status=WorkItemStatus.WAITING, paused_minutes=0.0,
                planned_start=parent.planned_start, planned_due=parent.planned_due,
                label=share.label, title=share.title, position=0,
            )
            session.add(kid)
        for name in ("label", "title", "actor_name", "assignee_user_id", "section_id"):
            if getattr(kid, name) != getattr(share, name):
                setattr(kid, name, getattr(share, name))
        if kid.participants != share.participants:
            kid.participants = list(share.participants)
        if kid.position != parent.position + offset:
            kid.position = parent.position + offset
        children.append(kid)
    parent.is_leaf = not children
    parent.parallel = bool(children)
    session.flush()

    fresh = [item for item in tree.items if item not in gone]
    fresh += [kid for kid in children if kid.code not in kept]
    grown = Tree(fresh)
    flow.tree = grown
    if parent.status in OPEN_STATUSES:
        for kid in children:
            if kid.status == WorkItemStatus.WAITING:
                flow.activate(kid)
    return children
