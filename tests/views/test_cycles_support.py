"""Shared fixtures of the cycle page and API tests (imported by test_cycles_*; no tests here).

The seeded logins (karo, kabag, kasubbag, staf; password PASSWORD) become the pelaksana of
Bagian AK I, and kabag2/kasubbag2/staf2 are added for AK II, so the engine routes every
bureau item to someone who can log in. pengguna1/pengguna2 are the liaisons of SETPRES and
SETWAPRES. Pages run on the real clock: a cycle started weeks ago is overdue, one started
now is on track. Clients switch to English so that assertions read the msgids, whatever the
Indonesian catalog says; the engine's own messages are Indonesian.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from flask import current_app
from sqlalchemy import select

from app.models.cycles import WorkItem
from app.models.org import IkuUser, Pelaksana, Position, Section
from app.services import cycles
from app.services.working_time import Schedule

SCHEDULE = Schedule.default()

# username, position, section, role (None: an existing seeded login)
TEAM = [
    ("karo", "KARO", "BIRO-OTLAK", None),
    ("kabag", "KABAG", "AK1", None),
    ("kasubbag", "KASUBBAG", "AK1-PPK", None),
    ("staf", "STAF", "AK1-PPK", None),
    ("staf1b", "STAF", "AK1-PPK", "Staf"),
    ("kabag2", "KABAG", "AK2", "Kepala Bagian"),
    ("kasubbag2", "KASUBBAG", "AK2-PPK", "Kepala Subbagian"),
    ("staf2", "STAF", "AK2-PPK", "Staf"),
]


def visible(html: str) -> str:
    """The text a reader sees: no tags, attributes, scripts or styles."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"(?s)<[^>]*>", " ", html)))


def ago(**delta) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**delta)


@pytest.fixture(name="team")
def team_fixture(db_session) -> dict[str, IkuUser]:
    sm = current_app.appbuilder.sm
    password = db_session.scalars(select(IkuUser.password).filter_by(username="staf")).one()
    users = {}
    for i, (username, position, section, role) in enumerate(TEAM):
        person = Pelaksana(
            name=f"Pelaksana {username.title()}",
            nip=f"19860202201101{1 if i % 2 else 2}{i + 200:03d}",
            position=db_session.scalars(select(Position).filter_by(code=position)).one(),
            section=db_session.scalars(select(Section).filter_by(code=section)).one(),
        )
        db_session.add(person)
        db_session.flush()
        user = db_session.scalars(select(IkuUser).filter_by(username=username)).one_or_none()
        if user is None:
            user = IkuUser(username=username, first_name=username.title(), last_name="Uji",
                           email=f"{username}@iku.test", active=True, password=password,
                           roles=[sm.find_role(role)])
            db_session.add(user)
        user.pelaksana_id = person.id
        db_session.flush()
        users[username] = user
    for username in ("admin", "auditor", "pengguna1", "pengguna2"):
        users[username] = db_session.scalars(select(IkuUser).filter_by(username=username)).one()
    db_session.commit()
    return users


def start_cycle(session, team, code="IKU-2027", now=None, **kw):
    return cycles.start_cycle(session, team["karo"], standard_code="iku", code=code,
                              period=kw.pop("period", "2027"), reason=kw.pop("reason", "periodic"),
                              now=now, schedule=SCHEDULE, **kw)


def item(session, cycle_id: int, code: str) -> WorkItem:
    session.expire_all()
    return session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle_id, WorkItem.code == code)).one()


def act(session, team, cycle_id, action, code, at=None, user=None, **kw):
    """Record an action as the item's assignee (or `user`) at `at` (default: now)."""
    target = item(session, cycle_id, code)
    who = team[user] if user else session.get(IkuUser, target.assignee_user_id)
    return getattr(cycles, f"{action}_item")(session, who, target.id, now=at, schedule=SCHEDULE,
                                             **kw)


def finish(session, team, cycle_id, prefix, at=None):
    """Complete every open leaf under `prefix`, in chain order, as its assignee (a unit's
    share without a liaison: its Bagian's staff)."""
    for _ in range(100):
        session.expire_all()
        leaves = [i for i in session.scalars(select(WorkItem).where(
            WorkItem.cycle_id == cycle_id, WorkItem.is_leaf,
            WorkItem.status.in_(("ready", "in_progress"))).order_by(WorkItem.position))
            if i.code == prefix or i.code.startswith((f"{prefix}.", f"{prefix}#", f"{prefix}@"))]
        if not leaves:
            return
        for leaf in leaves:
            who = leaf.assignee_user_id
            if who is None:
                who = team["staf" if leaf.section.code.startswith("AK1") else "staf2"].id
            cycles.complete_item(session, session.get(IkuUser, who), leaf.id, now=at,
                                 schedule=SCHEDULE)


@pytest.fixture(name="at_step4")
def at_step4_fixture(team, db_session):
    """A cycle whose steps 1-3 are done: the drafting (step 4) is open, so the units may
    change their draft IKU (app.services.portal.editing_window)."""
    cycle = start_cycle(db_session, team)
    for step in ("s01", "s02", "s03"):
        finish(db_session, team, cycle.id, step)
    return cycle


@pytest.fixture(name="at_step6")
def at_step6_fixture(team, db_session):
    """A cycle whose steps 1-5 are done: the units' step-6 shares are open."""
    cycle = start_cycle(db_session, team)
    for step in ("s01", "s02", "s03", "s04", "s05"):
        finish(db_session, team, cycle.id, step)
    return cycle


@pytest.fixture(name="en")
def en_fixture(client, login):
    """Log `client` in as `username`, in English."""

    def _as(username: str):
        client.get("/logout/")
        login(client, username)
        client.get("/lang/en")
        return client

    return _as
