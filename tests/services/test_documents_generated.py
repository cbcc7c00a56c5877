"""The documents service with the real templates and values (no stand-ins): the memorandum of
step 2a generated, finalised with its number and QR code, and read back as its reader sees it."""

from __future__ import annotations

import io

import pytest
from docx import Document as open_docx

from app.services import cycles, documents
from app.services.documents import storage
from tests.services.docx_support import text
from tests.services.test_cycles_support import SCHEDULE, T0, Runner, bureau_fixture, wib  # noqa: F401


@pytest.fixture(name="run")
def run_fixture(app, db_session, bureau, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "IKU_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "off")
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku", code="IKU-R",
                               period="2027", reason="periodic", now=T0, schedule=SCHEDULE)
    run = Runner(db_session, cycle.id, bureau)
    run.finish("s01", wib(4, 9))
    run.do("complete", "s02.a.1", wib(4, 9, 30))
    return run


def test_memo_generated_then_finalised_with_number_qr_and_verification(run):
    item = run.item("s02.a.2")
    doc = documents.generate(run.session, run.actor(item), item.id, "memo_usulan_tim",
                             {"hal": "Usulan anggota Tim <Penyusun> & IKU {{ 7*7 }}"},
                             now=wib(4, 10))
    run.do("complete", "s02.a.2", wib(4, 11))
    reviewer = run.item("s02.a.3")
    doc = documents.finalise(run.session, run.actor(reviewer), reviewer.id, doc.id,
                             now=wib(5, 10))
    final = storage.read(documents.latest_version(run.session, doc.id).file_path)
    body = text(final)
    assert doc.number and doc.number in body
    assert "MEMORANDUM" in body and "Usulan anggota Tim <Penyusun> & IKU {{ 7*7 }}" in body
    assert "49" not in body.split("Usulan anggota Tim")[1][:40]
    assert f"/verifikasi/{doc.verify_token}" in body
    assert len(open_docx(io.BytesIO(final)).inline_shapes) == 1  # the QR code, placed once


def test_final_says_what_was_reviewed_numbered_and_dated_on_finalisation(run):
    """The reviewers approved the draft's values: finalisation adds only the number, the day it
    is numbered and the verification address, even if the data changed meanwhile."""
    from app.models.org import OrgUnit

    item = run.item("s02.a.2")
    doc = documents.generate(run.session, run.actor(item), item.id, "memo_usulan_tim",
                             {"hal": "Usulan anggota Tim"}, now=wib(4, 10))
    draft = documents.latest_version(run.session, doc.id).context["values"]
    addressed = draft["yth"][0]
    unit = next(u for u in run.session.query(OrgUnit)
                if (u.head_title or f"Pimpinan {u.name}") == addressed)
    unit.head_title = "Jabatan Pimpinan Yang Baru"
    run.session.commit()
    run.do("complete", "s02.a.2", wib(4, 11))
    reviewer = run.item("s02.a.3")
    doc = documents.finalise(run.session, run.actor(reviewer), reviewer.id, doc.id,
                             now=wib(5, 10))
    final = documents.latest_version(run.session, doc.id)
    values = final.context["values"]
    changed = {key for key in values if values[key] != draft[key]}
    assert changed <= {"nomor", "tanggal", "tahun", "verifikasi_url"} and "nomor" in changed
    body = text(storage.read(final.file_path))
    assert values["tanggal"] in body and values["tanggal"].startswith("5 ")
    assert addressed in body and "Jabatan Pimpinan Yang Baru" not in body
