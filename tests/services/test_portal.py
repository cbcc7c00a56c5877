"""The unit portal's read model (app.services.portal), its editing window, the liaison's own
tasks, and giving a unit without a liaison its liaison (app.services.liaisons)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models.cycles import WorkEvent
from app.models.org import IkuUser, OrgUnit
from app.services import cycles, liaisons, portal
from app.services.cycles import Attachment
from app.services.cycles.flow import from_db
from app.services.iku_demo import load_demo_iku
from app.services.submissions import submit_final_draft
from tests.views.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    at_step4_fixture,
    at_step6_fixture,
    item,
    start_cycle,
    team_fixture,
)


def _unit(db_session, code) -> OrgUnit:
    return db_session.scalars(select(OrgUnit).filter_by(code=code)).one()


def test_home_at_step6_tells_the_current_step_and_the_units_deadline(at_step6, team,
                                                                     db_session):
    load_demo_iku()
    unit = team["pengguna1"].org_unit_id
    home = portal.unit_home(db_session, unit, schedule=SCHEDULE)
    assert home.unit_name == "Sekretariat Presiden"
    [standing] = home.cycles
    assert standing.step_ref.text() == "Langkah 6" and standing.step_title.startswith("Peserta")
    [share] = standing.shares
    due = item(db_session, at_step6.id, "s06@SETPRES").due_at
    assert share.planned is False and share.due == from_db(due).astimezone(SCHEDULE.zone)
    assert share.can_submit and share.sla.status == "on_track"
    assert share.ref.text() == "Langkah 6 — Sekretariat Presiden"
    counts = dict(home.iku_counts)
    assert counts["draft"] == 1 and counts["ditetapkan"] == 1 and counts["final"] == 0


def test_home_before_step6_gives_the_planned_deadline(at_step4, team, db_session):
    home = portal.unit_home(db_session, team["pengguna1"].org_unit_id, schedule=SCHEDULE)
    [share] = home.cycles[0].shares
    planned = item(db_session, at_step4.id, "s06@SETPRES").planned_due
    assert share.planned and share.due == from_db(planned).astimezone(SCHEDULE.zone)
    assert home.cycles[0].step_ref.text() == "Langkah 4" and not share.can_submit


def test_home_of_a_unit_without_cycle(team, db_session):
    home = portal.unit_home(db_session, team["pengguna1"].org_unit_id)
    assert home.cycles == [] and home.submissions == []


def test_after_submission_the_home_lists_it_and_the_share_is_done(at_step6, team, db_session,
                                                                 tmp_path):
    due = from_db(item(db_session, at_step6.id, "s06@SETPRES").due_at)
    submit_final_draft(db_session, team["pengguna1"], at_step6.id, approver_name="Kepala",
                       approver_position="Kepala Sekretariat", approved_on=dt.date.today(),
                       memo=Attachment("n.pdf", b"%PDF-1"), now=due + dt.timedelta(hours=30),
                       attachments_dir=tmp_path, schedule=SCHEDULE)
    home = portal.unit_home(db_session, team["pengguna1"].org_unit_id, schedule=SCHEDULE)
    [share] = home.cycles[0].shares
    assert share.status == "done" and share.late and share.submission_id
    assert [(s.cycle_code, s.late) for s in home.submissions] == [("IKU-2027", True)]


def test_editing_window_states(team, db_session, tmp_path):
    setpres = team["pengguna1"].org_unit_id
    assert portal.editing_window(db_session, setpres)[0] == "none"
    cycle = start_cycle(db_session, team)
    assert portal.editing_window(db_session, setpres) == ("not_yet", cycle)
    from tests.views.test_cycles_support import finish

    for step in ("s01", "s02", "s03"):
        finish(db_session, team, cycle.id, step)
    assert portal.editing_window(db_session, setpres) == ("open", cycle)
    for step in ("s04", "s05"):
        finish(db_session, team, cycle.id, step)
    assert portal.editing_window(db_session, setpres)[0] == "open"  # step 6, not submitted
    submit_final_draft(db_session, team["pengguna1"], cycle.id, approver_name="Kepala",
                       approver_position="Kepala", approved_on=dt.date.today(),
                       memo=Attachment("n.pdf", b"%PDF-1"), attachments_dir=tmp_path,
                       schedule=SCHEDULE)
    assert portal.editing_window(db_session, setpres) == ("closed", cycle)
    other = team["pengguna2"].org_unit_id
    assert portal.editing_window(db_session, other)[0] == "open"


def test_a_liaisons_tasks_hold_its_units_share_even_unassigned(at_step6, team, db_session):
    """The '0 ditugaskan' bug: a liaison made after the cycle started holds no item, yet its
    unit's open share is its task."""
    sm_role = db_session.scalars(select(IkuUser).filter_by(username="pengguna1")).one().roles
    milpres = _unit(db_session, "SETMILPRES")
    late_comer = IkuUser(username="milpres", first_name="Milpres", last_name="Uji",
                         email="milpres@iku.test", active=True, roles=list(sm_role),
                         org_unit_id=milpres.id)
    db_session.add(late_comer)
    db_session.commit()
    share = item(db_session, at_step6.id, "s06@SETMILPRES")
    assert share.assignee_user_id is None
    tasks = cycles.my_tasks(db_session, late_comer, schedule=SCHEDULE)
    assert [row.item_id for row in tasks.all] == [share.id]


