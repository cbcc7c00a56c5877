"""Service-level status, planning and forecast of a cycle's items (pure; `now` passed in).

SLA of an item (its own time standard, or the one it shares with its step):
- allowed = working minutes from the clock start to the due as first computed;
- remaining = working minutes from now (or from the moment the clock stopped, while paused) to
  the due, which already includes the minutes of earlier pauses;
- used = allowed - remaining; fraction = used / allowed.
Status: done_on_time / done_late (completed by the due or after), overdue (past the due),
at_risk (fraction >= AT_RISK_FRACTION), on_track; not_started for items whose turn has not
come; no_deadline for an open item without any time standard (the Minister's signature).

Plan and forecast use one walk of the tree: an item starts when its chain lets it (previous
sibling's end, or its parent's start when parallel), a timed item ends at its due, an untimed
one when its children end. The plan (fixed at the start) assumes nothing has happened; the
forecast keeps what has: done items end when they did, open ones at their due, their own or
the one they share with their step (now, if that has passed); items still waiting start after
what precedes them, but never before their planned start unless their part of the procedure is
under way (then its real clock rules): a forecast promises nothing earlier than the plan, so no
forecast ends before the planned start of work not yet handed over.

Grouping: every page that heads rows by SLA (Tugas saya, the home page, the SLA board) groups
with group_by_sla, so a row always sits under the heading of the status it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models.cycles import OPEN_STATUSES, SlaStatus, WorkItem, WorkItemStatus
from app.services.cycles.flow import (
    Tree,
    from_db,
    has_own_clock,
    relative_anchor,
    to_db,
)
from app.services.cycles.timing import clock_duration, extended_due
from app.services.working_time import (
    Duration,
    Schedule,
    add_duration,
    first_working_moment,
    working_minutes_between,
)

AT_RISK_FRACTION = 0.8


@dataclass(frozen=True)
class Sla:
    status: SlaStatus
    due_at: dt.datetime | None = None
    used_minutes: float | None = None
    allowed_minutes: float | None = None

    @property
    def fraction(self) -> float | None:
        if self.used_minutes is None or not self.allowed_minutes:
            return None
        return self.used_minutes / self.allowed_minutes

    @property
    def remaining_minutes(self) -> float | None:
        if self.used_minutes is None or self.allowed_minutes is None:
            return None
        return self.allowed_minutes - self.used_minutes


def item_sla(item: WorkItem, now: dt.datetime, schedule: Schedule) -> Sla:
    due = from_db(item.due_at)
    zone = schedule.zone
    local_due = due.astimezone(zone) if due else None
    if item.status == WorkItemStatus.WAITING:
        return Sla(SlaStatus.NOT_STARTED)
    allowed = item.allowed_minutes
    if item.status == WorkItemStatus.DONE:
        if due is None:
            return Sla(SlaStatus.DONE_ON_TIME)
        done = from_db(item.completed_at)
        used = _used(item, due, done, schedule)
        status = SlaStatus.DONE_ON_TIME if done <= due else SlaStatus.DONE_LATE
        return Sla(status, local_due, used, allowed)
    if due is None:
        return Sla(SlaStatus.NO_DEADLINE)
    clock_now = from_db(item.clock_paused_at) or now
    used = _used(item, due, clock_now, schedule)
    if clock_now > due:
        status = SlaStatus.OVERDUE
    elif allowed and used / allowed >= AT_RISK_FRACTION:
        status = SlaStatus.AT_RISK
    elif not allowed and clock_now >= due:
        status = SlaStatus.OVERDUE
    else:
        status = SlaStatus.ON_TRACK
    return Sla(status, local_due, used, allowed)


OPEN_ORDER = (SlaStatus.OVERDUE, SlaStatus.AT_RISK, SlaStatus.ON_TRACK, SlaStatus.NO_DEADLINE)


def group_by_sla(rows, statuses=OPEN_ORDER) -> dict[SlaStatus, list]:
    """Open items under the heading of the status each one shows, most urgent first: the one
    grouping of Tugas saya, the home page and the SLA board. `rows` carry an `sla` (Sla)."""
    groups: dict[SlaStatus, list] = {SlaStatus(s): [] for s in statuses}
    for row in rows:
        if row.sla.status in groups:
            groups[row.sla.status].append(row)
    return groups


def _used(item: WorkItem, due: dt.datetime, at: dt.datetime, schedule: Schedule) -> float:
    remaining = working_minutes_between(at, due, schedule)
    return max((item.allowed_minutes or 0.0) - remaining, 0.0)


@dataclass(frozen=True)
class Planned:
    start: dt.datetime
    due: dt.datetime | None
    end: dt.datetime


class Planner:
    """Plan (now=None: nothing happened yet) or forecast (now given: keep what happened)."""

    def __init__(self, tree: Tree, schedule: Schedule, now: dt.datetime | None = None):
        self.tree, self.schedule, self.now = tree, schedule, now
        self.result: dict[int, Planned] = {}
        # (clock start, working minutes allowed) of each item with its own due, as its
        # children's time standards may have to fit into it
        self.clocks: dict[int, tuple[dt.datetime | None, float | None]] = {}

    def run(self, start: dt.datetime) -> dt.datetime:
        t = start
        for step in self.tree.steps:
            t = self.node(step, t, None)
        return t

    def node(self, item: WorkItem, start: dt.datetime, inherited: dt.datetime | None) -> (
        dt.datetime
    ):
        forecast = self.now is not None
        if forecast and item.status == WorkItemStatus.DONE:
            end = from_db(item.completed_at)
            self.result[id(item)] = Planned(from_db(item.ready_at) or end, from_db(item.due_at),
                                            end)
            return end
        active = forecast and item.status in OPEN_STATUSES
        if active:
            begin = from_db(item.ready_at)
            own = from_db(item.due_at) if has_own_clock(item) else None
        else:
            begin = first_working_moment(start, self.schedule)
            if forecast and item.planned_start is not None and not self.under_way(item):
                begin = max(begin, from_db(item.planned_start))
            own = self.own_due(item, begin)
        if own is not None:
            self.clocks[id(item)] = (
                (from_db(item.clock_start), item.allowed_minutes) if active
                else (begin, working_minutes_between(begin, own, self.schedule))
            )
        due = own or inherited
        kids = self.tree.children(item)
        end = begin
        if kids and item.parallel:
            end = max(self.node(kid, begin, due) for kid in kids)
        elif kids:
            for kid in kids:
                end = self.node(kid, end, due)
        if own is not None:
            end = max(end, own)
        if forecast and due is not None:  # an item sharing its step's clock ends at that due
            end = max(end, due)
        if active:
            end = max(end, self.now)
        self.result[id(item)] = Planned(begin, due, end)
        return end

    def under_way(self, item: WorkItem) -> bool:
        """Whether the item's part of the procedure was handed over already: then it runs on
        that part's real clock, not on the plan's slots."""
        parent = self.tree.parent(item)
        return parent is not None and parent.status in OPEN_STATUSES

    def own_due(self, item: WorkItem, begin: dt.datetime) -> dt.datetime | None:
        options = []
        parent = self.tree.parent(item)
        parent_start, parent_allowed = self.clocks.get(id(parent), (None, None))
        duration = clock_duration(self.tree, item, parent_start, parent_allowed, self.schedule)
        if duration is not None:
            options.append(add_duration(begin, duration, self.schedule))
        anchor = relative_anchor(self.tree, item)
        if anchor is not None:
            target, at_end = anchor
            planned = self.result.get(id(target))
            base = (planned.end if at_end else planned.start) if planned else begin
            rel = item.relative_deadline
            options.append(add_duration(base, Duration(rel["value"], rel["unit"]), self.schedule))
        if not options:
            return None
        return extended_due(self.tree, item, begin, min(options), self.schedule)

    def get(self, item: WorkItem) -> Planned | None:
        return self.result.get(id(item))


def plan_cycle(tree: Tree, schedule: Schedule, start: dt.datetime) -> dt.datetime:
    """Fix every item's planned start/due from the cycle's start; returns the planned end."""
    planner = Planner(tree, schedule)
    end = planner.run(start)
    for item in tree.items:
        planned = planner.get(item)
        item.planned_start, item.planned_due = to_db(planned.start), to_db(planned.due)
    return end


def forecast(tree: Tree, schedule: Schedule, start: dt.datetime, now: dt.datetime) -> Planner:
    planner = Planner(tree, schedule, now)
    planner.run(start)
    return planner


def cycle_sla(planned_end: dt.datetime | None, forecast_end: dt.datetime | None,
              started: dt.datetime, done_at: dt.datetime | None, now: dt.datetime,
              schedule: Schedule) -> Sla:
    """A cycle against its planned end: late when past it, at risk when 80 % of the planned
    working time is used or the forecast already ends after it."""
    if planned_end is None:
        return Sla(SlaStatus.NO_DEADLINE)
    allowed = working_minutes_between(started, planned_end, schedule)
    local_end = planned_end.astimezone(schedule.zone)
    if done_at is not None:
        status = SlaStatus.DONE_ON_TIME if done_at <= planned_end else SlaStatus.DONE_LATE
        return Sla(status, local_end, working_minutes_between(started, done_at, schedule), allowed)
    used = working_minutes_between(started, now, schedule)
    if now > planned_end:
        status = SlaStatus.OVERDUE
    elif (allowed and used / allowed >= AT_RISK_FRACTION) or (
        forecast_end is not None and forecast_end > planned_end
    ):
        status = SlaStatus.AT_RISK
    else:
        status = SlaStatus.ON_TRACK
    return Sla(status, local_end, used, allowed)
