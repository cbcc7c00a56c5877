"""Concurrent actions on one cycle, on PostgreSQL with real connections and threads.

The usual per-test rollback cannot show a race (one connection), so these tests commit through
their own engine and remove what they wrote afterwards (plain DELETEs; the rows they add are
neither audited nor seen by other tests while they run). The people are the seeded liaisons
pengguna1 (SETPRES) and pengguna2 (SETWAPRES) plus one bureau staff member inserted here.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.models.cycles import Cycle, CycleUnit, Reminder, WorkEvent, WorkItem
from app.models.org import IkuUser, OrgUnit, Pelaksana, Position, Section
from app.models.standards import ServiceStandard, StepDefinition
from app.services import cycles
from app.services.cycles.action import commit
from app.services.cycles.errors import CycleError, WorkItemConflictError, WorkItemStateError
from app.services.standards import load_standard
from tests.services.test_cycles_support import SCHEDULE, T0

URL = os.environ.get("TEST_DATABASE_URL", "")
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "mini.yaml"
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs PostgreSQL")


@pytest.fixture
def world(app):
    """A committed cycle of the mini standard for SETPRES and SETWAPRES; removed afterwards."""
    engine = create_engine(URL)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as s:
        position = s.scalars(select(Position.id).filter_by(code="STAF")).one()
        section = s.scalars(select(Section.id).filter_by(code="AK1")).one()
        pelaksana = s.execute(insert(Pelaksana).values(
            name="Staf Konkuren", nip="199101012016011001", position_id=position,
            section_id=section, active=True).returning(Pelaksana.id)).scalar_one()
        staff = s.execute(insert(IkuUser.__table__).values(
            username="cc_staf", first_name="Staf", last_name="Konkuren",
            email="cc_staf@iku.test", active=True, pelaksana_id=pelaksana,
        ).returning(IkuUser.__table__.c.id)).scalar_one()
        s.commit()
        standard, _ = load_standard(s, MINI)
        units = s.scalars(select(OrgUnit.id).where(
            OrgUnit.code.in_(["SETPRES", "SETWAPRES"]))).all()
        karo = s.scalars(select(IkuUser).filter_by(username="karo")).one()
        cycle = cycles.start_cycle(s, karo, standard_code="mini", code="CC-1", period="x",
                                   reason="uji", unit_ids=units, now=T0, schedule=SCHEDULE)
        ids = {i.code: i.id for i in s.scalars(select(WorkItem).filter_by(cycle_id=cycle.id))}
        users = {u.username: u for u in s.scalars(select(IkuUser).where(
            IkuUser.username.in_(["pengguna1", "pengguna2", "cc_staf"])))}
        cycle_id, standard_id = cycle.id, standard.id
    try:
        yield factory, cycle_id, ids, users
    finally:
        with engine.begin() as conn:
            for table in (Reminder, WorkEvent, WorkItem, CycleUnit):
                conn.execute(delete(table.__table__).where(
                    table.__table__.c.cycle_id == cycle_id))
            conn.execute(delete(Cycle.__table__).where(Cycle.__table__.c.id == cycle_id))
            conn.execute(delete(StepDefinition.__table__).where(
                StepDefinition.__table__.c.standard_id == standard_id))
            conn.execute(delete(ServiceStandard.__table__).where(
                ServiceStandard.__table__.c.id == standard_id))
            conn.execute(delete(IkuUser.__table__).where(IkuUser.__table__.c.id == staff))
            conn.execute(delete(Pelaksana.__table__).where(Pelaksana.__table__.c.id == pelaksana))
        engine.dispose()


def race(factory, calls) -> list[object]:
    """Run each call(session) in its own thread, released together; results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(n, call):
        with factory() as session:
            barrier.wait()
            try:
                results[n] = call(session)
            except CycleError as exc:
                results[n] = exc

    threads = [threading.Thread(target=worker, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def complete(item_id, user, at):
    return lambda s: cycles.complete_item(s, user, item_id, now=at, schedule=SCHEDULE).status


def test_two_people_complete_the_same_item_at_once(world):
    factory, cycle_id, ids, users = world
    at = T0 + dt.timedelta(minutes=30)
    results = race(factory, [complete(ids["ajukan@SETPRES"], users["pengguna1"], at),
                             complete(ids["ajukan@SETPRES"], users["cc_staf"], at)])
    wins = [r for r in results if r == "done"]
    losses = [r for r in results if isinstance(r, WorkItemStateError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "sudah diselesaikan oleh" in str(losses[0])
    with factory() as s:
        events = s.scalars(select(WorkEvent).where(WorkEvent.item_id == ids["ajukan@SETPRES"]))
        assert len(events.all()) == 1


def test_parallel_shares_finishing_together_advance_the_step(world):
    """Without the cycle lock each would see the other share still open and nobody would close
    the step: the lock makes the second see the first."""
    factory, cycle_id, ids, users = world
    at = T0 + dt.timedelta(minutes=45)
    results = race(factory, [complete(ids["ajukan@SETPRES"], users["pengguna1"], at),
                             complete(ids["ajukan@SETWAPRES"], users["pengguna2"], at)])
    assert results == ["done", "done"]
    with factory() as s:
        status = dict(s.execute(select(WorkItem.code, WorkItem.status)
                                .where(WorkItem.cycle_id == cycle_id)).all())
    assert status["ajukan"] == "done" and status["siapkan.a"] == "ready"


def test_the_optimistic_lock_refuses_a_stale_write(world):
    factory, cycle_id, ids, users = world
    with factory() as first, factory() as second:
        mine = first.get(WorkItem, ids["siapkan.a"])
        theirs = second.get(WorkItem, ids["siapkan.a"])
        mine.assignee_user_id = users["cc_staf"].id
        first.commit()
        theirs.assignee_user_id = users["pengguna1"].id
        with pytest.raises(StaleDataError):
            second.flush()
        second.rollback()
        theirs = second.get(WorkItem, ids["siapkan.b"])
        second.execute(update(WorkItem.__table__).where(WorkItem.__table__.c.id == theirs.id)
                       .values(version_id=WorkItem.__table__.c.version_id + 1))
        third = factory()
        third.get(WorkItem, ids["siapkan.b"]).assignee_user_id = users["cc_staf"].id
        second.commit()
        with pytest.raises(WorkItemConflictError, match="baru saja diubah"):
            commit(third)
        third.close()


def test_the_scan_skips_a_cycle_busy_with_an_action(world):
    factory, cycle_id, ids, users = world
    late = T0 + dt.timedelta(days=3)
    with factory() as busy, factory() as scanner:
        busy.execute(select(Cycle.id).where(Cycle.id == cycle_id).with_for_update())
        skipped = cycles.scan_sla(scanner, late, schedule=SCHEDULE)  # does not wait
        assert skipped.checked == 0
        busy.rollback()
        done = cycles.scan_sla(scanner, late, schedule=SCHEDULE)
        assert done.checked == 3  # the request and its two unit shares