def test_units_without_liaison_and_assigning_a_new_account(at_step6, team, db_session):
    clause = liaisons.has_liaison_clause()
    without = set(db_session.scalars(select(OrgUnit.code).where(OrgUnit.active, ~clause)))
    assert "SETMILPRES" in without and "SETPRES" not in without and "SETWAPRES" not in without
    milpres = _unit(db_session, "SETMILPRES")
    done = liaisons.assign_liaison(db_session, team["kabag"], milpres.id, new_account={
        "username": "penghubung.milpres", "first_name": "Penghubung", "last_name": "Setmilpres",
        "email": "milpres@iku.local"})
    assert done.password and len(done.password) >= 12 and done.items_moved == 1
    share = item(db_session, at_step6.id, "s06@SETMILPRES")
    assert share.assignee_user_id == done.user.id and done.user.org_unit_id == milpres.id
    event = db_session.scalars(select(WorkEvent).where(WorkEvent.item_id == share.id,
                                                       WorkEvent.action == "reassign")).one()
    assert event.user_id == team["kabag"].id and event.details["to_user_id"] == done.user.id
    assert "SETMILPRES" not in set(db_session.scalars(
        select(OrgUnit.code).where(OrgUnit.active, ~liaisons.has_liaison_clause())))


def test_assigning_an_existing_free_account_and_refusals(team, db_session):
    free = IkuUser(username="bebas", first_name="Bebas", last_name="Uji", email="bebas@iku.test",
                   active=True, roles=list(team["pengguna1"].roles))
    db_session.add(free)
    db_session.commit()
    assert free in liaisons.free_liaisons(db_session)
    bogor = _unit(db_session, "ISTANA-BOGOR")
    with pytest.raises(liaisons.LiaisonAssignError, match="Hanya Kepala Biro"):
        liaisons.assign_liaison(db_session, team["staf"], bogor.id, user_id=free.id)
    with pytest.raises(liaisons.LiaisonAssignError, match="belum terhubung"):
        liaisons.assign_liaison(db_session, team["karo"], bogor.id, user_id=team["pengguna2"].id)
    with pytest.raises(liaisons.LiaisonAssignError):
        liaisons.assign_liaison(db_session, team["karo"], bogor.id, new_account={
            "username": "pengguna1", "first_name": "X", "email": "x@iku.local"})
    done = liaisons.assign_liaison(db_session, team["karo"], bogor.id, user_id=free.id)
    assert done.password is None and done.items_moved == 0
    db_session.expire_all()
    assert db_session.get(IkuUser, free.id).org_unit_id == bogor.id
