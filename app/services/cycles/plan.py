"""A cycle's plan before it starts: what `flask iku plan` prints and the start form shows.

No second planner: the procedure is built by the same Builder and planned by the same Planner
as `start_cycle`, on work items that are never stored (numbered in memory so the tree can be
walked), from the given start on the installed calendar. So the preview is exactly the plan a
cycle started at that moment would get.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models.cycles import WorkItem
from app.models.standards import ServiceStandard
from app.services.calendar import load_schedule
from app.services.cycles.build import Builder, lead_section, to_items, units_concerned
from app.services.cycles.flow import Tree
from app.services.cycles.people import Directory
from app.services.cycles.sla import Planner
from app.services.working_time import Schedule


@dataclass(frozen=True)
class PlannedStep:
    """One step of the plan. `sequence` (1-15) is the step's number for readers; `label` is
    the number as printed, which repeats in the IKU standard (…8, 7, 8, 9…)."""

    sequence: int
    label: str
    title: str
    time_text: str | None
    start: dt.datetime
    due: dt.datetime | None

    @property
    def number(self) -> str:
        """'9 (7)': the sequence, and the printed label beside it where it differs."""
        return str(self.sequence) if self.label == str(self.sequence) else (
            f"{self.sequence} ({self.label})")


@dataclass(frozen=True)
class PlanPreview:
    standard_code: str
    standard_version: int
    start: dt.datetime
    steps: list[PlannedStep]
    end: dt.datetime


def _unsaved_tree(items: list[WorkItem]) -> Tree:
    """Ids in memory for items that will never be stored: the tree is walked by id."""
    for number, item in enumerate(items, start=1):
        item.id = number
    for item in items:
        item.parent_id = item.parent.id if item.parent is not None else None
    return Tree(items)


def plan_preview(session: Session, standard: ServiceStandard, start: dt.datetime, *,
                 unit_ids: Iterable[int] | None = None,
                 schedule: Schedule | None = None) -> PlanPreview:
    """Every step's planned start and due for a cycle of `standard` started at `start` (naive:
    the schedule's zone, WIB), on the calendar in the database unless `schedule` is given.
    Reads only; writes nothing."""
    schedule = schedule or load_schedule(session)
    if start.tzinfo is None:
        start = start.replace(tzinfo=schedule.zone)
    content = standard.content
    directory = Directory(session)
    units = units_concerned(session, content, directory, unit_ids)
    nodes = Builder(content, directory, units, lead_section(content, directory, units)).steps()
    tree = _unsaved_tree(to_items(None, nodes))
    planner = Planner(tree, schedule)
    end = planner.run(start)
    zone = schedule.zone
    steps = []
    for sequence, item in enumerate(tree.steps, start=1):
        planned = planner.get(item)
        steps.append(PlannedStep(
            sequence, item.label, item.title, item.time_text, planned.start.astimezone(zone),
            planned.due.astimezone(zone) if planned.due else None,
        ))
    return PlanPreview(standard.code, standard.version, start.astimezone(zone), steps,
                       end.astimezone(zone))
