"""Starting a cycle: every step and sub-step instantiated from the standard, routed, planned."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.cycles import Cycle, CycleUnit, WorkEvent, WorkItem
from app.models.org import OrgUnit, Section
from app.services import cycles
from app.services.cycles.errors import (
    CycleCodeTakenError,
    CycleReasonUnknownError,
    CycleStandardMissingError,
    CycleStartForbiddenError,
    CycleUnitsEmptyError,
)
from app.services.cycles.flow import from_db
from app.services.standards import current_standard, load_standard
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
    items_by_code,
    wib,
)

IKU_YAML = Path(__file__).resolve().parents[2] / "app" / "standards" / "iku.yaml"

# Planned due of every step when the cycle starts Monday 4 January 2027 08:00 and every item
# takes exactly its time standard (civil-service week, no holidays).
PLANNED_DUE = {
    "s01": wib(4, 8, 30),  # 30 menit
    "s02": wib(11, 8, 30),  # 1 minggu = 5 hari
    "s03": wib(13, 8, 30),  # 2 hari
    "s04": wib(20, 8, 30),  # 5 hari
    "s05": wib(26, 8, 30),  # 2 kali @ 2 hari
    "s06": wib(2, 8, 30, month=2),  # 5 hari after step 5 ends
    "s07": wib(9, 8, 30, month=2),  # 5 hari
    "s08": wib(12, 8, 30, month=2),  # 3 hari
    "s09": wib(18, 8, 30, month=2),  # 4 hari (harmonisasi)
    "s10": None,  # the Minister has no time standard
    "s11": wib(18, 8, 40, month=2),  # 10 menit
    "s12": wib(18, 11, 40, month=2),  # 3 jam
    "s13": wib(19, 13, 0, month=2),  # 1 hari, 11:40 falls in Friday's break -> 13:00
    "s14": wib(19, 16, 0, month=2),  # 3 jam from 13:00 Friday: the step's time governs,
    #                                  not its sub-steps' 9 hours (they are fitted inside it)
    "s15": wib(23, 16, 0, month=2),  # 2 hari from Friday 16:00
}


def start(session, user, code="IKU-2027", **kw):
    kw.setdefault("schedule", SCHEDULE)
    return cycles.start_cycle(session, user, standard_code="iku", code=code, period="2027",
                              reason=kw.pop("reason", "periodic"), now=kw.pop("now", T0), **kw)


def test_every_step_instantiated_in_printed_order_with_planned_dues(db_session, bureau):
    cycle = start(db_session, bureau["c_karo"])
    steps = db_session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == cycle.id, WorkItem.parent_id.is_(None)).order_by(WorkItem.position)
    ).all()
    assert [s.code for s in steps] == [f"s{i:02d}" for i in range(1, 16)]
    assert [s.label for s in steps] == [
        "1", "2", "3", "4", "5", "6", "7", "8", "7", "8", "9", "10", "11", "12", "13",
    ]  # fmt: skip
    assert {s.code: from_db(s.planned_due) for s in steps} == PLANNED_DUE
    assert from_db(cycle.planned_end) == wib(23, 16, 0, month=2)
    assert cycle.standard == current_standard(db_session, "iku")
    assert [s.time_text for s in steps][4] == "2 kali @ 2 hari"
    items = items_by_code(db_session, cycle.id)
    assert items["s01"].status == "ready" and items["s01.a"].status == "ready"
    assert items["s01.b"].status == "waiting" and items["s02"].status == "waiting"
    assert from_db(items["s01.a"].due_at) == wib(4, 8, 30)  # shares its step's due
    # sub-steps with their own time standard are planned one after another, fitted into
    # their step (step 11 = s13): Thu 18 Feb 11:40 -> Fri 13:00 holds 440 working minutes
    # (200 on Thursday, 240 on Friday before the break) for 540 minutes of sub-steps, so
    # each gets 440/540 of its own time, rounded down on the running total: 11a 60 -> 48
    # minutes, due 13:28 (20 minutes before the break, 28 after); 11g ends on minute 440,
    # Friday 11:30, inside the step's 13:00.
    assert items["s13"].substep_time_policy == "fit_to_step"
    assert from_db(items["s13.a"].planned_due) == wib(18, 13, 28, month=2)
    assert from_db(items["s13.g"].planned_due) == wib(19, 11, 30, month=2)
    assert max(from_db(items[f"s13.{x}"].planned_due) for x in "abcdefg") <= from_db(
        items["s13"].planned_due)
    event = db_session.scalars(select(WorkEvent).where(WorkEvent.cycle_id == cycle.id)).one()
    assert event.action == "cycle_start" and event.details["units"][0] == "SETPRES"


def test_structure_sessions_sequential_parts_and_units(db_session, bureau):
    items = items_by_code(db_session, start(db_session, bureau["c_karo"]).id)
    # step 2's parts run a -> b -> c: the decree (b) names the members a's memorandum asked for
    assert not items["s02"].parallel and [items[f"s02.{p}"].parent_id for p in "abc"] == [
        items["s02"].id] * 3
    assert [items[f"s02.{p}"].position for p in "abc"] == sorted(
        items[f"s02.{p}"].position for p in "abc")
    assert {c for c in items if c.startswith("s05#")} >= {"s05#1", "s05#2", "s05#1.a", "s05#2.c"}
    assert items["s05#1"].kind == "session" and items["s05#1"].duration_value == 2
    assert items["s05"].duration_value == 4  # the step's own time: 2 x 2 hari
    units = [c for c in items if c.startswith("s06@")]
    assert len(units) == 13 and all(items[c].kind == "unit" for c in units)
    assert items["s06@SETPRES"].assignee.username == "pengguna1"
    assert items["s06@SETKEMEN"].assignee_user_id is None  # no liaison: bureau records it
    assert items["s06"].relative_deadline["after"] == "s05"
    assert len(items) == 108


def test_routing_to_positions_and_bagian(db_session, bureau):
    items = items_by_code(db_session, start(db_session, bureau["c_karo"]).id)
    who = {code: (i.assignee.username if i.assignee else None) for code, i in items.items()}
    assert who["s01.a"] == "c_karo" and who["s01.b"] == "c_kabag1"
    assert who["s02.a.1"] == "c_ppk1"  # Kasubbag PPK I, Subbagian named in the catalogue
    assert who["s02.a.2"] == "c_staf1"
    # "Staf Bagian AK I/Bagian AK II": both Bagian serve the units, so one part each
    assert who["s02.a.7@AK1"] == "c_staf1" and who["s02.a.7@AK2"] == "c_staf2"
    assert items["s02.a.7"].parallel and items["s02.a.7"].assignee_user_id is None
    assert who["s05#1.a@AK1"] == "c_kabag1" and who["s05#1.a@AK2"] == "c_kabag2"
    assert who["s07.b@AK2"] == "c_ppk2"
    assert who["s13.g"] == "c_staf2"  # the seed names AK II staff here: kept as printed
    # outside actors: recorded by the chain's Bagian staff on their behalf
    assert items["s02.a.6"].on_behalf_of == "Deputi Bidang Administrasi Aparatur"
    assert who["s02.a.6"] == "c_staf1"
    assert items["s10"].on_behalf_of == "Menteri Sekretaris Negara"
    assert items["s05#1.b"].on_behalf_of == "Tim Penyusun IKU"
    assert items["s01.a"].on_behalf_of is None
    assert items["s07.b@AK1"].participants == ["Kasubbag AK I/AK II", "Staf AK I/AK II"]
    assert items["s06@SETPRES"].participants == ["Satuan organisasi/satuan kerja"]


def test_units_served_by_one_bagian_need_no_split(db_session, bureau):
    ak2 = db_session.scalars(select(OrgUnit.id).join(Section, OrgUnit.section_id == Section.id)
                             .where(Section.code == "AK2")).all()
    cycle = start(db_session, bureau["c_kabag2"], unit_ids=ak2, reason="organisation_change")
    items = items_by_code(db_session, cycle.id)
    assert cycle.lead_section.code == "AK2"
    assert "s15@AK1" not in items and items["s15"].assignee.username == "c_staf2"
    assert items["s15"].actor_name == "Staf AK II"
    assert items["s04.a"].assignee.username == "c_staf1"  # printed "Staf Bagian AK I" stays
    assert items["s09"].assignee.username == "c_staf2"  # outside actor, lead Bagian AK II
    assert len([c for c in items if c.startswith("s06@")]) == len(ak2)
    assert {u.org_unit_id for u in cycle.units} == set(ak2)


def test_default_units_are_the_active_ones(db_session, bureau):
    unit = db_session.scalars(select(OrgUnit).filter_by(code="SETKSP")).one()
    unit.active = False
    db_session.commit()
    cycle = start(db_session, bureau["c_karo"])
    assert len(cycle.units) == 12 and "s06@SETKSP" not in items_by_code(db_session, cycle.id)


def test_unit_moved_later_keeps_the_cycles_routing(db_session, bureau):
    cycle = start(db_session, bureau["c_karo"])
    unit = db_session.scalars(select(OrgUnit).filter_by(code="SETPRES")).one()
    unit.section = db_session.scalars(select(Section).filter_by(code="AK2")).one()
    db_session.commit()
    row = db_session.scalars(select(CycleUnit).where(
        CycleUnit.cycle_id == cycle.id, CycleUnit.org_unit_id == unit.id)).one()
    assert row.section.code == "AK1"
    assert items_by_code(db_session, cycle.id)["s06@SETPRES"].section.code == "AK1"


def test_only_kepala_biro_or_kabag_start(db_session, bureau):
    for username in ("c_staf1", "c_ppk1", "pengguna1"):
        with pytest.raises(CycleStartForbiddenError, match="Kepala Biro atau Kepala Bagian"):
            start(db_session, bureau[username])
    assert start(db_session, bureau["c_kabag1"]).started_by.username == "c_kabag1"


def test_reasons_come_from_the_standard(db_session, bureau):
    standard = current_standard(db_session, "iku")
    assert [r["code"] for r in cycles.cycle_reasons(standard)] == [
        "periodic", "organisation_change", "goals_change", "leadership_direction"]
    with pytest.raises(CycleReasonUnknownError, match="Pilihan: periodic"):
        start(db_session, bureau["c_karo"], reason="whim")
    cycle = start(db_session, bureau["c_karo"], reason="leadership_direction",
                  reason_note="Arahan Menteri 12 Januari")
    assert cycle.reason == "leadership_direction" and cycle.title == (
        "Pengoordinasian Penyusunan IKU 2027")


def test_refusals(db_session, bureau):
    start(db_session, bureau["c_karo"])
    with pytest.raises(CycleCodeTakenError, match="IKU-2027 sudah dipakai"):
        start(db_session, bureau["c_karo"])
    with pytest.raises(CycleUnitsEmptyError):
        start(db_session, bureau["c_karo"], code="X", unit_ids=[999999])
    with pytest.raises(CycleStandardMissingError):
        cycles.start_cycle(db_session, bureau["c_karo"], standard_code="nope", code="Y",
                           period="2027", reason="periodic", now=T0)
    assert db_session.scalar(select(Cycle.id).where(Cycle.code == "X")) is None


def test_a_cycle_keeps_its_standard_version(db_session, bureau, tmp_path):
    first = start(db_session, bureau["c_karo"])
    changed = tmp_path / "iku.yaml"
    changed.write_text(IKU_YAML.read_text(encoding="utf-8").replace(
        "duration: {value: 3, unit: hari}\n    documents: [memo_deputi_menteri]",
        "duration: {value: 4, unit: hari}\n    documents: [memo_deputi_menteri]"),
        encoding="utf-8")
    v2, _ = load_standard(db_session, changed)
    assert v2.version == first.standard.version + 1
    second = start(db_session, bureau["c_karo"], code="IKU-2027-P")
    db_session.refresh(first)
    assert first.standard.version == v2.version - 1 and second.standard_id == v2.id
    old, new = items_by_code(db_session, first.id)["s08"], items_by_code(db_session,
                                                                         second.id)["s08"]
    assert (old.duration_value, new.duration_value) == (3, 4)


def test_default_schedule_comes_from_the_calendar(db_session, bureau):
    """Without an explicit schedule the database calendar (office hours, synced holidays)
    applies."""
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku", code="H",
                               period="2027", reason="periodic", now=wib(31, 15, month=12,
                                                                          year=2026))
    s02 = items_by_code(db_session, cycle.id)["s02"]
    assert from_db(s02.planned_start).astimezone(SCHEDULE.zone) == wib(31, 15, 30, 12, 2026)
    # 1 week = 5 working days from Thursday 31 Dec 15:30, skipping New Year (Friday 1 January)
    # and Isra Mi'raj (Tuesday 5 January): Monday 11 January, not Friday 8 January
    assert from_db(s02.planned_due) == wib(11, 15, 30)


def test_another_standard_may_let_sub_steps_extend_their_step(db_session, bureau, tmp_path):
    """substep_time_policy: extend_step: step 11's sub-steps govern (9 hours from Thursday
    11:40: 200 minutes on Thursday, then Friday 07:30-11:30 and 13:00-14:40), and the plan
    runs past the step's own "1 hari"."""
    changed = tmp_path / "iku.yaml"
    changed.write_text(IKU_YAML.read_text(encoding="utf-8").replace(
        "substep_time_policy: fit_to_step", "substep_time_policy: extend_step"),
        encoding="utf-8")
    load_standard(db_session, changed)
    cycle = start(db_session, bureau["c_karo"])
    items = items_by_code(db_session, cycle.id)
    assert items["s13"].substep_time_policy == "extend_step"
    assert from_db(items["s13.a"].planned_due) == wib(18, 13, 40, month=2)  # its own 1 jam
    assert from_db(items["s13.g"].planned_due) == wib(19, 14, 40, month=2)
    assert from_db(items["s13"].planned_due) == wib(19, 14, 40, month=2)
    assert from_db(items["s14"].planned_due) == wib(22, 8, 40, month=2)
    assert from_db(cycle.planned_end) == wib(24, 8, 40, month=2)


def test_a_standard_may_still_run_a_steps_parts_side_by_side(db_session, bureau, tmp_path):
    """`parallel: true` stays part of the standard's language (IKU's step 2 no longer uses it)."""
    changed = tmp_path / "iku.yaml"
    old = "duration: {value: 1, unit: minggu}\n"
    changed.write_text(IKU_YAML.read_text(encoding="utf-8").replace(
        old, old + "    parallel: true\n", 1), encoding="utf-8")
    load_standard(db_session, changed)
    cycle = start(db_session, bureau["c_karo"])
    Runner(db_session, cycle.id, bureau).finish("s01", wib(4, 8, 20))
    items = items_by_code(db_session, cycle.id)
    assert items["s02"].parallel
    assert {items[f"s02.{p}.1"].status for p in "abc"} == {"ready"}
