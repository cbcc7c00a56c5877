"""Change proposal pages per role: the list in Indonesian and in scope, the submission form
with its file, the show page with the download, the decision and the withdrawal."""

import re
from io import BytesIO

import pytest

from app.models.iku import Indicator
from app.models.org import IkuUser, OrgUnit
from app.models.proposals import ChangeProposal
from app.services import proposals as service
from app.services.cycles.rules import Attachment
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS

PDF = b"%PDF-1.4\n% memo\n"
MENU_LINK = 'href="/proposalview/list/"'


def _user(db_session, username):
    return db_session.query(IkuUser).filter_by(username=username).one()


def _unit(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one()


@pytest.fixture
def files(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def proposals(db_session, files):
    """One waiting proposal of each liaison's unit and an accepted one of SETPRES."""
    def submit(username, reason, text, unit=None):
        return service.submit_proposal(
            db_session, _user(db_session, username), org_unit_id=unit, start_year=2025,
            end_year=2029, reason=reason, description=text,
            attachment=Attachment("memo.pdf", PDF + text.encode()),
            attachments_dir=files / "attachments")

    setpres = submit("pengguna1", "organisation_change", "Struktur Sekretariat Presiden berubah.")
    setwapres = submit("pengguna2", "goals_change", "Sasaran Sekretariat Wakil Presiden berubah.")
    done = submit("staf", "leadership_direction", "Arahan Mensesneg atas IKU Setpres.",
                  unit=_unit(db_session, "SETPRES").id)
    service.decide_proposal(db_session, _user(db_session, "karo"), done.id, decision="accepted")
    return {"setpres": setpres, "setwapres": setwapres, "accepted": done}


def _shown(page: str) -> str:
    """What a person reads: no tags, no scripts (the search form's options live in one)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<script.*?</script>", "", page, flags=re.S))


def _form(**fields):
    data = {"start_year": "2025", "end_year": "2029", "reason": "organisation_change",
            "description": "Perpres organisasi baru mengubah tugas unit.",
            "attachment": (BytesIO(PDF), "memo usulan.pdf")}
    data.update(fields)
    return data


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_list_per_role_in_indonesian_and_in_scope(client, login, proposals, username):
    login(client, username)
    home = client.get("/").get_data(as_text=True)
    assert MENU_LINK in home and "Usulan perubahan" in home
    page = client.get("/proposalview/list/").get_data(as_text=True)
    assert "Usulan perubahan" in page and "Alasan" in page and "Diajukan pada" in page
    shown = _shown(page)
    assert "organisation_change" not in shown and "submitted" not in shown
    assert "None" not in shown and "True" not in shown
    if username == "pengguna1":
        assert "Perubahan organisasi" in shown and "Arahan pimpinan" in shown
        assert "Sekretariat Wakil Presiden" not in page
    elif username == "pengguna2":
        assert "Perubahan tujuan maupun sasaran organisasi" in shown
        assert "Perubahan organisasi" not in shown and "Sekretariat Presiden<" not in page
    else:
        assert "Sekretariat Presiden" in shown and "Sekretariat Wakil Presiden" in shown
        assert "Diajukan" in shown and "Diterima" in shown
    add_offered = 'href="/proposalview/add"' in page
    assert add_offered == (username != "auditor")
    if username == "auditor":
        assert client.get("/proposalview/add").status_code == 403


def test_list_shows_wib_dates_and_searches_by_reason_and_status(client, login, proposals,
                                                               db_session):
    accepted = proposals["accepted"]
    login(client, "kabag")
    page = client.get("/proposalview/list/").get_data(as_text=True)
    from app.views.display import when_utc

    assert when_utc(accepted.submitted_at) in page
    found = _shown(client.get("/proposalview/list/?_flt_0_reason=leadership_direction").get_data(
        as_text=True))
    assert "Arahan pimpinan" in found and "Perubahan organisasi" not in found
    found = _shown(client.get("/proposalview/list/?_flt_0_status=submitted").get_data(
        as_text=True))
    assert "Sekretariat Wakil Presiden" in found and "Diterima" not in found
    found = _shown(client.get("/proposalview/list/?_flt_2_description=Wakil").get_data(
        as_text=True))
    assert "Sekretariat Wakil Presiden" in found and "Arahan pimpinan" not in found


def test_liaison_gets_404_on_another_units_proposal(client, login, proposals):
    other = proposals["setwapres"].id
    login(client, "pengguna1")
    for url in (f"/proposalview/show/{other}", f"/proposalview/attachment/{other}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/proposalview/withdraw/{other}", data={"confirm": "y"}).status_code == 404
    own = client.get(f"/proposalview/show/{proposals['setpres'].id}").get_data(as_text=True)
    assert "Struktur Sekretariat Presiden berubah." in own and "Perubahan organisasi" in own
    assert "Unduh dokumen pendukung" in own and "Tarik usulan ini" in own
    assert "Putuskan usulan ini" not in own


def test_download_in_scope_gives_the_bytes(client, login, proposals):
    login(client, "pengguna1")
    response = client.get(f"/proposalview/attachment/{proposals['setpres'].id}")
    assert response.status_code == 200 and response.data.startswith(PDF)
    assert "memo.pdf" in response.headers["Content-Disposition"]


def test_liaison_submits_for_its_own_unit(client, login, db_session, files):
    load_demo_iku()
    own = db_session.query(Indicator).filter_by(code="IKU-1.1").first()
    login(client, "pengguna1")
    form = client.get("/proposalview/add").get_data(as_text=True)
    assert "Usulkan perubahan IKU" in form and 'id="proposal-unit"' in form
    assert "Sekretariat Presiden" in form and "Sekretariat Wakil Presiden" not in form
    assert "Perubahan organisasi" in form and "Arahan pimpinan" in form
    assert "Penyusunan IKU berkala" not in form  # not a reason a unit proposes (seed C.2)
    assert "IKU-1.1" in form and "IKU-4.1" not in form
    page = client.post("/proposalview/add", data=_form(indicators=[str(own.id)]),
                       content_type="multipart/form-data", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Usulan perubahan telah diajukan." in text and "Perpres organisasi baru" in text
    saved = db_session.query(ChangeProposal).one()
    assert saved.org_unit.code == "SETPRES" and [i.code for i in saved.indicators] == ["IKU-1.1"]
    assert (files / saved.attachment_path).read_bytes() == PDF


def test_liaison_cannot_slip_in_another_unit(client, login, db_session, files):
    login(client, "pengguna1")
    client.post("/proposalview/add", data=_form(org_unit=str(_unit(db_session, "SETWAPRES").id)),
                content_type="multipart/form-data")
    assert db_session.query(ChangeProposal).filter(
        ChangeProposal.org_unit.has(code="SETWAPRES")).count() == 0


@pytest.mark.parametrize(("fields", "words"), [
    ({"reason": "periodic"}, "Pilih salah satu alasan dalam standar pelayanan"),
    ({"start_year": ""}, "Wajib diisi"),
    ({"attachment": (BytesIO(b"MZ\x90"), "program.exe")}, "PDF, DOCX, XLSX atau ODT"),
    ({"attachment": (BytesIO(b"<html>"), "palsu.pdf")}, "PDF, DOCX, XLSX atau ODT"),
    ({"attachment": (BytesIO(b""), "")}, "Lampirkan dokumen pendukung"),
    ({"description": "  "}, "Wajib diisi"),
])
def test_bad_input_refused_in_words_with_nothing_saved(client, login, db_session, files,
                                                        fields, words):
    login(client, "pengguna1")
    page = client.post("/proposalview/add", data=_form(**fields),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert words in page
    assert "Usulkan perubahan IKU" in page and 'value="2029"' in page  # what was typed stays
    assert db_session.query(ChangeProposal).count() == 0
    assert not (files / "attachments").exists()


def test_staff_records_on_a_units_behalf(client, login, db_session, files):
    login(client, "staf")
    form = client.get("/proposalview/add").get_data(as_text=True)
    assert "Sekretariat Wakil Presiden" in form and 'id="proposal-unit"' not in form
    client.post("/proposalview/add", data=_form(org_unit=str(_unit(db_session, "SETWAPRES").id)),
                content_type="multipart/form-data")
    saved = db_session.query(ChangeProposal).one()
    assert saved.org_unit.code == "SETWAPRES" and saved.submitted_by.username == "staf"


def test_auditor_cannot_add(client, login, db_session, files):
    login(client, "auditor")
    assert client.get("/proposalview/add").status_code == 403
    client.post("/proposalview/add", data=_form(org_unit=str(_unit(db_session, "SETPRES").id)),
                content_type="multipart/form-data")
    assert db_session.query(ChangeProposal).count() == 0


@pytest.mark.parametrize("username", ["karo", "kabag"])
def test_heads_decide_with_a_confirmation(client, login, db_session, proposals, username):
    waiting = proposals["setwapres"]
    login(client, username)
    show = client.get(f"/proposalview/show/{waiting.id}").get_data(as_text=True)
    assert "Putuskan usulan ini" in show and "Terima" in show and "Tolak" in show
    assert "Tarik usulan ini" not in show
    page = client.post(f"/proposalview/decide/{waiting.id}", data={"decision": "rejected"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Centang kotak ini untuk mengonfirmasi." in page
    page = client.post(f"/proposalview/decide/{waiting.id}", data={
        "decision": "rejected", "confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "Sebutkan alasan usulan ditolak." in page
    db_session.expire_all()
    assert db_session.get(ChangeProposal, waiting.id).status == "submitted"
    page = client.post(f"/proposalview/decide/{waiting.id}", data={
        "decision": "rejected", "note": "Belum ada dasar hukum.", "confirm": "y"},
        follow_redirects=True).get_data(as_text=True)
    assert "Keputusan telah dicatat." in page and "Ditolak" in page
    assert "Belum ada dasar hukum." in page and "Putuskan usulan ini" not in page


@pytest.mark.parametrize("username", ["admin", "kasubbag", "staf", "auditor", "pengguna2"])
def test_others_are_offered_no_decision_and_refused(client, login, db_session, proposals,
                                                    username):
    waiting = proposals["setwapres"]
    login(client, username)
    show = client.get(f"/proposalview/show/{waiting.id}").get_data(as_text=True)
    assert "Putuskan usulan ini" not in show and "Sasaran Sekretariat Wakil" in show
    response = client.post(f"/proposalview/decide/{waiting.id}", data={
        "decision": "accepted", "confirm": "y"}, follow_redirects=True)
    if username == "admin":  # may open everything, but deciding is the heads' (the service)
        assert "Hanya Kepala Biro atau Kepala Bagian" in response.get_data(as_text=True)
    else:
        assert response.status_code == 403
    db_session.expire_all()
    assert db_session.get(ChangeProposal, waiting.id).status == "submitted"


def test_liaison_withdraws_with_a_confirmation_and_the_row_is_locked(client, login, db_session,
                                                                    proposals):
    own = proposals["setpres"]
    login(client, "pengguna1")
    client.post(f"/proposalview/withdraw/{own.id}", data={})
    db_session.expire_all()
    assert db_session.get(ChangeProposal, own.id).status == "submitted"
    page = client.post(f"/proposalview/withdraw/{own.id}", data={"confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Usulan perubahan telah ditarik." in page and "Ditarik" in page
    assert "Tarik usulan ini" not in page
    listing = client.get("/proposalview/list/").get_data(as_text=True)
    assert "/proposalview/edit/" not in listing and "/proposalview/delete/" not in listing


def test_admin_may_delete_only_a_waiting_proposal(client, login, db_session, proposals):
    login(client, "admin")
    listing = client.get("/proposalview/list/").get_data(as_text=True)
    assert f"/proposalview/delete/{proposals['setpres'].id}" in listing
    assert f"/proposalview/delete/{proposals['accepted'].id}" not in listing
    page = client.post(f"/proposalview/delete/{proposals['accepted'].id}",
                       follow_redirects=True).get_data(as_text=True)
    assert "tetap disimpan" in page
    assert db_session.get(ChangeProposal, proposals["accepted"].id) is not None


def test_liaison_export_holds_only_its_units_proposals_in_words(client, login, proposals):
    login(client, "pengguna1")
    text = client.get("/proposalview/export/csv").get_data(as_text=True)
    assert "Alasan" in text and "Perubahan organisasi" in text and "Diajukan" in text
    assert "Sekretariat Wakil Presiden" not in text and "organisation_change" not in text
