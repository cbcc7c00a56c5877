"""Change proposals without a request: who may submit, withdraw and decide, the standard's
reasons, the supporting file, nothing half-saved, the audit trail and the bureau's queries."""

import datetime as dt

import pytest

from app.models.audit import AuditEntry
from app.models.iku import Indicator
from app.models.org import IkuUser, OrgUnit
from app.models.proposals import ChangeProposal, ProposalStatus
from app.services import proposals as service
from app.services.cycles.rules import MAX_ATTACHMENT_BYTES, Attachment
from app.services.iku_demo import load_demo_iku
from app.services.validation import FieldInvalidError

PDF = Attachment("memo usulan.pdf", b"%PDF-1.4\n% memo pimpinan unit\n")
DOCX = Attachment("memo.docx", b"PK\x03\x04 isi dokumen")


def user(db_session, username):
    return db_session.query(IkuUser).filter_by(username=username).one()


def unit(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one()


def submit(db_session, username="pengguna1", tmp_path=None, **fields):
    values = dict(org_unit_id=None, start_year=2025, end_year=2029, reason="organisation_change",
                  description="Struktur organisasi berubah dengan Perpres baru.", attachment=PDF)
    values.update(fields)
    return service.submit_proposal(db_session, user(db_session, username),
                                   attachments_dir=tmp_path, **values)


def test_reasons_are_the_seeds_from_the_standard(db_session):
    reasons = service.proposal_reasons(db_session)
    assert [r["text"] for r in reasons] == [
        "Perubahan organisasi", "Perubahan tujuan maupun sasaran organisasi", "Arahan pimpinan"]


def test_liaison_submits_for_its_own_unit_and_the_file_is_stored(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path, attachment=DOCX)
    assert proposal.org_unit.code == "SETPRES" and proposal.status == ProposalStatus.SUBMITTED
    assert proposal.reason_text == "Perubahan organisasi" and proposal.period == "2025–2029"
    assert proposal.attachment_name == "memo.docx" and proposal.attachment_size == len(DOCX.data)
    assert (tmp_path / proposal.attachment_sha256).read_bytes() == DOCX.data
    assert proposal.submitted_by.username == "pengguna1"
    assert proposal.submitted_at.tzinfo is None  # naive UTC, as everywhere
    assert abs(proposal.submitted_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        minutes=1)


def test_liaison_cannot_propose_for_another_unit(db_session, tmp_path):
    with pytest.raises(service.ProposalRefusedError, match="hanya dapat mengusulkan untuk dirinya"):
        submit(db_session, tmp_path=tmp_path, org_unit_id=unit(db_session, "SETWAPRES").id)
    assert db_session.query(ChangeProposal).count() == 0


@pytest.mark.parametrize("username", ["admin", "karo", "kabag", "kasubbag", "staf"])
def test_bureau_records_on_a_units_behalf(db_session, tmp_path, username):
    proposal = submit(db_session, username, tmp_path,
                      org_unit_id=unit(db_session, "SETWAPRES").id, reason="leadership_direction")
    assert proposal.org_unit.code == "SETWAPRES" and proposal.submitted_by.username == username


def test_auditor_cannot_submit(db_session, tmp_path):
    with pytest.raises(service.ProposalRefusedError, match="tidak dapat mengajukan"):
        submit(db_session, "auditor", tmp_path, org_unit_id=unit(db_session, "SETPRES").id)


@pytest.mark.parametrize("reason", ["periodic", "bosan", ""])
def test_reason_outside_the_seeds_list_is_refused(db_session, tmp_path, reason):
    with pytest.raises(service.ProposalInvalidError, match="Pilih salah satu alasan") as err:
        submit(db_session, tmp_path=tmp_path, reason=reason)
    assert err.value.field == "reason" and "Arahan pimpinan" in str(err.value)
    assert db_session.query(ChangeProposal).count() == 0 and not list(tmp_path.iterdir())


@pytest.mark.parametrize(("fields", "field"), [
    ({"description": "   "}, "description"),
    ({"start_year": None}, "start_year"),
    ({"start_year": 2029, "end_year": 2025}, "end_year"),
])
def test_missing_or_wrong_fields_are_named(db_session, tmp_path, fields, field):
    with pytest.raises(FieldInvalidError, match="Wajib diisi|Periode harus") as err:
        submit(db_session, tmp_path=tmp_path, **fields)
    assert err.value.field == field
    assert db_session.query(ChangeProposal).count() == 0 and not list(tmp_path.iterdir())


@pytest.mark.parametrize(("attachment", "words"), [
    (None, "Lampirkan dokumen pendukung"),
    (Attachment("memo.pdf", b""), "Lampiran kosong"),
    (Attachment("program.exe", b"MZ\x90\x00"), "PDF, DOCX, XLSX atau ODT"),
    (Attachment("palsu.pdf", b"<html>bukan pdf</html>"), "PDF, DOCX, XLSX atau ODT"),
    (Attachment("besar.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES), "terlalu besar"),
])
def test_bad_attachment_refused_with_nothing_saved(db_session, tmp_path, attachment, words):
    with pytest.raises(service.ProposalInvalidError, match=words) as err:
        submit(db_session, tmp_path=tmp_path, attachment=attachment)
    assert err.value.field == "attachment"
    assert db_session.query(ChangeProposal).count() == 0 and not list(tmp_path.iterdir())


def test_indicators_must_be_the_proposing_units(db_session, tmp_path):
    load_demo_iku()
    own = db_session.query(Indicator).filter_by(code="IKU-1.1").first()
    other = db_session.query(Indicator).filter_by(code="IKU-4.1").first()
    proposal = submit(db_session, tmp_path=tmp_path, indicator_ids=[own.id])
    assert [i.code for i in proposal.indicators] == ["IKU-1.1"]
    with pytest.raises(service.ProposalInvalidError, match="bukan IKU unit pengusul"):
        submit(db_session, tmp_path=tmp_path, indicator_ids=[other.id])
    with pytest.raises(service.ProposalInvalidError, match="id data yang ada"):
        submit(db_session, tmp_path=tmp_path, indicator_ids=[own.id, 987654])
    assert db_session.query(ChangeProposal).count() == 1


@pytest.mark.parametrize("username", ["karo", "kabag"])
def test_heads_accept_or_reject_with_a_note(db_session, tmp_path, username):
    first, second = submit(db_session, tmp_path=tmp_path), submit(db_session, tmp_path=tmp_path)
    head = user(db_session, username)
    accepted = service.decide_proposal(db_session, head, first.id, decision="accepted")
    assert accepted.status == "accepted" and accepted.decided_by.username == username
    assert accepted.decided_at is not None
    with pytest.raises(service.ProposalInvalidError, match="Sebutkan alasan usulan ditolak"):
        service.decide_proposal(db_session, head, second.id, decision="rejected", note=" ")
    rejected = service.decide_proposal(db_session, head, second.id, decision="rejected",
                                       note="Belum ada perubahan Perpres.")
    assert rejected.status == "rejected" and rejected.decision_note == "Belum ada perubahan Perpres."
    with pytest.raises(service.ProposalRefusedError, match="sudah ditolak; tidak dapat diubah"):
        service.decide_proposal(db_session, head, second.id, decision="accepted")


@pytest.mark.parametrize("username", ["admin", "kasubbag", "staf", "auditor", "pengguna1"])
def test_others_cannot_decide(db_session, tmp_path, username):
    proposal = submit(db_session, tmp_path=tmp_path)
    with pytest.raises(service.ProposalRefusedError, match="Hanya Kepala Biro atau Kepala Bagian"):
        service.decide_proposal(db_session, user(db_session, username), proposal.id,
                                decision="accepted")
    db_session.expire_all()
    assert db_session.get(ChangeProposal, proposal.id).status == "submitted"


def test_unknown_decision_is_refused(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path)
    with pytest.raises(service.ProposalInvalidError, match="Pilih terima atau tolak"):
        service.decide_proposal(db_session, user(db_session, "karo"), proposal.id,
                                decision="withdrawn")


def test_withdraw_only_own_unit_and_only_while_submitted(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path)
    for username in ("pengguna2", "kabag"):
        with pytest.raises(service.ProposalRefusedError, match="Hanya penghubung unit pengusul"):
            service.withdraw_proposal(db_session, user(db_session, username), proposal.id)
    done = service.withdraw_proposal(db_session, user(db_session, "pengguna1"), proposal.id)
    assert done.status == "withdrawn" and done.decided_by.username == "pengguna1"
    with pytest.raises(service.ProposalRefusedError, match="sudah ditarik"):
        service.withdraw_proposal(db_session, user(db_session, "pengguna1"), proposal.id)
    with pytest.raises(service.ProposalRefusedError, match="sudah ditarik"):
        service.decide_proposal(db_session, user(db_session, "karo"), proposal.id,
                                decision="accepted")


def test_accepted_proposal_links_to_a_cycle_only_once_accepted(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path)
    karo = user(db_session, "karo")
    with pytest.raises(service.ProposalRefusedError, match="Hanya usulan yang diterima"):
        service.link_cycle(db_session, karo, proposal.id, None)
    service.decide_proposal(db_session, karo, proposal.id, decision="accepted")
    with pytest.raises(service.ProposalInvalidError):
        service.link_cycle(db_session, karo, proposal.id, 987654)
    assert service.link_cycle(db_session, karo, proposal.id, None).cycle_id is None


def test_pending_count_and_unit_proposals(db_session, tmp_path):
    assert service.pending_count(db_session) == 0
    first = submit(db_session, tmp_path=tmp_path)
    second = submit(db_session, tmp_path=tmp_path, reason="goals_change")
    submit(db_session, "staf", tmp_path, org_unit_id=unit(db_session, "SETWAPRES").id)
    assert service.pending_count(db_session) == 3
    service.withdraw_proposal(db_session, user(db_session, "pengguna1"), first.id)
    assert service.pending_count(db_session) == 2
    own = service.unit_proposals(db_session, unit(db_session, "SETPRES").id)
    assert {p.id for p in own} == {first.id, second.id}


def test_submission_and_decision_are_audited(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path)
    service.decide_proposal(db_session, user(db_session, "kabag"), proposal.id,
                            decision="rejected", note="Tidak relevan.")
    entries = db_session.query(AuditEntry).filter_by(
        entity="change_proposal", entity_id=str(proposal.id)).order_by(AuditEntry.id).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["status"] == ["submitted", "rejected"]


def test_a_decided_proposal_is_kept(db_session, tmp_path):
    proposal = submit(db_session, tmp_path=tmp_path)
    service.check_delete(proposal)
    service.decide_proposal(db_session, user(db_session, "karo"), proposal.id, decision="accepted")
    with pytest.raises(service.ProposalRefusedError, match="tetap disimpan"):
        service.check_delete(proposal)
