"""Final-draft submission (app.services.submissions): it completes the unit's step-6 share in
one transaction with the approval record and the IKU statuses; late is accepted and marked;
every refusal is in Indonesian and leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models.cycles import WorkEvent
from app.models.iku import Indicator
from app.models.submissions import FinalSubmission
from app.services.cycles import Attachment
from app.services.cycles.flow import from_db
from app.services.iku_demo import load_demo_iku
from app.services.submissions import SubmissionRefusedError, period_years, submit_final_draft
from tests.views.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    at_step4_fixture,
    at_step6_fixture,
    item,
    team_fixture,
)

PDF = Attachment("nota-persetujuan.pdf", b"%PDF-1.4 persetujuan kepala Setpres")
TODAY = dt.date.today()


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


def _submit(db_session, user, cycle_id, tmp_path, **kw):
    fields = {"approver_name": "Dr. Heru Santoso", "approver_position": "Kepala Sekretariat",
              "approved_on": TODAY - dt.timedelta(days=1), "memo": PDF,
              "attachments_dir": tmp_path / "attachments", "schedule": SCHEDULE, **kw}
    return submit_final_draft(db_session, user, cycle_id, **fields)


def _count(db_session) -> int:
    return db_session.scalar(select(func.count(FinalSubmission.id)))


def test_liaison_submits_on_time_completes_its_share_and_approves_its_draft_iku(
        at_step6, team, db_session, tmp_path, demo):
    share = item(db_session, at_step6.id, "s06@SETPRES")
    saved = _submit(db_session, team["pengguna1"], at_step6.id, tmp_path, note="Sesuai rapat")
    db_session.expire_all()
    share = item(db_session, at_step6.id, "s06@SETPRES")
    assert share.status == "done" and share.completed_by_id == team["pengguna1"].id
    assert saved.work_item_id == share.id and saved.late is False
    assert saved.due_at == share.due_at and saved.memo_name == "nota-persetujuan.pdf"
    assert (tmp_path / "attachments" / saved.memo_sha256).read_bytes() == PDF.data
    statuses = {i.code: i.status for i in db_session.scalars(select(Indicator).where(
        Indicator.org_unit_id == team["pengguna1"].org_unit_id))}
    assert statuses["IKU-1.2"] == "disetujui_pimpinan"  # was a draft
    assert statuses["IKU-1.1"] == "ditetapkan"  # enacted: untouched
    other = db_session.scalars(select(Indicator).filter_by(code="IKU-2.1")).first()
    assert other.status == demo["IKU-2.1v1"].status  # another unit's: untouched
    event = db_session.scalars(select(WorkEvent).where(
        WorkEvent.item_id == share.id, WorkEvent.action == "complete")).one()
    assert "Dr. Heru Santoso" in event.note and event.attachment_sha256 == saved.memo_sha256
    assert item(db_session, at_step6.id, "s06@SETWAPRES").status == "ready"


def test_a_late_submission_is_accepted_and_marked(at_step6, team, db_session, tmp_path):
    due = from_db(item(db_session, at_step6.id, "s06@SETPRES").due_at)
    saved = _submit(db_session, team["pengguna1"], at_step6.id, tmp_path,
                    now=due + dt.timedelta(days=2), approved_on=TODAY)
    assert saved.late is True
    share = item(db_session, at_step6.id, "s06@SETPRES")
    assert share.status == "done"
    event = db_session.scalars(select(WorkEvent).where(
        WorkEvent.item_id == share.id, WorkEvent.action == "complete")).one()
    assert "terlambat" in event.note


def test_before_step5_is_finished_the_submission_is_refused_in_words(
        at_step4, team, db_session, tmp_path):
    with pytest.raises(SubmissionRefusedError) as refused:
        _submit(db_session, team["pengguna1"], at_step4.id, tmp_path)
    assert "belum dapat disampaikan" in str(refused.value)
    assert "Langkah 5" in str(refused.value) and "Pembahasan Substansi" in str(refused.value)
    assert _count(db_session) == 0


def test_a_second_submission_is_refused(at_step6, team, db_session, tmp_path):
    _submit(db_session, team["pengguna1"], at_step6.id, tmp_path)
    with pytest.raises(SubmissionRefusedError) as refused:
        _submit(db_session, team["pengguna1"], at_step6.id, tmp_path)
    assert "sudah menyampaikan rancangan final" in str(refused.value)
    assert _count(db_session) == 1


@pytest.mark.parametrize("memo, words", [
    (None, "wajib"),
    (Attachment("nota.txt", b"bukan pdf"), "PDF, DOCX atau ODT"),
    (Attachment("nota.pdf", b"PK\x03\x04 sebenarnya zip"), "PDF, DOCX atau ODT"),
    (Attachment("nota.pdf", b""), "wajib"),
])
def test_a_bad_memo_saves_nothing(at_step6, team, db_session, tmp_path, demo, memo, words):
    with pytest.raises(SubmissionRefusedError) as refused:
        _submit(db_session, team["pengguna1"], at_step6.id, tmp_path, memo=memo)
    assert words in str(refused.value)
    db_session.expire_all()
    assert _count(db_session) == 0
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "ready"
    assert db_session.get(Indicator, demo["IKU-1.2v1"].id).status == "draft"
    assert not (tmp_path / "attachments").exists()


def test_a_docx_memo_is_accepted(at_step6, team, db_session, tmp_path):
    memo = Attachment("nota.docx", b"PK\x03\x04 word")
    assert _submit(db_session, team["pengguna1"], at_step6.id, tmp_path, memo=memo).memo_size


@pytest.mark.parametrize("field, value, words", [
    ("approver_name", "  ", "Nama pejabat yang menyetujui wajib diisi"),
    ("approver_position", "", "Jabatan pejabat yang menyetujui wajib diisi"),
    ("approved_on", None, "Tanggal persetujuan wajib diisi"),
    ("approved_on", TODAY + dt.timedelta(days=2), "tidak boleh di masa depan"),
])
def test_required_fields_and_no_future_date(at_step6, team, db_session, tmp_path, field, value,
                                            words):
    with pytest.raises(SubmissionRefusedError) as refused:
        _submit(db_session, team["pengguna1"], at_step6.id, tmp_path, **{field: value})
    assert words in str(refused.value) and refused.value.field == field
    assert _count(db_session) == 0


def test_bureau_staff_record_it_for_a_unit_they_serve_only(at_step6, team, db_session,
                                                           tmp_path):
    setkemen = item(db_session, at_step6.id, "s06@SETKEMEN")
    saved = _submit(db_session, team["staf2"], at_step6.id, tmp_path,
                    org_unit_id=setkemen.org_unit_id)
    assert saved.submitted_by_id == team["staf2"].id
    assert item(db_session, at_step6.id, "s06@SETKEMEN").status == "done"
    dep = item(db_session, at_step6.id, "s06@DEP-AA")  # served by AK II, not by "staf" (AK I)
    with pytest.raises(ValueError, match="Hanya penghubung"):
        _submit(db_session, team["staf"], at_step6.id, tmp_path, org_unit_id=dep.org_unit_id)
    assert _count(db_session) == 1
    assert item(db_session, at_step6.id, "s06@DEP-AA").status == "ready"
    with pytest.raises(SubmissionRefusedError, match="Pilih unit"):
        _submit(db_session, team["staf"], at_step6.id, tmp_path)


def test_a_liaison_submits_for_its_own_unit_only(at_step6, team, db_session, tmp_path):
    other = item(db_session, at_step6.id, "s06@SETWAPRES")
    with pytest.raises(SubmissionRefusedError, match="unit Anda sendiri"):
        _submit(db_session, team["pengguna1"], at_step6.id, tmp_path,
                org_unit_id=other.org_unit_id)
    assert item(db_session, at_step6.id, "s06@SETWAPRES").status == "ready"


def test_period_years():
    assert period_years("2027") == (2027, 2027)
    assert period_years("2025-2029") == (2025, 2029)
    assert period_years("Renstra") is None
