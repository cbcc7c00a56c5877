"""The engine knows nothing of IKU: a small, made-up standard (tests/fixtures/standards/
mini.yaml: archive lending, its own actors, three steps, a relative deadline) runs as a cycle
with no new Python, only its positions in the org tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.cycles import SlaStatus
from app.models.org import OrgUnit, Pelaksana, Position, Section
from app.services import cycles
from app.services.cycles.errors import CycleReasonUnknownError
from app.services.cycles.flow import from_db
from app.services.standards import load_standard
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
    items_by_code,
    make_user,
    wib,
)

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "mini.yaml"


@pytest.fixture
def archive(db_session, bureau):
    """The standard loaded, and people holding its positions (Kepala Pusat, an arsiparis)."""
    load_standard(db_session, MINI)
    ak1 = db_session.scalars(select(Section).filter_by(code="AK1")).one()
    people = {}
    for i, (username, actor, level) in enumerate((("kapus", "kepala_pusat", 1),
                                                  ("arsiparis", "arsiparis", 3))):
        position = Position(code=f"MINI-{actor.upper()}", name=actor, level=level,
                            actor_code=actor)
        person = Pelaksana(name=username, nip=f"19900101201501100{i}", position=position,
                           section=ak1)
        db_session.add_all([position, person])
        db_session.flush()
        people[username] = make_user(db_session, username, "Staf", pelaksana_id=person.id)
    db_session.commit()
    return {**bureau, **people}


def test_a_cycle_of_another_standard(db_session, archive):
    units = db_session.scalars(select(OrgUnit.id).where(
        OrgUnit.code.in_(["SETPRES", "SETWAPRES"]))).all()
    with pytest.raises(CycleReasonUnknownError):
        cycles.start_cycle(db_session, archive["c_karo"], standard_code="mini", code="M",
                           period="2027", reason="", unit_ids=units, now=T0)
    cycle = cycles.start_cycle(db_session, archive["c_karo"], standard_code="mini",
                               code="ARSIP-2027-01", period="2027-01", reason="permohonan",
                               unit_ids=units, now=T0, schedule=SCHEDULE)
    assert cycle.title == "Standar Pelayanan Peminjaman Arsip 2027-01"
    items = items_by_code(db_session, cycle.id)
    assert sorted(items) == ["ajukan", "ajukan@SETPRES", "ajukan@SETWAPRES", "serahkan",
                             "siapkan", "siapkan.a", "siapkan.b"]
    assert items["ajukan@SETPRES"].assignee.username == "pengguna1"
    assert items["siapkan.a"].assignee.username == "arsiparis"
    assert items["siapkan.b"].assignee.username == "kapus"
    assert items["serahkan"].actor_name == "Arsiparis AK1"  # serving Bagian, no short name
    # plan: the request has no time; preparing 2 jam (sub-steps 1 jam + 30 menit); handing
    # over 1 hari, and at the latest 1 hari after preparing ends
    assert items["ajukan"].planned_due is None
    assert from_db(items["siapkan"].planned_due) == wib(4, 10)
    assert from_db(items["siapkan.b"].planned_due) == wib(4, 9, 30)
    assert from_db(items["serahkan"].planned_due) == wib(5, 10)
    assert from_db(cycle.planned_end) == wib(5, 10)

    run = Runner(db_session, cycle.id, archive)
    run.do("complete", "ajukan@SETPRES", wib(4, 9), user="pengguna1")
    run.do("complete", "ajukan@SETWAPRES", wib(4, 10), user="pengguna2")
    run.do("complete", "siapkan.a", wib(4, 10, 30))
    run.do("complete", "siapkan.b", wib(4, 11, 30))
    mid = cycles.cycle_overview(db_session, cycle.id, wib(5, 15), schedule=SCHEDULE)
    by_code = {s.code: s for s in mid.steps}
    assert by_code["siapkan"].sla.status == SlaStatus.DONE_ON_TIME  # 11:30, due 12:00
    assert by_code["siapkan"].children[1].sla.status == SlaStatus.DONE_LATE  # due 11:00
    assert by_code["serahkan"].due_at == wib(5, 11, 30)
    assert by_code["serahkan"].sla.status == SlaStatus.OVERDUE
    run.do("complete", "serahkan", wib(5, 14))
    db_session.refresh(cycle)
    assert cycle.status == "completed"
    overview = cycles.cycle_overview(db_session, cycle.id, wib(5, 15), schedule=SCHEDULE)
    assert overview.sla.status == SlaStatus.DONE_LATE and overview.reason_text is None
