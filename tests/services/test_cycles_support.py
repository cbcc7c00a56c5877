"""Shared fixtures of the cycle tests (imported by the test_cycles_* modules; no tests here).

The bureau: a Kepala Biro, the two Kabag, Kasubbag PPK/PPEK of AK I and PPK of AK II, staff of
both Bagian, each a Pelaksana with a login, plus the seeded liaisons pengguna1 (SETPRES) and
pengguna2 (SETWAPRES). Times: a controlled clock on the civil-service week without holidays,
starting Monday 4 January 2027, 08:00 WIB.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import select

from app.models.cycles import WorkItem
from app.models.org import IkuUser, Pelaksana, Position, Section
from app.services.working_time import Schedule

WIB = ZoneInfo("Asia/Jakarta")
SCHEDULE = Schedule.default()
T0 = dt.datetime(2027, 1, 4, 8, 0, tzinfo=WIB)

# username, position code, section code, FAB role
PEOPLE = [
    ("c_karo", "KARO", "BIRO-OTLAK", "Kepala Biro"),
    ("c_kabag1", "KABAG", "AK1", "Kepala Bagian"),
    ("c_kabag2", "KABAG", "AK2", "Kepala Bagian"),
    ("c_ppk1", "KASUBBAG", "AK1-PPK", "Kepala Subbagian"),
    ("c_ppek1", "KASUBBAG", "AK1-PPEK", "Kepala Subbagian"),
    ("c_ppk2", "KASUBBAG", "AK2-PPK", "Kepala Subbagian"),
    ("c_staf1", "STAF", "AK1-PPK", "Staf"),
    ("c_staf1b", "STAF", "AK1-PPEK", "Staf"),
    ("c_staf2", "STAF", "AK2-PPK", "Staf"),
]


def wib(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2027) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


def make_user(session, username: str, role: str, **links) -> IkuUser:
    sm = current_app.appbuilder.sm
    user = IkuUser(username=username, first_name=username, last_name="Uji",
                   email=f"{username}@iku.test", active=True, roles=[sm.find_role(role)],
                   **links)
    session.add(user)
    session.flush()
    return user


@pytest.fixture(name="bureau")
def bureau_fixture(db_session) -> dict[str, IkuUser]:
    users = {}
    for i, (username, position, section, role) in enumerate(PEOPLE):
        person = Pelaksana(
            name=f"Pelaksana {username}", nip=f"19850101201001{1 if i % 2 else 2}{i + 100:03d}",
            position=db_session.scalars(select(Position).filter_by(code=position)).one(),
            section=db_session.scalars(select(Section).filter_by(code=section)).one(),
        )
        db_session.add(person)
        db_session.flush()
        users[username] = make_user(db_session, username, role, pelaksana_id=person.id)
    for username in ("pengguna1", "pengguna2", "staf", "kabag", "karo", "admin"):
        users[username] = db_session.scalars(select(IkuUser).filter_by(username=username)).one()
    db_session.commit()
    return users


def items_by_code(session, cycle_id: int) -> dict[str, WorkItem]:
    return {i.code: i for i in session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle_id))}


class Runner:
    """Drives a cycle through the services as its people would, on a controlled clock."""

    def __init__(self, session, cycle_id: int, users: dict[str, IkuUser], schedule=SCHEDULE):
        self.session, self.cycle_id, self.users, self.schedule = session, cycle_id, users, schedule

    def item(self, code: str) -> WorkItem:
        return self.session.scalars(select(WorkItem).where(
            WorkItem.cycle_id == self.cycle_id, WorkItem.code == code)).one()

    def actor(self, item: WorkItem) -> IkuUser:
        """The assignee; for a unit share without a liaison, its serving Bagian's staff."""
        if item.assignee_user_id is not None:
            return self.session.get(IkuUser, item.assignee_user_id)
        section = self.session.get(Section, item.section_id)
        return self.users["c_staf1" if section.code.startswith("AK1") else "c_staf2"]

    def do(self, action: str, code: str, at: dt.datetime, user: str | None = None, **kw):
        from app.services import cycles

        item = self.item(code)
        who = self.users[user] if user else self.actor(item)
        return getattr(cycles, f"{action}_item")(self.session, who, item.id, now=at,
                                                 schedule=self.schedule, **kw)

    def open_leaves(self, code: str) -> list[WorkItem]:
        prefix = self.item(code).code
        return [i for i in items_by_code(self.session, self.cycle_id).values()
                if i.is_leaf and i.status in ("ready", "in_progress")
                and (i.code == prefix or i.code.startswith((f"{prefix}.", f"{prefix}#",
                                                             f"{prefix}@")))]

    def finish(self, code: str, at: dt.datetime) -> WorkItem:
        """Complete every leaf under `code`, in chain order, all at `at`."""
        for _ in range(200):
            leaves = self.open_leaves(code)
            if not leaves:
                break
            for leaf in sorted(leaves, key=lambda i: i.position):
                self.do("complete", leaf.code, at)
        item = self.item(code)
        assert item.status == "done", (code, item.status)
        return item
