"""Change proposals through the REST API: the same scope, verbs and refusals as the pages."""

import base64
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
URL = "/api/v1/change-proposal/"


def _user(db_session, username):
    return db_session.query(IkuUser).filter_by(username=username).one()


def _unit_id(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one().id


@pytest.fixture
def files(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def waiting(db_session, files):
    """One waiting proposal of each liaison's unit."""
    def submit(username, reason, text):
        return service.submit_proposal(
            db_session, _user(db_session, username), org_unit_id=None, start_year=2025,
            end_year=2029, reason=reason, description=text,
            attachment=Attachment("memo.pdf", PDF + text.encode()),
            attachments_dir=files / "attachments")

    return {"setpres": submit("pengguna1", "organisation_change", "Struktur Setpres berubah."),
            "setwapres": submit("pengguna2", "goals_change", "Sasaran Setwapres berubah.")}


def _body(**fields):
    body = {"start_year": 2025, "end_year": 2029, "reason": "leadership_direction",
            "description": "Arahan Menteri atas IKU unit.",
            "attachment": {"filename": "arahan.pdf",
                           "content_base64": base64.b64encode(PDF).decode()}}
    body.update(fields)
    return body


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_list_per_role_is_scoped(client, api_token, waiting, username):
    response = client.get(URL, headers=api_token(username))
    assert response.status_code == 200
    units = {row["org_unit"]["name"] for row in response.get_json()["result"]}
    expected = {"pengguna1": {"Sekretariat Presiden"}, "pengguna2": {"Sekretariat Wakil Presiden"}}
    assert units == expected.get(username, {"Sekretariat Presiden", "Sekretariat Wakil Presiden"})


def test_liaison_token_gets_404_on_another_units_proposal(client, api_token, waiting):
    headers, other = api_token("pengguna1"), waiting["setwapres"].id
    assert client.get(f"{URL}{other}", headers=headers).status_code == 404
    assert client.get(f"{URL}{other}/attachment", headers=headers).status_code == 404
    assert client.post(f"{URL}{other}/withdraw", headers=headers).status_code == 404
    own = client.get(f"{URL}{waiting['setpres'].id}", headers=headers).get_json()["result"]
    assert own["description"] == "Struktur Setpres berubah." and own["status"] == "submitted"
    download = client.get(f"{URL}{waiting['setpres'].id}/attachment", headers=headers)
    assert download.status_code == 200 and download.data.startswith(PDF)


def test_liaison_creates_for_its_unit_with_base64(client, api_token, db_session, files):
    load_demo_iku()
    own = db_session.query(Indicator).filter_by(code="IKU-1.1").first()
    response = client.post(URL, json=_body(indicators=[own.id]), headers=api_token("pengguna1"))
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["reason_text"] == "Arahan pimpinan" and result["period"] == "2025–2029"
    saved = db_session.get(ChangeProposal, response.get_json()["id"])
    assert saved.org_unit.code == "SETPRES" and [i.code for i in saved.indicators] == ["IKU-1.1"]
    assert (files / saved.attachment_path).read_bytes() == PDF


def test_staff_creates_on_a_units_behalf_with_multipart(client, api_token, db_session, files):
    response = client.post(URL, data={
        "org_unit": str(_unit_id(db_session, "SETWAPRES")), "start_year": "2025",
        "end_year": "2029", "reason": "goals_change", "description": "Dikirim lewat surat.",
        "attachment": (BytesIO(b"PK\x03\x04 isi"), "memo.docx"),
    }, content_type="multipart/form-data", headers=api_token("staf"))
    assert response.status_code == 201, response.get_json()
    saved = db_session.get(ChangeProposal, response.get_json()["id"])
    assert saved.org_unit.code == "SETWAPRES" and saved.attachment_name == "memo.docx"


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"reason": "periodic"}, "reason", "Pilih salah satu alasan"),
    ({"description": ""}, "description", "Wajib diisi"),
    ({"attachment": None}, "attachment", "Lampirkan dokumen pendukung"),
    ({"attachment": {"filename": "x.exe", "content_base64": base64.b64encode(b"MZ").decode()}},
     "attachment", "PDF, DOCX, XLSX atau ODT"),
])
def test_refusals_are_422_in_indonesian_with_nothing_saved(client, api_token, db_session, files,
                                                           fields, field, words):
    response = client.post(URL, json=_body(**fields), headers=api_token("pengguna1"))
    assert response.status_code == 422
    assert words in response.get_json()["message"][field][0]
    assert db_session.query(ChangeProposal).count() == 0
    assert not (files / "attachments").exists()


def test_bad_base64_and_another_unit_are_refused(client, api_token, db_session, files):
    headers = api_token("pengguna1")
    bad = client.post(URL, json=_body(attachment={"filename": "a.pdf", "content_base64": "@@"}),
                      headers=headers)
    assert bad.status_code == 422 and "base64" in str(bad.get_json()["message"])
    other = client.post(URL, json=_body(org_unit=_unit_id(db_session, "SETWAPRES")),
                        headers=headers)
    assert other.status_code == 422 and "dirinya sendiri" in str(other.get_json()["message"])
    assert client.post(URL, json=_body(), headers=api_token("auditor")).status_code == 403
    assert db_session.query(ChangeProposal).count() == 0


def test_decision_by_heads_only_and_a_rejection_needs_a_note(client, api_token, db_session,
                                                             waiting):
    target = f"{URL}{waiting['setwapres'].id}/decision"
    for username in ("staf", "pengguna2"):
        assert client.post(target, json={"decision": "accepted"},
                           headers=api_token(username)).status_code == 403
    headers = api_token("kabag")
    refused = client.post(target, json={"decision": "rejected"}, headers=headers)
    assert refused.status_code == 422
    assert "Sebutkan alasan usulan ditolak" in refused.get_json()["message"]["note"][0]
    done = client.post(target, json={"decision": "rejected", "note": "Belum perlu."},
                       headers=headers)
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "rejected"
    shown = client.get(f"{URL}{waiting['setwapres'].id}", headers=headers).get_json()["result"]
    assert shown["decided_by"] == {"username": "kabag"} and shown["decision_note"] == "Belum perlu."
    listed = client.get(URL, headers=headers).get_json()["result"]
    assert {row["decided_by"]["username"] for row in listed} == {"kabag", None}
    again = client.post(target, json={"decision": "accepted"}, headers=api_token("karo"))
    assert again.status_code == 422 and "sudah ditolak" in again.get_json()["message"]
    admin = client.post(f"{URL}{waiting['setpres'].id}/decision", json={"decision": "accepted"},
                        headers=api_token("admin"))
    assert admin.status_code == 422 and "Hanya Kepala Biro" in admin.get_json()["message"]


def test_liaison_withdraws_its_own(client, api_token, db_session, waiting):
    own = waiting["setpres"].id
    assert client.post(f"{URL}{own}/withdraw", headers=api_token("karo")).status_code == 403
    done = client.post(f"{URL}{own}/withdraw", headers=api_token("pengguna1"))
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "withdrawn"
    again = client.post(f"{URL}{own}/withdraw", headers=api_token("pengguna1"))
    assert again.status_code == 422 and "sudah ditarik" in again.get_json()["message"]


def test_no_edit_or_delete_through_the_api(client, api_token, waiting):
    own = waiting["setpres"].id
    headers = api_token("admin")
    assert client.put(f"{URL}{own}", json={"description": "X"}, headers=headers).status_code in (
        404, 405)
    assert client.delete(f"{URL}{own}", headers=headers).status_code in (404, 405)
