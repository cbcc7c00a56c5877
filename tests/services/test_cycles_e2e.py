"""A whole IKU cycle through all 15 steps on a controlled clock, some late, a pause, a return.

Civil-service week without holidays: Mon-Thu 07:30-16:00 (break 12-13), Fri 07:30-16:30
(break 11:30-13). Every due below is worked out by hand in the comments.
"""

from __future__ import annotations

import pytest

from app.models.cycles import SlaStatus
from app.services import cycles
from app.services.cycles.errors import CycleClosedError
from app.services.cycles.flow import from_db
from app.services.cycles.sla import item_sla
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
    wib,
)

ON_TIME, LATE = SlaStatus.DONE_ON_TIME, SlaStatus.DONE_LATE


def feb(day, hour, minute=0):
    return wib(day, hour, minute, month=2)


@pytest.fixture
def run(db_session, bureau) -> Runner:
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku",
                               code="IKU-2027", period="2027", reason="periodic", now=T0,
                               schedule=SCHEDULE)
    return Runner(db_session, cycle.id, bureau)


def check(run: Runner, code: str, ready, due, done, status) -> None:
    item = run.item(code)
    assert from_db(item.ready_at) == ready, (code, "ready", from_db(item.ready_at))
    assert from_db(item.due_at) == due, (code, "due", from_db(item.due_at))
    assert from_db(item.completed_at) == done, (code, "done", from_db(item.completed_at))
    assert item_sla(item, done, SCHEDULE).status == status, code


def sla(run: Runner, code: str, now):
    return item_sla(run.item(code), now, SCHEDULE)


