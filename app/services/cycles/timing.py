"""How an item's time standard and its children's own times fit together.

A step prints its own time ("1 hari") and sometimes its sub-steps' too (step 11: 1 jam, 2 jam,
... = 9 jam of working time in a "1 hari" step of 7.5). When the children's times exceed the
parent's, the standard's `substep_time_policy` (copied onto the parent item) decides:

- fit_to_step: the parent's time is the promise. Each timed child gets a share of the parent's
  working minutes proportional to its own time; the shares are rounded down on the running
  total, so that they add up to the parent's minutes and never more: a chain whose children all
  finish on their dues finishes on the parent's.
- extend_step: the children's times govern; the parent's due is the later of its own and the
  end of its children's times taken one after another (side by side when parallel).

The engine (flow: the clocks of a running cycle) and the planner (sla: the plan and the
forecast) both ask here, so a plan and the cycle that follows it agree.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from app.models.cycles import WorkItem
from app.services.standards_schema.normalise import EXTEND_STEP, FIT_TO_STEP
from app.services.working_time import (
    Duration,
    Schedule,
    add_duration,
    working_minutes_between,
)

if TYPE_CHECKING:
    from app.services.cycles.flow import Tree

# float sums of working minutes (60.0 + 120.0 ...) scaled by a ratio: 149.99999 is 150
_EPSILON = 1e-6


def own_duration(item: WorkItem) -> Duration | None:
    if item.duration_value is None:
        return None
    return Duration(item.duration_value, item.duration_unit)


def _demands(kids: list[WorkItem], start: dt.datetime, schedule: Schedule,
             parallel: bool) -> list[float | None]:
    """Working minutes each child takes by its own time standard when the parent's clock starts
    at `start` (None: the child has no time of its own and shares its parent's)."""
    out: list[float | None] = []
    t = start
    for kid in kids:
        duration = own_duration(kid)
        if duration is None:
            out.append(None)
            continue
        begin = start if parallel else t
        end = add_duration(begin, duration, schedule)
        out.append(working_minutes_between(begin, end, schedule))
        t = t if parallel else end
    return out


def fitted_minutes(tree: Tree, item: WorkItem, parent_start: dt.datetime | None,
                   parent_allowed: float | None, schedule: Schedule) -> int | None:
    """The working minutes `item` gets when its parent fits its children's times into its own
    (parent clock started at `parent_start`, allowing `parent_allowed` working minutes); None
    when the item's own time standard applies unchanged."""
    parent = tree.parent(item)
    if (parent is None or parent.substep_time_policy != FIT_TO_STEP
            or own_duration(parent) is None or own_duration(item) is None
            or parent_start is None or parent_allowed is None):
        return None
    kids = tree.children(parent)
    demands = _demands(kids, parent_start, schedule, parent.parallel)
    timed = [d for d in demands if d is not None]
    total = max(timed) if parent.parallel else sum(timed)
    if total <= parent_allowed + _EPSILON:
        return None
    allowed = math.floor(parent_allowed + _EPSILON)
    index = kids.index(item)
    if parent.parallel:
        return math.floor(demands[index] * allowed / total + _EPSILON)
    before = sum(d for d in demands[:index] if d is not None)
    upto = before + demands[index]
    return (math.floor(upto * allowed / total + _EPSILON)
            - math.floor(before * allowed / total + _EPSILON))


def extended_due(tree: Tree, item: WorkItem, start: dt.datetime, due: dt.datetime,
                 schedule: Schedule) -> dt.datetime:
    """`due`, or under extend_step the later end of the item's children's own times."""
    if item.substep_time_policy != EXTEND_STEP:
        return due
    ends = [due]
    t = start
    for kid in tree.children(item):
        duration = own_duration(kid)
        if duration is None:
            continue
        end = add_duration(start if item.parallel else t, duration, schedule)
        ends.append(end)
        t = t if item.parallel else end
    return max(ends)


def clock_duration(tree: Tree, item: WorkItem, parent_start: dt.datetime | None,
                   parent_allowed: float | None, schedule: Schedule) -> Duration | None:
    """The time standard the item's clock runs on: its own, or its fitted share."""
    fitted = fitted_minutes(tree, item, parent_start, parent_allowed, schedule)
    return Duration(fitted, "menit") if fitted is not None else own_duration(item)
