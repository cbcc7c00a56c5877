"""SLA: statuses, the scan and its reminders, Tugas saya, the board, and bounded queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.cycles import Reminder, SlaStatus
from app.models.org import Section
from app.services import cycles
from app.services.cycles.flow import from_db
from app.services.cycles.people import Directory
from tests.conftest import statements
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
    wib,
)


def start(session, bureau, code="IKU-S", now=T0):
    cycle = cycles.start_cycle(session, bureau["c_karo"], standard_code="iku", code=code,
                               period="2027", reason="periodic", now=now, schedule=SCHEDULE)
    return Runner(session, cycle.id, bureau)


@pytest.fixture
def run(db_session, bureau) -> Runner:
    return start(db_session, bureau)


def reminders(session) -> set[tuple[str, str, str]]:
    rows = session.scalars(select(Reminder)).all()
    return {(r.item.code, r.user.username, r.kind) for r in rows}


def scan(run, at):
    return cycles.scan_sla(run.session, at, schedule=SCHEDULE)


def test_superiors_follow_the_section_line(db_session, bureau):
    directory = Directory(db_session)
    boss = {name: directory.superior(directory.person(bureau[name].id))
            for name in ("c_staf1", "c_staf1b", "c_ppk1", "c_kabag2", "c_karo")}
    assert {k: v.user_id if v else None for k, v in boss.items()} == {
        "c_staf1": bureau["c_ppk1"].id, "c_staf1b": bureau["c_ppek1"].id,
        "c_ppk1": bureau["c_kabag1"].id, "c_kabag2": bureau["c_karo"].id, "c_karo": None}
    ak2 = db_session.scalars(select(Section.id).filter_by(code="AK2")).one()
    assert directory.head_of(ak2).user_id == bureau["c_kabag2"].id


def test_scan_marks_and_reminds_once(run):
    assert scan(run, wib(4, 8, 10)).reminders_created == 0
    # 25 of 30 minutes used: at risk; the Kepala Biro has no superior
    result = scan(run, wib(4, 8, 25))
    assert (result.at_risk_marked, result.overdue_marked, result.reminders_created) == (2, 0, 1)
    assert reminders(run.session) == {("s01.a", "c_karo", "at_risk")}
    assert run.item("s01").at_risk_at is not None and run.item("s01").overdue_at is None
    run.do("complete", "s01.a", wib(4, 8, 26))
    result = scan(run, wib(4, 8, 45))
    assert result.overdue_marked == 2  # s01 and s01.b
    assert reminders(run.session) == {
        ("s01.a", "c_karo", "at_risk"), ("s01.b", "c_kabag1", "overdue"),
        ("s01.b", "c_karo", "overdue")}
    version = run.item("s01.b").version_id
    again = scan(run, wib(4, 9))
    assert (again.reminders_created, again.overdue_marked) == (0, 0)
    assert run.item("s01.b").version_id == version  # the scan never bumps the lock
    run.do("complete", "s01.b", wib(4, 9, 5))


def test_scan_reminds_staff_and_their_kasubbag_and_unassigned_to_the_kabag(run):
    run.finish("s01", wib(4, 8, 20))
    run.do("complete", "s02.a.1", wib(4, 9))
    scan(run, wib(11, 9))  # a week later: step 2 is overdue
    got = reminders(run.session)
    assert {("s02.a.2", "c_staf1", "overdue"), ("s02.a.2", "c_ppk1", "overdue")} <= got
    assert not [r for r in got if r[0].startswith(("s02.b", "s02.c"))]  # not their turn yet
    for step, at in (("s02", wib(11, 10)), ("s03", wib(12, 9)), ("s04", wib(13, 9)),
                     ("s05", wib(14, 9))):
        run.finish(step, at)
    scan(run, wib(27, 9))  # step 6 overdue: units without a liaison -> the serving Kabag
    got = reminders(run.session)
    assert ("s06@SETKEMEN", "c_kabag2", "overdue") in got
    assert {("s06@SETPRES", "pengguna1", "overdue"), ("s06@SETPRES", "c_kabag1", "overdue")
            } <= got


def test_pause_freezes_the_sla(run):
    run.do("start", "s01.a", wib(4, 8, 5))
    run.do("pause", "s01.a", wib(4, 8, 10), reason="Karo rapat")
    frozen = cycles.sla_board(run.session, wib(4, 15), schedule=SCHEDULE)
    (row,) = [r for rows in frozen.groups.values() for r in rows if r.code == "s01.a"]
    assert row.sla.status == SlaStatus.ON_TRACK and row.sla.used_minutes == 10
    # paused Monday 08:10-16:00 = 410 working minutes: due Mon 08:30 -> Tue 07:50
    run.do("resume", "s01.a", wib(5, 7, 30))
    step = run.item("s01")
    assert step.paused_minutes == 410 and from_db(step.due_at) == wib(5, 7, 50)
    assert cycles.sla_board(run.session, wib(5, 7, 30), schedule=SCHEDULE).counts[
        SlaStatus.ON_TRACK] == 1
    at_risk = scan(run, wib(5, 7, 45))  # 10 + 15 = 25 of 30 minutes
    assert (at_risk.at_risk_marked, at_risk.overdue_marked) == (2, 0)
    assert scan(run, wib(5, 7, 51)).overdue_marked == 2
    assert run.item("s01.a").overdue_at is not None


def test_my_tasks(run, bureau):
    tasks = cycles.my_tasks(run.session, bureau["c_karo"], wib(4, 8, 10), schedule=SCHEDULE)
    # 10 of 30 minutes used: on track, though less than a working day is left
    on_track = tasks.groups[SlaStatus.ON_TRACK]
    assert [r.code for r in on_track] == ["s01.a"] and not tasks.overdue and not tasks.at_risk
    assert on_track[0].due_at == wib(4, 8, 30) and on_track[0].cycle_code == "IKU-S"
    assert str(on_track[0].ref) == "Langkah 1 a"
    assert [r.code for r in cycles.my_tasks(run.session, bureau["c_karo"], wib(4, 8, 25),
                                            schedule=SCHEDULE).at_risk] == ["s01.a"]
    run.finish("s01", wib(4, 8, 20))
    kasubbag = bureau["c_ppk1"]
    early = cycles.my_tasks(run.session, kasubbag, wib(4, 9), schedule=SCHEDULE)
    assert [r.code for r in early.groups[SlaStatus.ON_TRACK]] == ["s02.a.1"]  # b, c wait for a
    late_week = cycles.my_tasks(run.session, kasubbag, wib(8, 15), schedule=SCHEDULE)
    assert len(late_week.at_risk) == 1 and late_week.at_risk[0].sla.status == "at_risk"
    overdue = cycles.my_tasks(run.session, kasubbag, wib(11, 9), schedule=SCHEDULE)
    assert len(overdue.overdue) == 1
    assert cycles.my_tasks(run.session, bureau["pengguna1"], wib(4, 9), schedule=SCHEDULE
                           ).all == []


def test_sla_board_groups_and_filters(run, bureau):
    run.finish("s01", wib(4, 8, 20))
    for n in range(1, 7):
        run.do("complete", f"s02.a.{n}", wib(4, 9))
    board = cycles.sla_board(run.session, wib(8, 15), schedule=SCHEDULE)
    assert board.counts == {SlaStatus.OVERDUE: 0, SlaStatus.AT_RISK: 2, SlaStatus.ON_TRACK: 0,
                            SlaStatus.NO_DEADLINE: 0}
    assert sorted(r.code for r in board.groups[SlaStatus.AT_RISK]) == [
        "s02.a.7@AK1", "s02.a.7@AK2"]
    ak2 = run.session.scalars(select(Section.id).filter_by(code="AK2")).one()
    only_ak2 = cycles.sla_board(run.session, wib(8, 15), {"section_id": ak2},
                                schedule=SCHEDULE)
    assert [r.code for r in only_ak2.groups[SlaStatus.AT_RISK]] == ["s02.a.7@AK2"]
    mine = cycles.sla_board(run.session, wib(11, 9), {"assignee_user_id": bureau["c_staf1"].id,
                                                      "status": ["overdue"]}, schedule=SCHEDULE)
    assert list(mine.groups) == [SlaStatus.OVERDUE]
    assert [r.code for r in mine.groups["overdue"]] == ["s02.a.7@AK1"]
    steps = cycles.sla_board(run.session, wib(11, 9), {"steps": True}, schedule=SCHEDULE)
    assert [r.code for r in steps.groups[SlaStatus.OVERDUE]] == ["s02"]


def test_overview_shows_what_the_standard_gets_wrong(run):
    overview = cycles.cycle_overview(run.session, run.cycle_id, wib(4, 8, 5), schedule=SCHEDULE)
    assert overview.reason_text == "Penyusunan IKU berkala sesuai periode perencanaan"
    assert not any("s13" in w or "s06" in w for w in overview.warnings)
    # step 11's sub-steps are fitted into the step's own time: no planned due past it
    assert not any("tenggat rencana melewati" in w for w in overview.warnings)
    assert ("Langkah 6 — Sekretariat Kementerian: belum ada pelaksana yang ditugaskan."
            in overview.warnings)
    assert len(overview.units) == 13 and overview.units[0][0] == "SETPRES"
    s02 = overview.steps[1]
    assert [c.code for c in s02.children] == ["s02.a", "s02.b", "s02.c"]
    assert s02.children[0].children[6].children[1].assignee == "c_staf2 Uji"
    assert overview.steps[0].sla.status == SlaStatus.ON_TRACK
    assert overview.steps[1].sla.status == SlaStatus.NOT_STARTED


def test_pages_issue_a_bounded_number_of_queries(db_session, bureau):
    def measure(run: Runner) -> list[int]:
        counts = []
        for call in (
            lambda: cycles.my_tasks(db_session, bureau["c_ppk1"], wib(8, 15)),
            lambda: cycles.sla_board(db_session, wib(8, 15)),
            lambda: cycles.cycle_overview(db_session, run.cycle_id, wib(8, 15)),
            lambda: cycles.scan_sla(db_session, wib(8, 15)),
        ):
            with statements() as seen:
                call()
            counts.append(len(seen))
        return counts

    first = start(db_session, bureau, "IKU-A")
    first.finish("s01", wib(4, 9))
    small = measure(first)
    for code in ("IKU-B", "IKU-C", "IKU-D"):
        other = start(db_session, bureau, code)
        other.finish("s01", wib(4, 9))
        other.finish("s02.a", wib(5, 9))
    first.finish("s02", wib(6, 9))
    large = measure(first)
    # the scan adds at most one UPDATE per kind of marker change and one INSERT, and its
    # reminder emails four statements (cycles, users, known keys, one INSERT) however many
    assert large[:3] == small[:3] and max(small[3], large[3]) <= 19
    assert max(large[:3]) <= 8


def test_reminders_are_listed_and_marked_read(run, bureau):
    scan(run, wib(4, 8, 45))
    karo = bureau["c_karo"]
    (row,) = cycles.my_reminders(run.session, karo)
    assert (row.item_code, row.kind, row.cycle_code) == ("s01.a", "overdue", "IKU-S")
    assert cycles.mark_reminders_read(run.session, bureau["c_kabag1"], [row.id]) == 0
    assert cycles.mark_reminders_read(run.session, karo, now=wib(4, 9)) == 1
    assert cycles.my_reminders(run.session, karo) == []
    assert cycles.my_reminders(run.session, karo, unread_only=False)[0].read_at == wib(4, 9)
    assert scan(run, wib(4, 9, 30)).reminders_created == 0  # read, still not sent twice


def _nodes(nodes):
    for node in nodes:
        yield node
        yield from _nodes(node.children)


def test_a_forecast_never_ends_before_the_planned_start(run):
    """Three steps done in minutes: step 4 is handed over a week early (its real due rules it),
    the steps after it are forecast in their planned slots, not before them."""
    for code, minute in (("s01", 5), ("s02", 10), ("s03", 15)):
        run.finish(code, wib(4, 8, minute))
    overview = cycles.cycle_overview(run.session, run.cycle_id, wib(4, 8, 20), schedule=SCHEDULE)
    step4 = overview.steps[3]
    assert step4.ready_at == wib(4, 8, 15) and step4.planned_start == wib(13, 8, 30)
    # items sharing step 4's clock end at its due, not "now" nor the moment they are reached
    assert [n.forecast_end for n in _nodes([step4])] == [step4.due_at] * 4
    waiting = [n for n in _nodes(overview.steps[4:])]
    assert waiting and all(n.ready_at is None for n in waiting)
    for node in waiting:
        assert node.forecast_end >= node.planned_start, (node.code, node.forecast_end)
        assert node.planned_due is None or node.forecast_end >= node.planned_due, node.code
    assert overview.forecast_end == overview.planned_end
    assert overview.sla.status == SlaStatus.ON_TRACK


def test_a_late_cycle_is_forecast_from_what_happened(run):
    run.finish("s01", wib(4, 8, 20))
    overview = cycles.cycle_overview(run.session, run.cycle_id, wib(12, 9), schedule=SCHEDULE)
    step2 = overview.steps[1]
    assert step2.sla.status == SlaStatus.OVERDUE and step2.forecast_end == wib(12, 9)
    assert overview.forecast_end > overview.planned_end
    for node in _nodes(overview.steps[2:]):
        assert node.forecast_end >= node.planned_start
