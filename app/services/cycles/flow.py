"""The state machine of a cycle's work items, over one cycle's items held in memory.

Pure with respect to the database (the caller loads the items, this module changes attributes)
and to the clock (`now` is always passed in). Rules:
- An item becomes READY when its turn comes: the first child of a sequential parent, every
  child of a parallel one, the next sibling when the previous is done, the next step when the
  previous step is done. Its clock starts then (handed over = the time standard runs).
- A parent is DONE when all its children are; IN_PROGRESS once any leaf under it started.
- An item's due comes from its own time standard (duration from READY; a relative deadline
  from the anchor step's end; both given: the earlier) or is shared with the nearest ancestor
  that has one. Untimed with no timed ancestor: no due. Where children's own times exceed their
  parent's, the standard's policy fits them into it or extends it (see timing).
- Pausing stops the clocks of the item and of its timed ancestors (the step waits with it);
  resuming adds the working minutes paused to their due once no other leaf under them is paused.
- Returning sends a leaf back to WAITING and reopens the previous item of its chain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from app.models.cycles import OPEN_STATUSES, WorkItem, WorkItemStatus
from app.services.cycles.timing import clock_duration, extended_due
from app.services.working_time import Duration, Schedule, add_duration, working_minutes_between

UTC = dt.UTC


def to_db(value: dt.datetime | None) -> dt.datetime | None:
    """Aware -> naive UTC, the stored form (see app.models.cycles)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the cycle engine; pass an aware one")
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db(value: dt.datetime | None) -> dt.datetime | None:
    """Stored naive UTC -> aware UTC (tolerates an aware value from a timestamptz column)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Tree:
    """One cycle's items with parent/child navigation; items in `position` (pre-)order."""

    def __init__(self, items: list[WorkItem]):
        self.items = sorted(items, key=lambda i: i.position)
        self.by_id = {i.id: i for i in self.items}
        self.by_code = {i.code: i for i in self.items}
        self.kids: dict[int | None, list[WorkItem]] = defaultdict(list)
        for item in self.items:
            self.kids[item.parent_id].append(item)
        self.steps = self.kids[None]

    def parent(self, item: WorkItem) -> WorkItem | None:
        return self.by_id.get(item.parent_id) if item.parent_id is not None else None

    def children(self, item: WorkItem) -> list[WorkItem]:
        return self.kids.get(item.id, [])

    def ancestors(self, item: WorkItem) -> Iterator[WorkItem]:
        node = self.parent(item)
        while node is not None:
            yield node
            node = self.parent(node)

    def siblings(self, item: WorkItem) -> list[WorkItem]:
        return self.kids[item.parent_id]

    def leaves(self, item: WorkItem) -> Iterator[WorkItem]:
        kids = self.children(item)
        if not kids:
            yield item
        for kid in kids:
            yield from self.leaves(kid)

    def step_of(self, item: WorkItem) -> WorkItem:
        *_, top = [item, *self.ancestors(item)]
        return top

    def blocker(self, item: WorkItem) -> WorkItem | None:
        """The nearest unfinished item that must be done before `item` may start: the
        previous item of its chain, else of its parent's chain, up to the previous step."""
        node = item
        while node is not None:
            parent = self.parent(node)
            if parent is None or not parent.parallel:
                siblings = self.siblings(node)
                for sibling in reversed(siblings[:siblings.index(node)]):
                    if sibling.status != WorkItemStatus.DONE:
                        return sibling
            node = parent
        return None


def has_own_clock(item: WorkItem) -> bool:
    return item.duration_value is not None or bool(item.relative_deadline)


def relative_anchor(tree: Tree, item: WorkItem) -> tuple[WorkItem, bool] | None:
    rel = item.relative_deadline
    if not rel:
        return None
    return tree.by_code[rel["after"]], rel.get("anchor", "end") == "end"