def test_a_whole_cycle(run):
    # 1 (30 menit): ready at the start
    run.do("complete", "s01.a", wib(4, 8, 10))
    run.do("complete", "s01.b", wib(4, 8, 20))
    check(run, "s01", T0, wib(4, 8, 30), wib(4, 8, 20), ON_TIME)
    check(run, "s01.a", T0, wib(4, 8, 30), wib(4, 8, 10), ON_TIME)

    # 2 (1 minggu = 5 hari), parts a -> b -> c: Mon 4 08:20 -> Mon 11 08:20
    assert sla(run, "s02.a.1", wib(8, 15)).status == SlaStatus.AT_RISK  # 4 of 5 days used
    assert sla(run, "s02.b.1", wib(8, 15)).status == SlaStatus.NOT_STARTED  # waits for a
    run.finish("s02", wib(8, 15))
    check(run, "s02", wib(4, 8, 20), wib(11, 8, 20), wib(8, 15), ON_TIME)
    check(run, "s02.c.6@AK2", wib(8, 15), wib(11, 8, 20), wib(8, 15), ON_TIME)

    # 3 (2 hari): Fri 8 15:00 -> Tue 12 15:00, done Wed 13 10:00: late
    assert sla(run, "s03.a", wib(12, 15, 1)).status == SlaStatus.OVERDUE
    run.finish("s03", wib(13, 10))
    check(run, "s03", wib(8, 15), wib(12, 15), wib(13, 10), LATE)

    # 4 (5 hari): Wed 13 10:00 -> Wed 20 10:00; paused Thu 14 10:00 - Fri 15 10:00 (450 working
    # minutes) -> due Thu 21 10:00; done Thu 21 09:30: on time thanks to the pause
    run.do("start", "s04.a", wib(13, 10, 30))
    run.do("pause", "s04.a", wib(14, 10), reason="Menunggu data kinerja 2026")
    assert sla(run, "s04", wib(19, 10)).used_minutes == sla(run, "s04", wib(14, 10)).used_minutes
    run.do("resume", "s04.a", wib(15, 10))
    run.do("complete", "s04.a", wib(15, 11))
    run.do("complete", "s04.b", wib(18, 9))
    assert sla(run, "s04.c", wib(21, 8)).status == SlaStatus.AT_RISK  # 2130 of 2250 minutes
    run.do("complete", "s04.c", wib(21, 9, 30))
    check(run, "s04", wib(13, 10), wib(21, 10), wib(21, 9, 30), ON_TIME)
    assert run.item("s04").paused_minutes == 450

    # 5 (2 kali @ 2 hari): step Thu 21 09:30 -> Wed 27 09:30; session 1 -> Mon 25 09:30
    run.finish("s05#1.a", wib(22, 9))
    run.do("return", "s05#1.b", wib(22, 10), reason="Pembagian kelompok belum lengkap")
    assert run.item("s05#1.a@AK2").status == "ready"
    run.finish("s05#1", wib(25, 10))
    check(run, "s05#1", wib(21, 9, 30), wib(25, 9, 30), wib(25, 10), LATE)
    # session 2: Mon 25 10:00 -> Wed 27 10:00 (the step's own due stays Wed 27 09:30)
    run.finish("s05#2", wib(26, 15))
    check(run, "s05#2", wib(25, 10), wib(27, 10), wib(26, 15), ON_TIME)
    check(run, "s05", wib(21, 9, 30), wib(27, 9, 30), wib(26, 15), ON_TIME)

    # 6: the units, within 5 hari after step 5 ends: Tue 26 15:00 -> Tue 2 Feb 15:00
    run.do("complete", "s06@SETPRES", wib(27, 9), user="pengguna1")
    run.do("complete", "s06@SETWAPRES", wib(28, 9), user="pengguna2")
    for unit in ("SETMILPRES", "ISTANA-BOGOR", "ISTANA-YOGYAKARTA", "ISTANA-CIPANAS",
                 "ISTANA-TAMPAKSIRING", "SETKEMEN", "DEP-HUKUM", "DEP-HUBKEL", "DEP-AA",
                 "SETWANTIMPRES"):
        run.do("complete", f"s06@{unit}", feb(1, 10))
    assert run.item("s06").status == "in_progress"
    run.do("complete", "s06@SETKSP", feb(3, 9))
    check(run, "s06", wib(26, 15), feb(2, 15), feb(3, 9), LATE)
    check(run, "s06@SETPRES", wib(26, 15), feb(2, 15), wib(27, 9), ON_TIME)

    # 7 (5 hari) Wed 3 Feb 09:00 -> Wed 10 Feb 09:00; 8 (3 hari) -> Thu 11 Feb 14:00
    run.finish("s07", feb(8, 14))
    check(run, "s07", feb(3, 9), feb(10, 9), feb(8, 14), ON_TIME)
    run.finish("s08", feb(11, 11))
    check(run, "s08", feb(8, 14), feb(11, 14), feb(11, 11), ON_TIME)

    # "7" again (harmonisasi, 4 hari): Thu 11 Feb 11:00 -> Wed 17 Feb 11:00, late
    run.do("complete", "s09", feb(18, 9), note="Harmonisasi selesai")
    check(run, "s09", feb(11, 11), feb(17, 11), feb(18, 9), LATE)
    # "8" again: the Minister has no time standard
    assert sla(run, "s10", feb(19, 9)).status == SlaStatus.NO_DEADLINE
    run.do("complete", "s10", feb(22, 10))
    check(run, "s10", feb(18, 9), None, feb(22, 10), ON_TIME)
    # 9 (10 menit), late; 10 (3 jam): 10:30 -> 14:30
    run.do("complete", "s11", feb(22, 10, 30))
    check(run, "s11", feb(22, 10), feb(22, 10, 10), feb(22, 10, 30), LATE)
    run.finish("s12", feb(22, 14))
    check(run, "s12", feb(22, 10, 30), feb(22, 14, 30), feb(22, 14), ON_TIME)

    # 11 (1 hari: Mon 22 14:00 -> Tue 23 14:00 = 450 working minutes), sub-steps with their
    # own times (9 jam = 540 minutes) fitted into the step: each gets 450/540 of its time
    # (a 50, b 100, c 50, d 25, e 25, f 50, g 150 minutes) from the moment it is handed over
    for code, at in (("a", feb(22, 14, 30)), ("b", feb(23, 8, 30)), ("c", feb(23, 9)),
                     ("d", feb(23, 9, 20)), ("e", feb(23, 9, 40)), ("f", feb(23, 10)),
                     ("g", feb(23, 13, 30))):
        run.do("complete", f"s13.{code}", at)
    check(run, "s13.a", feb(22, 14), feb(22, 14, 50), feb(22, 14, 30), ON_TIME)
    check(run, "s13.b", feb(22, 14, 30), feb(23, 7, 40), feb(23, 8, 30), LATE)  # 90 + 10 min
    check(run, "s13.f", feb(23, 9, 40), feb(23, 10, 30), feb(23, 10), ON_TIME)
    check(run, "s13.g", feb(23, 10), feb(23, 13, 30), feb(23, 13, 30), ON_TIME)  # 120 + 30
    check(run, "s13", feb(22, 14), feb(23, 14), feb(23, 13, 30), ON_TIME)

    # 12 (3 jam): 13:30 -> Wed 24 08:00; 13 (2 hari, one part per Bagian) -> Thu 25 15:00
    run.do("complete", "s14", feb(23, 15))
    check(run, "s14", feb(23, 13, 30), feb(24, 8), feb(23, 15), ON_TIME)
    run.do("complete", "s15@AK1", feb(24, 10))
    cycle_mid = cycles.cycle_overview(run.session, run.cycle_id, feb(25, 16), schedule=SCHEDULE)
    assert cycle_mid.sla.status == SlaStatus.OVERDUE and cycle_mid.status == "active"
    run.do("complete", "s15@AK2", feb(26, 9))
    check(run, "s15@AK1", feb(23, 15), feb(25, 15), feb(24, 10), ON_TIME)
    check(run, "s15", feb(23, 15), feb(25, 15), feb(26, 9), LATE)

    overview = cycles.cycle_overview(run.session, run.cycle_id, feb(26, 10), schedule=SCHEDULE)
    assert overview.status == "completed" and overview.completed_at == feb(26, 9)
    # the plan follows the steps' own standards: step 11 planned Thu 18 11:40 -> Fri 19 13:00
    # (its 9 hours of sub-steps fitted inside), 12 -> Fri 16:00, 13 (2 hari) -> Tue 23 16:00
    assert overview.planned_end == feb(23, 16) and overview.sla.status == LATE
    assert [s.sla.status for s in overview.steps] == [
        ON_TIME, ON_TIME, LATE, ON_TIME, ON_TIME, LATE, ON_TIME, ON_TIME, LATE, ON_TIME, LATE,
        ON_TIME, ON_TIME, ON_TIME, LATE]
    assert [s.planned_due for s in overview.steps][:3] == [wib(4, 8, 30), wib(11, 8, 30),
                                                           wib(13, 8, 30)]
    actions = [e.action for e in overview.events]
    assert actions[0] == "cycle_start" and actions[-1] == "cycle_complete"
    assert {"pause", "resume", "return"} <= set(actions)
    assert next(e for e in overview.events if e.item_code == "s09").on_behalf_of == (
        "Deputi Bidang Hukum dan Perundang-undangan")
    with pytest.raises(CycleClosedError):
        run.do("start", "s15@AK2", feb(26, 11))


