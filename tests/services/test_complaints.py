"""The complaint engine: intake, routing from the standard, clocks, refusals, confidentiality,
reopening, the scan and the evaluation's queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models.audit import AuditEntry
from app.models.complaints import Complaint, ComplaintEvent, ComplaintStatus
from app.models.cycles import SlaStatus
from app.models.org import OrgUnit
from app.services import complaints
from app.services.complaints import clock
from app.services.complaints.errors import ComplaintRefusedError
from app.services.working_time import Schedule
from tests.views.test_cycles_support import team_fixture  # noqa: F401

SCHEDULE = Schedule.default()
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB


def _file(db_session, user, **kw):
    fields = dict(kind="pengaduan", subject="Undangan pembahasan terlambat",
                  description="Undangan diterima satu hari sebelum rapat.", now=MONDAY,
                  schedule=SCHEDULE)
    fields.update(kw)
    return complaints.file_complaint(db_session, user, **fields)


def _unit(db_session, code):
    return db_session.scalars(select(OrgUnit).filter_by(code=code)).one()


def test_liaison_files_for_its_own_unit_and_the_pair_opens_it(db_session, team):
    filed = _file(db_session, team["pengguna1"], complainant_name="Budi")
    c = filed.complaint
    assert c.org_unit.code == "SETPRES" and c.channel == "portal"
    assert c.status == ComplaintStatus.RECEIVED and c.ticket.startswith("ADU-2026-")
    assert filed.secret_code not in c.secret_hash
    assert complaints.find_by_secret(db_session, c.ticket, filed.secret_code) == c
    assert complaints.find_by_secret(db_session, c.ticket, "SALAH") is None
    # verify within 3 working days: Thursday 09:00 WIB
    assert c.verify_due_at == dt.datetime(2026, 3, 5, 2, 0)
    with pytest.raises(ComplaintRefusedError, match="sendiri"):
        _file(db_session, team["pengguna1"], org_unit_id=_unit(db_session, "SETWAPRES").id)


def test_bureau_records_with_a_channel_others_may_not_file(db_session, team):
    unit = _unit(db_session, "SETWAPRES")
    with pytest.raises(ComplaintRefusedError, match="diterima"):
        _file(db_session, team["staf"], complainant_name="Sari", org_unit_id=unit.id)
    c = _file(db_session, team["staf"], complainant_name="Sari", org_unit_id=unit.id,
              channel="telepon").complaint
    assert c.channel == "telepon"
    with pytest.raises(ComplaintRefusedError):
        _file(db_session, team["auditor"], complainant_name="X", org_unit_id=unit.id,
              channel="surat")


def test_the_whole_route_with_refusals_and_history(db_session, team):
    c = _file(db_session, team["pengguna1"]).complaint
    later = MONDAY + dt.timedelta(hours=2)
    with pytest.raises(ComplaintRefusedError, match="Kepala Biro"):
        complaints.verify(db_session, team["kabag"], c.id, delegate_user_id=team["kabag"].id,
                          now=later, schedule=SCHEDULE)
    with pytest.raises(ComplaintRefusedError, match="Kabag"):
        complaints.verify(db_session, team["karo"], c.id, delegate_user_id=team["staf"].id,
                          now=later, schedule=SCHEDULE)
    complaints.verify(db_session, team["karo"], c.id, delegate_user_id=team["kabag"].id,
                      now=later, schedule=SCHEDULE)
    assert c.status == ComplaintStatus.DELEGATED and c.section.code == "AK1"
    with pytest.raises(ComplaintRefusedError, match="penerima delegasi"):
        complaints.assign(db_session, team["kabag2"], c.id, handler_user_id=team["staf2"].id,
                          now=later, schedule=SCHEDULE)
    with pytest.raises(ComplaintRefusedError, match="Pilih petugas"):
        complaints.assign(db_session, team["kabag"], c.id, handler_user_id=team["staf2"].id,
                          now=later, schedule=SCHEDULE)
    complaints.assign(db_session, team["kabag"], c.id, handler_user_id=team["staf"].id,
                      now=later, schedule=SCHEDULE)
    with pytest.raises(ComplaintRefusedError, match="petugas yang ditugaskan"):
        complaints.draft_response(db_session, team["staf1b"], c.id, response="x", now=later,
                                  schedule=SCHEDULE)
    complaints.draft_response(db_session, team["staf"], c.id, response="Jadwal diperbaiki.",
                              now=later, schedule=SCHEDULE)
    with pytest.raises(ComplaintRefusedError):
        complaints.send_response(db_session, team["staf"], c.id, now=later, schedule=SCHEDULE)
    complaints.send_response(db_session, team["kabag"], c.id, now=later, schedule=SCHEDULE)
    assert c.status == ComplaintStatus.CLOSED and c.response == "Jadwal diperbaiki."
    assert clock.stage_sla(c, "follow_up", later, SCHEDULE).status == SlaStatus.DONE_ON_TIME
    actions = [e.action for e in complaints.history(db_session, c.id)]
    assert actions[:6] == ["file", "verify", "assign", "draft", "send", "comment"]
    # reopened by the complainant within the window, not after it
    complaints.reopen(db_session, None, c.id, note="Belum dijawab tuntas.",
                      now=later + dt.timedelta(days=1), schedule=SCHEDULE)
    assert c.status == ComplaintStatus.DELEGATED and c.reopen_count == 1
    complaints.send_response(db_session, team["karo"], c.id, response="Sudah.",
                             now=later + dt.timedelta(days=2), schedule=SCHEDULE)
    with pytest.raises(ComplaintRefusedError, match="lewat"):
        complaints.reopen(db_session, None, c.id, note="lagi",
                          now=later + dt.timedelta(days=40), schedule=SCHEDULE)


def test_reject_and_archive_need_a_reason(db_session, team):
    c = _file(db_session, team["pengguna1"]).complaint
    with pytest.raises(ComplaintRefusedError, match="alasan"):
        complaints.reject(db_session, team["karo"], c.id, note=" ", now=MONDAY, schedule=SCHEDULE)
    complaints.reject(db_session, team["karo"], c.id, note="Kewenangan Biro SDM.",
                      now=MONDAY, schedule=SCHEDULE)
    assert c.status == ComplaintStatus.REJECTED and c.reason == "Kewenangan Biro SDM."
    d = _file(db_session, team["pengguna1"]).complaint
    complaints.archive(db_session, team["karo"], d.id, note="Duplikat.", now=MONDAY,
                       schedule=SCHEDULE)
    assert d.status == ComplaintStatus.ARCHIVED


def test_pause_moves_the_due_and_the_scan_reminds_once(db_session, team):
    c = _file(db_session, team["pengguna1"]).complaint
    due = c.verify_due_at
    complaints.pause(db_session, team["karo"], c.id, note="Menunggu data pelapor.",
                     now=MONDAY, schedule=SCHEDULE)
    complaints.resume(db_session, team["karo"], c.id, now=MONDAY + dt.timedelta(days=1),
                      schedule=SCHEDULE)
    assert c.verify_due_at == due + dt.timedelta(days=1)
    late = MONDAY + dt.timedelta(days=10)
    assert clock.current_sla(c, late, SCHEDULE).status == SlaStatus.OVERDUE
    first = complaints.scan_complaints(db_session, late, schedule=SCHEDULE)
    again = complaints.scan_complaints(db_session, late, schedule=SCHEDULE)
    assert first.overdue >= 1 and first.reminders >= 1 and again.reminders == 0
    remind = db_session.scalars(select(ComplaintEvent).filter_by(
        complaint_id=c.id, action="remind")).one()
    assert team["karo"].id in remind.details["recipients"]


def test_confidential_identity_only_for_receiver_and_delegated_kabag(db_session, team):
    c = _file(db_session, team["pengguna1"], complainant_name="Rahasia Sekali",
              complainant_email="rahasia@contoh.id", confidential=True).complaint
    assert c.complainant_listed == "dirahasiakan"
    assert complaints.identity_for(db_session, team["kabag"], c).name == "dirahasiakan"
    assert complaints.identity_for(db_session, team["pengguna1"], c).name == "dirahasiakan"
    before = db_session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert complaints.identity_for(db_session, team["karo"], c).name == "Rahasia Sekali"
    logged = db_session.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    assert [e.action for e in logged] == ["view_identity"]
    complaints.verify(db_session, team["karo"], c.id, delegate_user_id=team["kabag"].id,
                      now=MONDAY, schedule=SCHEDULE)
    assert complaints.identity_for(db_session, team["kabag"], c).revealed
    assert complaints.identity_for(db_session, team["kabag2"], c).name == "dirahasiakan"
    trail = " ".join(str(e.changes) for e in db_session.scalars(select(AuditEntry)))
    assert "Rahasia Sekali" not in trail and "rahasia@contoh.id" not in trail


def test_queries_for_the_evaluation(db_session, team):
    c = _file(db_session, team["pengguna1"]).complaint
    _file(db_session, team["pengguna2"])
    complaints.verify(db_session, team["karo"], c.id, delegate_user_id=team["kabag"].id,
                      now=MONDAY, schedule=SCHEDULE)
    complaints.assign(db_session, team["kabag"], c.id, handler_user_id=team["staf"].id,
                      now=MONDAY, schedule=SCHEDULE)
    complaints.send_response(db_session, team["kabag"], c.id, response="Selesai.",
                             now=MONDAY + dt.timedelta(days=14), schedule=SCHEDULE)
    rows = complaints.complaints_handled_by(db_session, team["staf"].pelaksana_id, 2026,
                                            MONDAY, SCHEDULE)
    assert [(r.ticket, r.role, r.on_time) for r in rows] == [(c.ticket, "handler", False)]
    assert complaints.open_complaints_visible(db_session, team["pengguna1"]) == \
        db_session.query(Complaint).filter(Complaint.org_unit_id == c.org_unit_id,
                                           Complaint.status != "closed").count()
    assert complaints.open_complaints_visible(db_session, team["karo"]) >= 1