class Flow:
    """Applies one user action's consequences to a cycle's tree."""

    def __init__(self, tree: Tree, schedule: Schedule, now: dt.datetime):
        self.tree, self.schedule, self.now = tree, schedule, now
        self.cycle_done = False

    def wm(self, a: dt.datetime, b: dt.datetime) -> float:
        return working_minutes_between(a, b, self.schedule)

    # ------------------------------------------------------------------ clocks
    def start_clock(self, item: WorkItem) -> None:
        options: list[tuple[dt.datetime, dt.datetime]] = []
        parent = self.tree.parent(item)
        duration = clock_duration(
            self.tree, item, from_db(parent.clock_start) if parent else None,
            parent.allowed_minutes if parent else None, self.schedule,
        )
        if duration is not None:
            options.append((self.now, add_duration(self.now, duration, self.schedule)))
        anchor = relative_anchor(self.tree, item)
        if anchor is not None:
            target, at_end = anchor
            start = from_db(target.completed_at if at_end else target.ready_at) or self.now
            rel = item.relative_deadline
            options.append((start, add_duration(start, Duration(rel["value"], rel["unit"]),
                                                self.schedule)))
        start, due = min(options, key=lambda pair: pair[1])
        due = extended_due(self.tree, item, start, due, self.schedule)
        item.clock_start, item.due_at = to_db(start), to_db(due)
        item.allowed_minutes = max(self.wm(start, due), 0.0)
        item.clock_paused_at, item.paused_minutes = None, 0.0

    def share_clock(self, item: WorkItem, parent: WorkItem | None) -> None:
        src = parent if parent is not None and parent.due_at is not None else None
        item.clock_start = src.clock_start if src else None
        item.due_at = src.due_at if src else None
        item.allowed_minutes = src.allowed_minutes if src else None
        item.clock_paused_at = src.clock_paused_at if src else None
        item.paused_minutes = src.paused_minutes if src else 0.0

    def sync_shared(self) -> None:
        """Open items without their own time standard follow their parent's clock."""
        for item in self.tree.items:  # pre-order: a parent is synced before its children
            if item.status in OPEN_STATUSES and not has_own_clock(item):
                self.share_clock(item, self.tree.parent(item))

    # ------------------------------------------------------------------ transitions
    def activate(self, item: WorkItem) -> None:
        item.status = WorkItemStatus.READY
        item.ready_at = to_db(self.now)
        item.started_at = item.completed_at = item.completed_by_id = None
        if has_own_clock(item):
            self.start_clock(item)
        else:
            self.share_clock(item, self.tree.parent(item))
        kids = self.tree.children(item)
        for kid in kids if item.parallel else kids[:1]:
            self.activate(kid)

    def start(self, leaf: WorkItem) -> None:
        leaf.status = WorkItemStatus.IN_PROGRESS
        leaf.started_at = to_db(self.now)
        for node in self.tree.ancestors(leaf):
            if node.status == WorkItemStatus.READY:
                node.status = WorkItemStatus.IN_PROGRESS
            node.started_at = node.started_at or leaf.started_at

    def complete(self, leaf: WorkItem, user_id: int | None) -> None:
        if leaf.started_at is None:
            self.start(leaf)
        leaf.status = WorkItemStatus.DONE
        leaf.completed_at, leaf.completed_by_id = to_db(self.now), user_id
        self.advance(leaf)
        self.sync_shared()

    def advance(self, node: WorkItem) -> None:
        parent = self.tree.parent(node)
        siblings = self.tree.siblings(node)
        if parent is not None and all(s.status == WorkItemStatus.DONE for s in siblings):
            parent.status = WorkItemStatus.DONE
            parent.completed_at, parent.clock_paused_at = to_db(self.now), None
            self.advance(parent)
            return
        if parent is not None and parent.parallel:
            return
        later = siblings[siblings.index(node) + 1:]
        if later:
            self.activate(later[0])
        elif parent is None:
            self.cycle_done = True

    def pause(self, leaf: WorkItem) -> None:
        leaf.status = WorkItemStatus.PAUSED
        for node in [leaf, *self.tree.ancestors(leaf)]:
            if has_own_clock(node) and node.clock_paused_at is None:
                node.clock_paused_at = to_db(self.now)
        self.sync_shared()

    def resume(self, leaf: WorkItem) -> None:
        leaf.status = WorkItemStatus.IN_PROGRESS if leaf.started_at else WorkItemStatus.READY
        for node in [leaf, *self.tree.ancestors(leaf)]:
            if not has_own_clock(node) or node.clock_paused_at is None:
                continue
            if any(x.status == WorkItemStatus.PAUSED for x in self.tree.leaves(node)):
                continue
            minutes = round(self.wm(from_db(node.clock_paused_at), self.now))
            node.paused_minutes = (node.paused_minutes or 0.0) + minutes
            if minutes > 0 and node.due_at is not None:
                node.due_at = to_db(add_duration(from_db(node.due_at),
                                                 Duration(minutes, "menit"), self.schedule))
            node.clock_paused_at = None
        self.sync_shared()

    def send_back(self, leaf: WorkItem) -> list[WorkItem]:
        """The leaf waits again; the previous item of its chain reopens. Returns the leaves
        reopened (the caller has checked that a previous item exists)."""
        siblings = self.tree.siblings(leaf)
        previous = siblings[siblings.index(leaf) - 1]
        self.reset(leaf)
        reopened: list[WorkItem] = []
        self.reopen(previous, reopened)
        self.sync_shared()
        return reopened

    def reset(self, item: WorkItem) -> None:
        item.status = WorkItemStatus.WAITING
        item.ready_at = item.started_at = item.completed_at = item.completed_by_id = None
        item.clock_start = item.due_at = item.allowed_minutes = item.clock_paused_at = None
        item.paused_minutes = 0.0

    def reopen(self, item: WorkItem, reopened: list[WorkItem]) -> None:
        kids = self.tree.children(item)
        item.completed_at = item.completed_by_id = None
        if not kids:
            item.status = WorkItemStatus.READY
            item.ready_at, item.started_at = to_db(self.now), None
            if has_own_clock(item):
                self.start_clock(item)
            else:
                self.share_clock(item, self.tree.parent(item))
            reopened.append(item)
            return
        item.status = WorkItemStatus.IN_PROGRESS
        for kid in kids if item.parallel else kids[-1:]:
            self.reopen(kid, reopened)