def test_forecast_moves_with_a_late_step(run):
    run.finish("s01", wib(4, 8, 30))
    run.finish("s02", wib(11, 8, 30))
    on_plan = cycles.cycle_overview(run.session, run.cycle_id, wib(11, 8, 30),
                                    schedule=SCHEDULE)
    assert on_plan.forecast_end == on_plan.planned_end == feb(23, 16)
    assert on_plan.sla.status == SlaStatus.ON_TRACK
    # step 3 finishes 1 working day and 90 minutes late (Wed 13 10:00 instead of 08:30)
    run.finish("s03", wib(13, 10))
    late = cycles.cycle_overview(run.session, run.cycle_id, wib(13, 10), schedule=SCHEDULE)
    # every later step moves 90 minutes: 11 Thu 18 13:10 -> Fri 19 14:10, 12 (3 jam) -> Mon
    # 22 08:10 (140 minutes left on Friday), 13 (2 hari) -> Wed 24 08:10
    assert late.forecast_end == feb(24, 8, 10)
    assert late.sla.status == SlaStatus.AT_RISK  # the forecast ends after the plan
    s04 = late.steps[3]
    assert (s04.planned_due, s04.due_at, s04.forecast_end) == (wib(20, 8, 30), wib(20, 10),
                                                               wib(20, 10))
    # an overdue open step is forecast to end now
    overdue = cycles.cycle_overview(run.session, run.cycle_id, wib(21, 9), schedule=SCHEDULE)
    assert overdue.steps[3].forecast_end == wib(21, 9)
    assert overdue.steps[3].sla.status == SlaStatus.OVERDUE


def test_step_11_sub_steps_done_on_their_fitted_dues_make_the_step_on_time(run):
    """Step 11 prints "1 hari" and 9 hours of sub-steps: done each on its own (fitted) due,
    the step is on time, because the step's time standard is the promise."""
    for step in [f"s{i:02d}" for i in range(1, 13)]:
        run.finish(step, feb(22, 14))
    assert from_db(run.item("s13").due_at) == feb(23, 14)  # Mon 14:00 + 1 hari
    # 450 working minutes for 540 of sub-steps: a 50, b 100, c 50, d 25, e 25, f 50, g 150
    dues = {"a": feb(22, 14, 50), "b": feb(23, 8), "c": feb(23, 8, 50), "d": feb(23, 9, 15),
            "e": feb(23, 9, 40), "f": feb(23, 10, 30), "g": feb(23, 14)}
    for code, due in dues.items():
        item = run.item(f"s13.{code}")
        assert from_db(item.due_at) == due, code
        run.do("complete", item.code, due)
        assert item_sla(run.item(item.code), due, SCHEDULE).status == ON_TIME, code
    check(run, "s13", feb(22, 14), feb(23, 14), feb(23, 14), ON_TIME)
