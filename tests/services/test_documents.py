"""Documents service: generate at the step, versions never overwritten, finalise with a number,
immutability, signed scan, corrections, verification, numbering patterns and sequences."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models.documents import (
    Document,
    DocumentImmutableError,
    DocumentVersion,
    NumberSequence,
)
from app.services import documents
from app.services.cycles.errors import WorkItemForbiddenError
from app.services.documents import render, storage
from app.services.documents.numbering import Scheme
from tests.services.test_cycles_support import bureau_fixture  # noqa: F401
from tests.services.test_documents_support import (  # noqa: F401
    at_2a_fixture,
    docs_env_fixture,
    docx_text,
    wib,
)

MEMO = "memo_usulan_tim"
WHEN = dt.datetime(2027, 3, 5, 10, 0, tzinfo=dt.UTC)


def _generate(run, code="s02.a.2", **fields):
    item = run.item(code)
    return documents.generate(run.session, run.actor(item), item.id, MEMO,
                              fields or {"hal": "Usulan anggota Tim"}, now=wib(4, 10))


def _finalise(run, doc, code="s02.a.3", **kw):
    item = run.item(code)
    return documents.finalise(run.session, run.actor(item), item.id, doc.id,
                              now=kw.pop("now", WHEN), **kw)


def _versions(session, doc):
    return session.scalars(select(DocumentVersion).where(
        DocumentVersion.document_id == doc.id).order_by(DocumentVersion.n)).all()


def test_generate_stores_a_draft_version_the_next_reviewer_sees(at_2a, docs_env):
    run = at_2a
    doc = _generate(run)
    assert doc.status == "draft" and doc.number is None and doc.step_code == "s02"
    assert doc.work_item_id == run.item("s02.a").id  # the sub-step naming the document
    (v1,) = _versions(run.session, doc)
    assert v1.n == 1 and v1.kind == "generated" and v1.item_id == run.item("s02.a.2").id
    data = storage.read(v1.file_path)
    assert storage.sha256(data) == v1.sha256 == (docs_env / v1.sha256).name
    text = docx_text(data)
    assert f"Judul {MEMO}" in text and "Hal: Usulan anggota Tim" in text and "IKU-D" in text
    assert v1.context["fields"] == {"hal": "Usulan anggota Tim"}
    # the next person of the chain (Kasubbag, 2a.3) sees the same document on its item page
    run.do("complete", "s02.a.2", wib(4, 11))
    anchor, slots = documents.item_documents(run.session, run.item("s02.a.3").id)
    assert anchor.code == "s02.a" and [s.code for s in slots] == [MEMO]
    assert slots[0].current.id == doc.id


def test_user_text_is_escaped_and_unknown_fields_ignored(at_2a):
    doc = _generate(at_2a, hal="<b>A & B</b>", evil="{{ 7*7 }}")
    (v1,) = _versions(at_2a.session, doc)
    assert "Hal: <b>A & B</b>" in docx_text(storage.read(v1.file_path))
    assert "evil" not in v1.context["fields"]


def test_corrected_upload_is_a_new_version_never_an_overwrite(at_2a):
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    item = run.item("s02.a.3")
    first = _versions(run.session, doc)[0]
    corrected = render.stamp(storage.read(first.file_path), ["Koreksi Kasubbag"],
                             render.qr_png("x"))
    v2 = documents.upload_version(run.session, run.actor(item), item.id, doc.id,
                                  "memo-koreksi.docx", corrected)
    assert [v.n for v in _versions(run.session, doc)] == [1, 2]
    assert v2.kind == "uploaded" and v2.sha256 != first.sha256
    assert storage.read(first.file_path) != storage.read(v2.file_path)
    with pytest.raises(documents.DocumentFileInvalidError, match="DOCX atau PDF"):
        documents.upload_version(run.session, run.actor(item), item.id, doc.id, "x.txt",
                                 b"plain text")
    assert len(_versions(run.session, doc)) == 2


def test_only_the_person_acting_on_the_item_may_generate(at_2a, bureau):
    item = at_2a.item("s02.a.2")
    with pytest.raises(WorkItemForbiddenError):
        documents.generate(at_2a.session, bureau["c_staf2"], item.id, MEMO, {})
    with pytest.raises(documents.DocumentForbiddenError):  # a type another step produces
        documents.generate(at_2a.session, at_2a.actor(item), item.id, "permen_iku", {})
    assert at_2a.session.scalar(select(func.count(Document.id))) == 0


def test_finalise_numbers_rerenders_and_freezes(at_2a):
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    doc = _finalise(run, doc)
    assert doc.status == "final" and doc.number == "1/D-3/OT.02.02/03/2027"
    final = _versions(run.session, doc)[-1]
    assert final.is_final and final.n == 2 and final.kind == "generated"
    text = docx_text(storage.read(final.file_path))
    assert "Nomor: 1/D-3/OT.02.02/03/2027" in text and f"Judul {MEMO}" in text
    assert f"/verifikasi/{doc.verify_token}" in text
    import io

    from docx import Document as open_docx
    assert len(open_docx(io.BytesIO(storage.read(final.file_path))).inline_shapes) == 1  # QR
    # the next memorandum of the series takes 2, and the year's sequence says so
    seq = run.session.scalars(select(NumberSequence).filter_by(series="memorandum/D-3")).one()
    assert (seq.year, seq.next_value) == (2027, 2)
    # frozen: no change, no new version, no deletion
    doc.title = "Diubah"
    with pytest.raises(DocumentImmutableError, match="tidak dapat diubah"):
        run.session.flush()
    run.session.rollback()
    final = run.session.get(DocumentVersion, final.id)
    final.sha256 = "0" * 64
    with pytest.raises(DocumentImmutableError, match="tidak dapat diubah"):
        run.session.flush()
    run.session.rollback()
    run.session.delete(run.session.get(DocumentVersion, final.id))
    with pytest.raises(DocumentImmutableError, match="tidak dapat dihapus"):
        run.session.flush()
    run.session.rollback()
    item = run.item("s02.a.3")
    with pytest.raises(documents.DocumentStateError, match="sudah final"):
        documents.upload_version(run.session, run.actor(item), item.id, doc.id, "x.pdf",
                                 b"%PDF-1.4 x")


def test_rolled_back_finalisation_skips_no_number(at_2a, monkeypatch):
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))

    def broken(*_args, **_kw):
        raise documents.DocumentRenderError("Templat rusak.")

    monkeypatch.setattr(render, "render", broken)
    with pytest.raises(documents.DocumentRenderError):
        _finalise(run, doc)
    assert run.session.get(Document, doc.id).status == "draft"
    monkeypatch.undo()
    from tests.services.test_documents_support import install_stubs
    install_stubs(monkeypatch)
    assert _finalise(run, run.session.get(Document, doc.id)).number.startswith("1/")


def test_signed_scan_and_correction_supersedes(at_2a):
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    doc = _finalise(run, doc)
    item = run.item("s02.a.3")
    with pytest.raises(documents.DocumentFileInvalidError, match="PDF"):
        documents.upload_signed_scan(run.session, run.actor(item), item.id, doc.id, "s.docx",
                                     storage.read(_versions(run.session, doc)[-1].file_path))
    scan = documents.upload_signed_scan(run.session, run.actor(item), item.id, doc.id,
                                        "ttd.pdf", b"%PDF-1.4 signed scan")
    assert scan.kind == "signed_scan" and run.session.get(Document, doc.id).status == "signed"
    with pytest.raises(documents.DocumentStateError, match="koreksi"):
        documents.generate(run.session, run.actor(item), item.id, MEMO, {})
    new = documents.generate(run.session, run.actor(item), item.id, MEMO, {"hal": "Koreksi"},
                             correction=True)
    assert run.session.get(Document, doc.id).superseded_by_id == new.id
    new = _finalise(run, new)
    assert new.number.startswith("2/") and new.verify_token != doc.verify_token


def test_manual_number_checked_unique(at_2a, app, monkeypatch):
    numbering = dict(app.config["IKU_DOCUMENT_NUMBERING"])
    numbering["documents"] = {MEMO: {"manual": True, "series": "keputusan",
                                     "pattern": "NOMOR {seq} TAHUN {year}"}}
    monkeypatch.setitem(app.config, "IKU_DOCUMENT_NUMBERING", numbering)
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    doc = _finalise(run, doc, manual_number="nomor 12 tahun 2027")
    assert doc.number == "NOMOR 12 TAHUN 2027" and doc.number_manual
    item = run.item("s02.a.3")
    new = documents.generate(run.session, run.actor(item), item.id, MEMO, {}, correction=True)
    with pytest.raises(documents.DocumentNumberError, match="sudah dipakai"):
        _finalise(run, new, manual_number="12")
    with pytest.raises(documents.DocumentNumberError, match="angka"):
        _finalise(run, new, manual_number="dua belas")
    assert _finalise(run, run.session.get(Document, new.id), manual_number="13").number == \
        "NOMOR 13 TAHUN 2027"


def test_verification_by_token_and_by_file(at_2a):
    run = at_2a
    doc = _generate(run)
    assert documents.verify_token(run.session, doc.verify_token) is None  # drafts are private
    run.do("complete", "s02.a.2", wib(4, 11))
    doc = _finalise(run, doc)
    assert documents.verify_token(run.session, doc.verify_token).id == doc.id
    assert documents.verify_token(run.session, "tebakan") is None
    final = _versions(run.session, doc)[-1]
    match = documents.verify_file(run.session, storage.read(final.file_path))
    assert (match.document.id, match.version.n, match.as_pdf) == (doc.id, 2, False)
    draft = _versions(run.session, doc)[0]
    assert documents.verify_file(run.session, storage.read(draft.file_path)) is None
    assert documents.verify_file(run.session, b"bukan dokumen") is None


def test_numbering_patterns_per_kind(app):
    when = dt.datetime(2027, 2, 9)
    memo = Scheme({"code": "m", "kind": "memorandum", "signed_by": "kepala_biro"})
    assert memo.series == "memorandum/B-OTLAK" and not memo.manual
    assert memo.format(124, when) == "124/B-OTLAK/OT.02.02/02/2027"
    letter = Scheme({"code": "s", "kind": "surat", "signed_by": "deputi_aa"})
    assert letter.format(235, when) == "B-235/Kemensetneg/D-3/OT.02.02/02/2027"
    decree = Scheme({"code": "k", "kind": "keputusan"})
    assert decree.manual and decree.numbered
    assert decree.parse_manual("NOMOR 12 TAHUN 2027", when)[2] == "NOMOR 12 TAHUN 2027"
    assert not Scheme({"code": "r", "kind": "keputusan", "draft": True}).numbered
    roman = Scheme({"code": "m", "kind": "memorandum"}, {
        "codes": {"office": "X"}, "kinds": {"memorandum": {
            "pattern": "{seq:03d}/{office}/{month_roman}/{year}"}}})
    assert roman.format(7, when) == "007/X/II/2027"
    broken = Scheme({"code": "m", "kind": "memorandum"}, {
        "kinds": {"memorandum": {"pattern": "{seq}/{nothing}"}}})
    with pytest.raises(documents.DocumentNumberError, match="nothing"):
        broken.format(1, when)


def test_allocate_number_serially_no_gap_no_reuse(db_session):
    got = [documents.allocate_number(db_session, "uji/serial", 2027) for _ in range(20)]
    assert got == list(range(1, 21))
    assert documents.allocate_number(db_session, "uji/serial", 2028) == 1
    assert documents.allocate_number(db_session, "uji/lain", 2027) == 1
    db_session.rollback()
    assert documents.allocate_number(db_session, "uji/serial", 2027) == 1  # rolled back: given again


def test_qr_appended_when_the_helper_render_takes_no_images(at_2a, monkeypatch):
    import io
    import sys

    from docx import Document as open_docx

    from tests.services.test_documents_support import stub_render

    monkeypatch.setattr(sys.modules["app.services.docx_render"], "render",
                        lambda template, context: stub_render(template, context))
    run = at_2a
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    doc = _finalise(run, doc)
    data = storage.read(_versions(run.session, doc)[-1].file_path)
    assert f"Verifikasi: http://127.0.0.1:8080/verifikasi/{doc.verify_token}" in docx_text(data)
    assert len(open_docx(io.BytesIO(data)).inline_shapes) == 1
