"""Document pages and API: the item page's section (generate with values first, versions,
finalise), downloads per role and scope (logged), the register, the template upload (a
malicious template refused, nothing run), the public verification page, the REST API."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.models.audit import AuditEntry
from app.models.documents import Document, DocumentTemplate
from app.models.org import IkuUser, OrgUnit
from app.services import documents
from app.services.documents import storage
from tests.conftest import ROLE_USERS
from tests.services.test_documents_support import (  # noqa: F401
    docs_env_fixture,
    docx_text,
    stub_template,
)
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    en_fixture,
    finish,
    item,
    start_cycle,
    team_fixture,
    visible,
)

MEMO = "memo_usulan_tim"


@pytest.fixture(name="step2a")
def step2a_fixture(db_session, team, docs_env):
    """2a.2 (staff drafts the memorandum) open; returns (cycle, its assignee's username)."""
    cycle = start_cycle(db_session, team)
    finish(db_session, team, cycle.id, "s01")
    act(db_session, team, cycle.id, "complete", "s02.a.1")
    drafter = db_session.get(IkuUser, item(db_session, cycle.id, "s02.a.2").assignee_user_id)
    return cycle, drafter.username


def _final_doc(db_session, team, cycle, unit_code=None) -> Document:
    """A memorandum generated at 2a.2 and finalised at 2a.3; optionally concerning one unit."""
    leaf = item(db_session, cycle.id, "s02.a.2")
    doc = documents.generate(db_session, db_session.get(IkuUser, leaf.assignee_user_id), leaf.id,
                             MEMO, {"hal": "Usulan"})
    if unit_code:
        doc.org_unit_id = db_session.scalars(select(OrgUnit.id).filter_by(code=unit_code)).one()
        db_session.commit()
    act(db_session, team, cycle.id, "complete", "s02.a.2")
    leaf = item(db_session, cycle.id, "s02.a.3")
    return documents.finalise(db_session, db_session.get(IkuUser, leaf.assignee_user_id),
                              leaf.id, doc.id)


def test_item_page_generate_shows_values_first_then_versions(step2a, en, db_session):
    cycle, drafter = step2a
    leaf = item(db_session, cycle.id, "s02.a.2")
    client = en(drafter)
    page = visible(client.get(f"/tasks/item/{leaf.id}").get_data(as_text=True))
    assert "Documents of this step" in page and "Not generated yet." in page
    form = client.get(f"/documents/item/{leaf.id}/new/{MEMO}").get_data(as_text=True)
    assert "Values from the data" in visible(form) and f"Judul {MEMO}" in form
    assert 'name="f_hal"' in form and 'name="f_tembusan"' in form
    shown = client.post(f"/documents/item/{leaf.id}/new/{MEMO}",
                        data={"f_hal": "Usulan Tim", "preview": "1"}).get_data(as_text=True)
    assert "Usulan Tim" in shown and db_session.scalar(select(func.count(Document.id))) == 0
    client.post(f"/documents/item/{leaf.id}/new/{MEMO}",
                data={"f_hal": "Usulan Tim", "f_tembusan": "Kepala Biro", "generate": "1"})
    doc = db_session.scalars(select(Document)).one()
    page = visible(client.get(f"/tasks/item/{leaf.id}").get_data(as_text=True))
    assert "Draft" in page and "Generated" in page and doc.versions[0].sha256[:16] in page
    assert "PDF is unavailable" in page
    data = client.get(f"/documents/{doc.id}/download?version=1").data
    assert "Hal: Usulan Tim" in docx_text(data) and "Tembusan: Kepala Biro" in docx_text(data)
    # someone who may not act on the item is refused, nothing made
    other = en("staf2")
    other.post(f"/documents/item/{leaf.id}/new/{MEMO}", data={"f_hal": "x", "generate": "1"})
    assert len(db_session.scalars(select(Document)).one().versions) == 1


def test_finalise_from_the_page_needs_confirmation(step2a, en, db_session, team):
    cycle, drafter = step2a
    leaf = item(db_session, cycle.id, "s02.a.2")
    doc = documents.generate(db_session, team[drafter], leaf.id, MEMO, {})
    act(db_session, team, cycle.id, "complete", "s02.a.2")
    reviewer = item(db_session, cycle.id, "s02.a.3")
    client = en(db_session.get(IkuUser, reviewer.assignee_user_id).username)
    page = client.post(f"/documents/item/{reviewer.id}/{doc.id}/finalise", data={},
                       follow_redirects=True).get_data(as_text=True)
    assert "Please tick the box to confirm." in page
    page = client.post(f"/documents/item/{reviewer.id}/{doc.id}/finalise",
                       data={"confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    db_session.expire_all()
    doc = db_session.get(Document, doc.id)
    assert doc.status == "final" and doc.number in visible(page)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_download_and_register_per_role(step2a, client, login, db_session, team, username):
    cycle, _ = step2a
    doc = _final_doc(db_session, team, cycle, unit_code="SETPRES")
    login(client, username)
    response = client.get(f"/documents/{doc.id}/download")
    register = client.get("/documentview/list/")
    if username == "pengguna2":  # another unit's document does not exist for it
        assert response.status_code == 404
        assert doc.number not in register.get_data(as_text=True)
        return
    assert response.status_code == 200, username
    assert doc.number in docx_text(response.data)
    assert register.status_code == 200 and doc.number in register.get_data(as_text=True)
    show = visible(client.get(f"/documentview/show/{doc.id}").get_data(as_text=True))
    assert doc.title in show and MEMO not in show, "the type reads as its title, not its code"
    assert "LibreOffice" in show and "/documents/" in client.get(
        f"/documentview/show/{doc.id}").get_data(as_text=True)
    logged = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "download", AuditEntry.entity_id == str(doc.id))).all()
    assert logged and logged[-1].actor == username


def test_liaison_gets_404_for_documents_of_no_unit(step2a, client, login, db_session, team):
    cycle, _ = step2a
    doc = _final_doc(db_session, team, cycle)
    login(client, "pengguna1")
    assert client.get(f"/documents/{doc.id}/download").status_code == 404
    assert client.get(f"/documentview/show/{doc.id}").status_code == 404


def test_template_upload_admin_only_and_malicious_refused(client, login, db_session, docs_env,
                                                          tmp_path):
    login(client, "karo")
    assert client.get("/documenttemplateview/add").status_code in (302, 403)
    client.get("/logout/")
    login(client, "admin")
    client.get("/lang/en")
    sentinel = tmp_path / "pwned"
    evil = stub_template(
        "{{ title }}",
        "{{ ''.__class__.__mro__[1].__subclasses__()[0].__init__.__globals__['os']"
        f".system('touch {sentinel}') }}}}")
    page = client.post("/documenttemplateview/add", data={
        "code": MEMO, "file": (io.BytesIO(evil), "jahat.docx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "The template was refused" in page
    assert not sentinel.exists()
    page = client.post("/documenttemplateview/add", data={
        "code": MEMO, "file": (io.BytesIO(b"not a docx"), "x.docx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Berkas bukan DOCX." in page
    assert db_session.scalar(select(func.count(DocumentTemplate.id))) == 0
    client.post("/documenttemplateview/add", data={
        "code": MEMO, "file": (io.BytesIO(stub_template()), "memo.docx")},
        content_type="multipart/form-data")
    row = db_session.scalars(select(DocumentTemplate)).one()
    assert (row.code, row.version, row.active) == (MEMO, 1, True)
    assert "memo.docx" in client.get("/documenttemplateview/list/").get_data(as_text=True)


def test_public_verification_page_and_file_check(step2a, app, db_session, team):
    cycle, _ = step2a
    doc = _final_doc(db_session, team, cycle)
    final = documents.latest_version(db_session, doc.id)
    client = app.test_client()  # nobody logged in
    page = client.get(f"/verifikasi/{doc.verify_token}?_l=en")
    text = visible(page.get_data(as_text=True))
    assert page.status_code == 200
    assert doc.number in text and doc.title in text and final.sha256 in text
    assert client.get("/verifikasi/tebakan-saja").status_code == 404
    matched = client.post("/verifikasi/", data={"file": (io.BytesIO(
        storage.read(final.file_path)), "memo.docx")}, content_type="multipart/form-data")
    assert 'id="verify-match"' in matched.get_data(as_text=True)
    assert doc.number in matched.get_data(as_text=True)
    other = client.post("/verifikasi/", data={"file": (io.BytesIO(b"palsu"), "memo.docx")},
                        content_type="multipart/form-data")
    assert 'id="verify-no-match"' in other.get_data(as_text=True)


def test_api_scope_generate_and_download(step2a, app, api_token, db_session, team):
    cycle, drafter = step2a
    leaf = item(db_session, cycle.id, "s02.a.2")
    client = app.test_client()
    refused = client.post("/api/v1/document/generate", headers=api_token("auditor"),
                          json={"item_id": leaf.id, "doc_code": MEMO})
    assert refused.status_code == 403
    made = client.post("/api/v1/document/generate", headers=api_token("staf2" if drafter != "staf2"
                                                                       else "staf"),
                       json={"item_id": leaf.id, "doc_code": MEMO})
    assert made.status_code == 422
    made = client.post("/api/v1/document/generate", headers=api_token(drafter),
                       json={"item_id": leaf.id, "doc_code": MEMO, "fields": {"hal": "API"}})
    assert made.status_code == 201, made.get_json()
    doc_id = made.get_json()["id"]
    assert made.get_json()["result"]["status"] == "draft"
    listed = client.get("/api/v1/document/", headers=api_token("karo")).get_json()
    assert [r["id"] for r in listed["result"]] == [doc_id]
    liaison = api_token("pengguna1")
    assert client.get("/api/v1/document/", headers=liaison).get_json()["count"] == 0
    assert client.get(f"/api/v1/document/{doc_id}", headers=liaison).status_code == 404
    assert client.get(f"/api/v1/document/{doc_id}/download",
                      headers=liaison).status_code == 404
    got = client.get(f"/api/v1/document/{doc_id}/download?format=docx",
                     headers=api_token("auditor"))
    assert got.status_code == 200 and "Hal: API" in docx_text(got.data)
    pdf = client.get(f"/api/v1/document/{doc_id}/download?format=pdf",
                     headers=api_token("auditor"))
    assert pdf.status_code == 422 and "LibreOffice" in pdf.get_json()["message"]


def test_api_upload_corrected_version_then_signed_scan(step2a, app, api_token, db_session, team):
    """A reviewer uploads a corrected DOCX (multipart) as a new version, finalises it, and the
    signed scan (base64 JSON) makes the document signed; wrong files and roles are refused."""
    import base64

    cycle, drafter = step2a
    leaf = item(db_session, cycle.id, "s02.a.2")
    client = app.test_client()
    made = client.post("/api/v1/document/generate", headers=api_token(drafter),
                       json={"item_id": leaf.id, "doc_code": MEMO, "fields": {"hal": "API"}})
    doc_id = made.get_json()["id"]
    act(db_session, team, cycle.id, "complete", "s02.a.2")
    review = item(db_session, cycle.id, "s02.a.3")
    reviewer = api_token(db_session.get(IkuUser, review.assignee_user_id).username)
    corrected = stub_template("Koreksi dari penelaah")
    url = f"/api/v1/document/{doc_id}/upload"
    assert client.post(url, headers=api_token("auditor"), data={
        "item_id": review.id, "attachment": (io.BytesIO(corrected), "koreksi.docx")},
        content_type="multipart/form-data").status_code == 403
    assert client.post(url, headers=api_token("pengguna1"), data={
        "item_id": review.id, "attachment": (io.BytesIO(corrected), "koreksi.docx")},
        content_type="multipart/form-data").status_code == 403
    bad = client.post(url, headers=reviewer, data={
        "item_id": review.id, "attachment": (io.BytesIO(b"bukan docx"), "koreksi.docx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "DOCX atau PDF" in bad.get_json()["message"]
    missing = client.post(url, headers=reviewer, json={"item_id": review.id})
    assert missing.status_code == 422 and "attachment" in missing.get_json()["message"]
    uploaded = client.post(url, headers=reviewer, data={
        "item_id": review.id, "note": "ejaan", "attachment": (io.BytesIO(corrected),
                                                              "koreksi.docx")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    result = uploaded.get_json()["result"]
    assert (result["version"], result["status"]) == (2, "draft")
    assert result["sha256"] == storage.sha256(corrected)
    got = client.get(f"/api/v1/document/{doc_id}/download", headers=reviewer)
    assert "Koreksi dari penelaah" in docx_text(got.data)
    scan = {"item_id": review.id, "attachment": {
        "filename": "pindaian.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 ttd").decode()}}
    early = client.post(f"/api/v1/document/{doc_id}/signed-scan", headers=reviewer, json=scan)
    assert early.status_code == 422 and "dokumen final" in early.get_json()["message"]
    assert client.post(f"/api/v1/document/{doc_id}/finalise", headers=reviewer,
                       json={"item_id": review.id}).status_code == 200
    not_pdf = client.post(f"/api/v1/document/{doc_id}/signed-scan", headers=reviewer, json={
        **scan, "attachment": {"filename": "x.pdf", "content_base64": base64.b64encode(
            corrected).decode()}})
    assert not_pdf.status_code == 422 and "PDF" in not_pdf.get_json()["message"]
    signed = client.post(f"/api/v1/document/{doc_id}/signed-scan", headers=reviewer, json=scan)
    assert signed.status_code == 201, signed.get_json()
    assert signed.get_json()["result"]["status"] == "signed"
    assert db_session.get(Document, doc_id).status == "signed"
