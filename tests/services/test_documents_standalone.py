"""Personal documents outside a cycle (a written reprimand, an evaluation report): numbered,
QR-stamped and final at once, and read only by the pelaksana, its maker and the heads."""

from __future__ import annotations

import re

import pytest

from app.services import documents
from app.services.documents import standalone, storage
from tests.services.docx_support import text
from tests.services.test_cycles_support import bureau_fixture, wib  # noqa: F401


@pytest.fixture(name="reprimand")
def reprimand_fixture(app, db_session, bureau, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "IKU_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "off")
    doc = standalone.issue(db_session, bureau["c_ppk1"], "teguran_tertulis",
                           pelaksana_id=bureau["c_staf1"].pelaksana_id,
                           fields={"pelanggaran": "Terlambat menyusun konsep memorandum <2a>."},
                           now=wib(8, 10))
    db_session.commit()
    return doc


def test_reprimand_is_numbered_final_and_names_the_pelaksana(reprimand, db_session, bureau):
    version = documents.latest_version(db_session, reprimand.id)
    body = text(storage.read(version.file_path))
    assert reprimand.status == "final" and reprimand.cycle_id is None
    assert re.fullmatch(r"1/TEG/B-OTLAK/KP\.04\.02/01/2027", reprimand.number)
    assert reprimand.number in body
    assert "Pelaksana c_staf1" in body
    assert "Terlambat menyusun konsep memorandum <2a>." in body
    assert f"/verifikasi/{reprimand.verify_token}" in body
    assert documents.verify_token(db_session, reprimand.verify_token).id == reprimand.id


def test_second_reprimand_takes_the_next_number(reprimand, db_session, bureau):
    again = standalone.issue(db_session, bureau["c_ppk1"], "teguran_tertulis",
                             pelaksana_id=bureau["c_staf1"].pelaksana_id, now=wib(9, 10))
    assert again.number.startswith("2/TEG/")


def test_only_the_pelaksana_its_maker_and_the_heads_read_it(reprimand, db_session, bureau):
    for name in ("c_staf1", "c_ppk1", "kabag", "karo", "admin"):
        assert documents.download(db_session, bureau[name], reprimand.id).data
    for name in ("c_staf2", "staf", "c_ppek1", "pengguna1"):
        with pytest.raises(documents.DocumentNotFoundError):
            documents.download(db_session, bureau[name], reprimand.id)


def test_register_hides_it_from_other_staff(reprimand, client, login):
    login(client, "staf")
    page = client.get("/documentview/list/").get_data(as_text=True)
    assert "Register dokumen" in page
    assert reprimand.number not in page
    assert client.get(f"/documentview/show/{reprimand.id}").status_code in (302, 404)
    assert reprimand.number not in client.get("/api/v1/document/").get_data(as_text=True)
    client.get("/logout/")
    login(client, "kabag")
    page = client.get("/documentview/list/").get_data(as_text=True)
    assert reprimand.number in page


def test_a_cycle_document_kind_is_refused(db_session, bureau):
    with pytest.raises(documents.DocumentNotFoundError):
        standalone.issue(db_session, bureau["c_ppk1"], "memo_usulan_tim",
                         pelaksana_id=bureau["c_staf1"].pelaksana_id)


def test_the_api_keeps_each_persons_view_apart(reprimand, app, bureau, api_token):
    """The personal scope through the REST API, asked in turn by people who may and may not
    read the reprimand: each answer is the asker's own (app/views/kept_statements.py keeps
    one statement per account, roles and pelaksana)."""
    from tests.conftest import PASSWORD

    for name in ("c_staf1", "c_staf2", "c_ppk1"):
        app.appbuilder.sm.reset_password(bureau[name].id, PASSWORD)
    client = app.test_client()
    for _ in range(2):
        for name, sees in (("c_staf1", True), ("c_staf2", False), ("kabag", True),
                           ("c_ppk1", True), ("staf", False)):
            headers = api_token(name)
            listed = client.get("/api/v1/document/", headers=headers).get_data(as_text=True)
            shown = client.get(f"/api/v1/document/{reprimand.id}", headers=headers)
            assert (reprimand.number in listed) is sees, name
            assert (shown.status_code == 200) is sees, name
