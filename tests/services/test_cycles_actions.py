"""Recording work: start, complete, return, pause, resume, reassign, and every refusal."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.models.cycles import WorkEvent, WorkEventImmutableError
from app.services import cycles
from app.services.audit_read import SOURCE_CYCLE, AuditTimelineRow
from app.services.cycles.errors import (
    AttachmentInvalidError,
    CycleClosedError,
    ReassignTargetInvalidError,
    WorkItemConflictError,
    WorkItemForbiddenError,
    WorkItemNotLeafError,
    WorkItemOrderError,
    WorkItemReasonRequiredError,
    WorkItemReturnError,
    WorkItemStateError,
)
from app.services.cycles.flow import from_db
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
    wib,
)


@pytest.fixture
def run(db_session, bureau) -> Runner:
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku", code="IKU-T",
                               period="2027", reason="periodic", now=T0, schedule=SCHEDULE)
    return Runner(db_session, cycle.id, bureau)


def events(run: Runner, code: str) -> list[WorkEvent]:
    item = run.item(code)
    return list(run.session.scalars(select(WorkEvent).where(WorkEvent.item_id == item.id)
                                    .order_by(WorkEvent.id)))


def test_start_and_complete_record_events(run):
    run.do("start", "s01.a", wib(4, 8, 5), note="mulai")
    assert run.item("s01.a").status == "in_progress" and run.item("s01").status == "in_progress"
    run.do("complete", "s01.a", wib(4, 8, 10), note="arahan diberikan")
    assert run.item("s01.a").status == "done" and run.item("s01.b").status == "ready"
    assert from_db(run.item("s01.b").ready_at) == wib(4, 8, 10)
    recorded = events(run, "s01.a")
    assert [(e.action, e.note, e.user.username) for e in recorded] == [
        ("start", "mulai", "c_karo"), ("complete", "arahan diberikan", "c_karo")]
    assert from_db(recorded[1].occurred_at) == wib(4, 8, 10)
    run.do("complete", "s01.b", wib(4, 8, 20))  # completing from ready starts it implicitly
    assert run.item("s01").status == "done" and run.item("s02").status == "ready"
    assert run.item("s02.a.1").status == "ready"  # step 2's parts run a -> b -> c
    assert {run.item(f"s02.{p}.1").status for p in "bc"} == {"waiting"}


def test_out_of_order_is_refused(run):
    with pytest.raises(WorkItemOrderError, match=r"langkah 1 a belum selesai"):
        run.do("complete", "s01.b", wib(4, 8, 5))
    with pytest.raises(WorkItemOrderError, match=r"langkah 2 belum selesai"):
        run.do("start", "s03.a", wib(4, 8, 5))
    run.finish("s01", wib(4, 8, 20))
    with pytest.raises(WorkItemOrderError, match=r"langkah 2 b 1\) belum selesai"):
        run.do("complete", "s02.b.2", wib(4, 9))


def test_wrong_person_is_refused(run):
    with pytest.raises(WorkItemForbiddenError, match="ditugaskan kepada Pelaksana c_karo"):
        run.do("complete", "s01.a", wib(4, 8, 5), user="c_staf1")
    with pytest.raises(WorkItemForbiddenError):
        run.do("complete", "s01.a", wib(4, 8, 5), user="karo")  # the role, but not the person


def test_an_item_already_completed_is_refused(run):
    run.do("complete", "s01.a", wib(4, 8, 5))
    with pytest.raises(WorkItemStateError, match="sudah diselesaikan oleh Pelaksana c_karo"):
        run.do("complete", "s01.a", wib(4, 8, 6))
    with pytest.raises(WorkItemStateError):
        run.do("start", "s01.a", wib(4, 8, 6))


def test_stale_version_is_refused(run):
    seen = run.item("s01.a").version_id
    run.do("start", "s01.a", wib(4, 8, 5))
    with pytest.raises(WorkItemConflictError, match="telah diubah oleh pengguna lain"):
        run.do("complete", "s01.a", wib(4, 8, 6), expected_version=seen)
    run.do("complete", "s01.a", wib(4, 8, 6), expected_version=run.item("s01.a").version_id)


def test_a_step_made_of_substeps_is_not_recorded_directly(run):
    with pytest.raises(WorkItemNotLeafError):
        run.do("complete", "s01", wib(4, 8, 5), user="c_karo")


def test_return_reopens_the_previous_item_of_the_chain(run):
    with pytest.raises(WorkItemReturnError, match="tidak mempunyai sub-langkah sebelumnya"):
        run.do("return", "s01.a", wib(4, 8, 5), reason="x")
    run.finish("s01", wib(4, 8, 20))
    run.do("complete", "s02.a.1", wib(4, 9))
    run.do("complete", "s02.a.2", wib(4, 10))
    with pytest.raises(WorkItemReasonRequiredError, match="Alasan pengembalian wajib diisi"):
        run.do("return", "s02.a.3", wib(4, 11), reason="  ")
    run.do("return", "s02.a.3", wib(4, 11), reason="Dasar hukum belum lengkap")
    assert run.item("s02.a.3").status == "waiting" and run.item("s02.a.2").status == "ready"
    assert run.item("s02.a.2").completed_at is None
    (event,) = events(run, "s02.a.3")
    assert event.action == "return" and event.note == "Dasar hukum belum lengkap"
    assert event.details == {"reopened": ["s02.a.2"]}
    with pytest.raises(WorkItemOrderError):
        run.do("complete", "s02.a.3", wib(4, 11, 5))
    run.do("complete", "s02.a.2", wib(4, 13))
    assert run.item("s02.a.3").status == "ready"


def test_step_2_parts_run_a_then_b_then_c(run):
    """The decree (2b) names the members nominated in answer to 2a's memorandum; its Salinan
    (2c) is made once the Minister has signed it (2b.7) and it is numbered (2b.8)."""
    run.finish("s01", wib(4, 8, 20))
    with pytest.raises(WorkItemOrderError, match="belum selesai"):
        run.do("start", "s02.b.1", wib(4, 9))
    run.finish("s02.a", wib(4, 10))
    assert run.item("s02.b.1").status == "ready" and run.item("s02.c.1").status == "waiting"
    for n in range(1, 8):  # up to the Minister's signature, not yet numbered
        run.do("complete", f"s02.b.{n}", wib(4, 11))
    assert run.item("s02.b.8").status == "ready"
    for action in ("start", "complete"):
        with pytest.raises(WorkItemOrderError, match="belum selesai"):
            run.do(action, "s02.c.1", wib(4, 13))
    assert run.item("s02.c.1").status == "waiting" and run.item("s02.c.1").started_at is None
    run.do("complete", "s02.b.8", wib(4, 14))
    assert run.item("s02.b").status == "done" and run.item("s02.c.1").status == "ready"
    run.do("start", "s02.c.1", wib(4, 14, 30))
    assert from_db(run.item("s02.c.1").ready_at) == wib(4, 14)


def test_return_into_a_split_reopens_each_bagian(run):
    for step, at in (("s01", wib(4, 9)), ("s02", wib(5, 9)), ("s03", wib(6, 9)),
                     ("s04", wib(7, 9))):
        run.finish(step, at)
    run.finish("s05#1.a", wib(7, 10))
    run.do("return", "s05#1.b", wib(7, 11), reason="Kelompok belum dibagi rata")
    assert run.item("s05#1.a@AK1").status == run.item("s05#1.a@AK2").status == "ready"
    assert run.item("s05#1.a").status == "in_progress"


def test_pause_stops_the_clock_and_resume_moves_the_due(run):
    run.finish("s01", wib(4, 8, 30))
    run.do("start", "s02.a.1", wib(4, 9))
    assert from_db(run.item("s02").due_at) == wib(11, 8, 30)
    with pytest.raises(WorkItemReasonRequiredError):
        run.do("pause", "s02.a.1", wib(4, 10), reason="")
    run.do("pause", "s02.a.1", wib(4, 10), reason="Menunggu data dari Setpres")
    assert run.item("s02.a.1").status == "paused"
    assert from_db(run.item("s02").clock_paused_at) == wib(4, 10)
    assert run.item("s02.b.1").status == "waiting"  # part b waits for part a
    with pytest.raises(WorkItemStateError, match="sedang dijeda"):
        run.do("complete", "s02.a.1", wib(4, 11))
    with pytest.raises(WorkItemOrderError):
        run.do("resume", "s02.b.1", wib(4, 11))
    # paused Monday 10:00 - Tuesday 10:00: one working day (450 working minutes)
    run.do("resume", "s02.a.1", wib(5, 10), note="Data diterima")
    step = run.item("s02")
    assert step.paused_minutes == 450 and step.clock_paused_at is None
    assert from_db(step.due_at) == wib(12, 8, 30)
    assert from_db(run.item("s02.a.1").due_at) == wib(12, 8, 30)  # shares the step's clock
    assert run.item("s02.a.1").status == "in_progress"
    assert [e.action for e in events(run, "s02.a.1")] == ["start", "pause", "resume"]


def test_outside_actors_are_recorded_on_their_behalf(run):
    run.finish("s01", wib(4, 8, 30))
    for n in range(1, 6):
        run.do("complete", f"s02.a.{n}", wib(4, 9, n))
    with pytest.raises(WorkItemForbiddenError):  # AK II staff: not the chain's Bagian
        run.do("complete", "s02.a.6", wib(4, 10), user="c_staf2")
    run.do("complete", "s02.a.6", wib(4, 10), user="c_staf1b", note="Ditandatangani Deputi")
    (event,) = events(run, "s02.a.6")
    assert event.on_behalf_of == "Deputi Bidang Administrasi Aparatur"
    assert event.user.username == "c_staf1b"


def test_units_deliver_their_own_share(run):
    for step, at in (("s01", wib(4, 9)), ("s02", wib(5, 9)), ("s03", wib(6, 9)),
                     ("s04", wib(7, 9)), ("s05", wib(8, 9))):
        run.finish(step, at)
    assert run.item("s06@SETPRES").status == "ready"
    with pytest.raises(WorkItemForbiddenError, match="Hanya penghubung Sekretariat Wakil"):
        run.do("complete", "s06@SETWAPRES", wib(8, 10), user="pengguna1")
    run.do("complete", "s06@SETPRES", wib(8, 10), user="pengguna1", note="Rancangan final")
    assert events(run, "s06@SETPRES")[0].on_behalf_of is None
    with pytest.raises(WorkItemForbiddenError):  # AK II staff for an AK I unit
        run.do("complete", "s06@SETWAPRES", wib(8, 10), user="c_staf2")
    run.do("complete", "s06@SETKEMEN", wib(8, 11), user="c_staf2")
    assert events(run, "s06@SETKEMEN")[0].on_behalf_of == "Sekretariat Kementerian"
    assert run.item("s06").status == "in_progress"


def test_an_event_carries_its_items_unit(run):
    """The unit a liaison reads the history under (WorkEvent.org_unit_id): a unit's share's
    events carry that unit, a bureau step's carry none, like the cycle's own events."""
    for step, at in (("s01", wib(4, 9)), ("s02", wib(5, 9)), ("s03", wib(6, 9)),
                     ("s04", wib(7, 9)), ("s05", wib(8, 9))):
        run.finish(step, at)
    run.do("complete", "s06@SETPRES", wib(8, 10), user="pengguna1")
    share = events(run, "s06@SETPRES")
    assert [e.org_unit.code for e in share] == ["SETPRES"] * len(share) and share
    assert {e.org_unit_id for e in events(run, "s01.a")} == {None}
    started = run.session.scalars(select(WorkEvent).where(
        WorkEvent.cycle_id == run.cycle_id, WorkEvent.item_id.is_(None))).all()
    assert started and {e.org_unit_id for e in started} == {None}
    trail = run.session.scalars(select(AuditTimelineRow.unit_id).where(
        AuditTimelineRow.source == SOURCE_CYCLE,
        AuditTimelineRow.source_id.in_([e.id for e in share]))).all()
    assert trail == [share[0].org_unit_id] * len(share)  # the audit trail's unit column too


def test_reassign(run, bureau):
    run.finish("s01", wib(4, 8, 30))
    run.do("complete", "s02.a.1", wib(4, 9))
    item = run.item("s02.a.2")
    for username, error in (("c_staf1", WorkItemForbiddenError),
                            ("c_kabag2", WorkItemForbiddenError),  # another Bagian
                            ("pengguna1", WorkItemForbiddenError)):
        with pytest.raises(error):
            cycles.reassign_item(run.session, bureau[username], item.id,
                                 bureau["c_staf1b"].id, now=wib(4, 9, 30))
    with pytest.raises(ReassignTargetInvalidError, match="bukan pelaksana biro"):
        cycles.reassign_item(run.session, bureau["c_ppk1"], item.id, bureau["pengguna1"].id,
                             now=wib(4, 9, 30))
    with pytest.raises(WorkItemForbiddenError, match="hanya dapat dialihkan oleh atasannya"):
        cycles.reassign_item(run.session, bureau["c_ppk1"], run.item("s02.a.4").id,
                             bureau["c_staf1b"].id, now=wib(4, 9, 30))
    cycles.reassign_item(run.session, bureau["c_ppk1"], item.id, bureau["c_staf1b"].id,
                         note="Beban kerja", now=wib(4, 9, 30))
    assert run.item("s02.a.2").assignee.username == "c_staf1b"
    (event,) = events(run, "s02.a.2")
    assert event.details == {"from_user_id": bureau["c_staf1"].id,
                             "to_user_id": bureau["c_staf1b"].id}
    with pytest.raises(WorkItemForbiddenError):
        run.do("complete", "s02.a.2", wib(4, 10), user="c_staf1")
    run.do("complete", "s02.a.2", wib(4, 10), user="c_staf1b")
    cycles.reassign_item(run.session, bureau["c_karo"], run.item("s02.b.2").id,
                         bureau["c_staf2"].id, now=wib(4, 10))  # the Biro: any Bagian


def test_attachment_is_stored_by_hash(run, tmp_path):
    with pytest.raises(AttachmentInvalidError, match="kosong"):
        run.do("complete", "s01.a", wib(4, 8, 5), attachment=cycles.Attachment("a.pdf", b""),
               attachments_dir=tmp_path)
    assert run.item("s01.a").status == "ready"
    data = b"%PDF-1.4 memorandum"
    run.do("complete", "s01.a", wib(4, 8, 5), attachments_dir=tmp_path,
           attachment=cycles.Attachment("../../Arahan Karo.pdf", data))
    (event,) = events(run, "s01.a")
    sha = hashlib.sha256(data).hexdigest()
    assert (event.attachment_name, event.attachment_sha256, event.attachment_size) == (
        "Arahan Karo.pdf", sha, len(data))
    assert event.attachment_path == f"{tmp_path.name}/{sha}"
    assert (tmp_path / sha).read_bytes() == data


def test_events_cannot_be_changed(run):
    run.do("complete", "s01.a", wib(4, 8, 5))
    (event,) = events(run, "s01.a")
    event.note = "diubah"
    with pytest.raises(WorkEventImmutableError):
        run.session.flush()
    run.session.rollback()


def test_a_cancelled_cycle_takes_no_more_work(run, bureau):
    with pytest.raises(WorkItemReasonRequiredError):
        cycles.cancel_cycle(run.session, bureau["c_karo"], run.cycle_id, reason="")
    cycles.cancel_cycle(run.session, bureau["c_karo"], run.cycle_id, reason="Salah periode",
                        now=wib(4, 9))
    with pytest.raises(CycleClosedError, match="dibatalkan"):
        run.do("complete", "s01.a", wib(4, 9, 5))


def test_a_cancelled_cycle_keeps_its_state_at_cancellation(run, bureau):
    cycles.cancel_cycle(run.session, bureau["c_karo"], run.cycle_id, reason="Salah periode",
                        now=wib(4, 8, 10))
    overview = cycles.cycle_overview(run.session, run.cycle_id, wib(20, 9), schedule=SCHEDULE)
    assert overview.status == "cancelled" and overview.forecast_end is None
    assert overview.steps[0].sla.status == "on_track"  # as it stood when cancelled
    assert overview.events[-1].action == "cycle_cancel" and overview.events[-1].note == (
        "Salah periode")
