"""One user action on one work item: lock the cycle, reload it, check, apply, record, commit.

Split from app/services/cycles.py (the public API) to keep modules small.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models.cycles import Cycle, CycleStatus, WorkEvent, WorkEventAction, WorkItem
from app.models.org import OrgUnit
from app.services.calendar import load_schedule
from app.services.cycles import rules
from app.services.cycles.errors import (
    CycleNotFoundError,
    WorkItemConflictError,
    WorkItemNotFoundError,
)
from app.services.cycles.flow import Flow, Tree, to_db
from app.services.cycles.people import Directory, Person
from app.services.working_time import Schedule


def real_now(now: dt.datetime | None) -> dt.datetime:
    """`now` as given (it must be aware), else the real clock: only the public API calls this."""
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now


class Action:
    """One locked, freshly loaded cycle around one item, for one user action."""

    def __init__(self, session: Session, user, item_id: int, now: dt.datetime | None,
                 schedule: Schedule | None, expected_version: int | None):
        self.session, self.now = session, real_now(now)
        cycle_id = session.scalar(select(WorkItem.cycle_id).where(WorkItem.id == item_id))
        if cycle_id is None:
            raise WorkItemNotFoundError("Butir pekerjaan tidak ditemukan.")
        self.cycle = lock_cycle(session, cycle_id)
        rules.check_cycle_open(self.cycle)
        self.tree = Tree(session.scalars(
            select(WorkItem).where(WorkItem.cycle_id == cycle_id)
            .execution_options(populate_existing=True)
        ).all())
        self.item = self.tree.by_id[item_id]
        rules.check_version(self.item, expected_version, self.tree)
        self.directory = Directory(session)
        self.person: Person | None = self.directory.person(user.id)
        self.schedule = schedule or load_schedule(session)
        self.flow = Flow(self.tree, self.schedule, self.now)

    def leaf(self, *allowed: str) -> None:
        rules.check_leaf(self.tree, self.item)
        done_by = self.directory.person(self.item.completed_by_id)
        rules.check_state(self.tree, self.item, allowed, done_by.name if done_by else None)

    def acting_as(self) -> str | None:
        unit = self.session.get(OrgUnit, self.item.org_unit_id) if self.item.org_unit_id else None
        return rules.acting_as(self.directory, self.item, self.person,
                               unit.name if unit else None, self.tree)

    def record(self, action: WorkEventAction, on_behalf_of: str | None = None, **kw) -> WorkItem:
        add_event(self.session, self.cycle, self.item, self.person, action, self.now,
                  on_behalf_of=on_behalf_of, **kw)
        if self.flow.cycle_done:
            self.cycle.status, self.cycle.completed_at = CycleStatus.COMPLETED, to_db(self.now)
            add_event(self.session, self.cycle, None, self.person,
                      WorkEventAction.CYCLE_COMPLETE, self.now)
        commit(self.session)
        return self.item


def lock_cycle(session: Session, cycle_id: int) -> Cycle:
    """The cycle row, locked until commit (FOR UPDATE; a no-op on SQLite, which serialises
    writers anyway) and re-read, so concurrent actions on one cycle take turns."""
    cycle = session.scalars(
        select(Cycle).where(Cycle.id == cycle_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if cycle is None:
        raise CycleNotFoundError("Siklus tidak ditemukan.")
    return cycle


def add_event(session: Session, cycle: Cycle, item: WorkItem | None, person: Person | None,
              action: WorkEventAction, now: dt.datetime, **fields) -> WorkEvent:
    """Events are only ever added: one row per action, never updated (see WorkEvent). Each
    carries its item's unit, the scope a liaison reads it under."""
    event = WorkEvent(cycle_id=cycle.id, item_id=item.id if item else None,
                      org_unit_id=item.org_unit_id if item else None,
                      user_id=person.user_id if person else None, action=action,
                      occurred_at=to_db(now), **fields)
    session.add(event)
    return event


def commit(session: Session) -> None:
    """Commit; a lost optimistic-lock race becomes a message the user can act on."""
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise WorkItemConflictError(
            "Butir ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu periksa "
            "kembali."
        ) from exc


def attachments_dir() -> Path:
    """instance/attachments of the running app (tests and the CLI may pass their own)."""
    from flask import current_app

    return Path(current_app.instance_path) / "attachments"
