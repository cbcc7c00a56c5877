"""PDF copies through LibreOffice (skipped when it is not installed): made at finalisation and
kept with the final version, so a download is a read; two conversions at once both succeed
(one converter at a time, its own profile)."""

from __future__ import annotations

import shutil
import threading

import pytest

from app.services import documents
from app.services.documents import pdf, storage
from tests.services.test_cycles_support import bureau_fixture  # noqa: F401
from tests.services.test_documents_support import (  # noqa: F401
    at_2a_fixture,
    docs_env_fixture,
    stub_template,
    wib,
)

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed")


def test_final_version_gets_its_pdf_and_pdf_verifies(at_2a, app, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "")
    run = at_2a
    item = run.item("s02.a.2")
    doc = documents.generate(run.session, run.actor(item), item.id, "memo_usulan_tim", {})
    run.do("complete", "s02.a.2", wib(4, 11))
    item = run.item("s02.a.3")
    doc = documents.finalise(run.session, run.actor(item), item.id, doc.id)
    final = documents.latest_version(run.session, doc.id)
    assert final.is_final and final.pdf_path and final.pdf_sha256
    got = documents.download(run.session, run.actor(item), doc.id, final.n, "pdf")
    assert got.data.startswith(b"%PDF-") and got.mimetype == "application/pdf"
    assert storage.sha256(got.data) == final.pdf_sha256
    match = documents.verify_file(run.session, got.data)
    assert match.version.id == final.id and match.as_pdf


def test_two_conversions_at_once_both_succeed(app, docs_env, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "")
    results = []

    def convert():
        with app.app_context():
            results.append(pdf.convert_to_pdf(stub_template("Uji konversi")))

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 2 and all(r and r.startswith(b"%PDF-") for r in results)


def test_finals_made_without_libreoffice_get_their_pdfs_in_one_run(at_2a, app, monkeypatch):
    run = at_2a
    item = run.item("s02.a.2")
    memo = documents.generate(run.session, run.actor(item), item.id, "memo_usulan_tim", {})
    run.do("complete", "s02.a.2", wib(4, 11))
    item = run.item("s02.a.3")
    memo = documents.finalise(run.session, run.actor(item), item.id, memo.id)  # PDF off
    final = documents.latest_version(run.session, memo.id)
    assert final.pdf_path is None
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "")
    assert documents.make_missing_pdfs(run.session) == 1
    assert storage.read(final.pdf_path).startswith(b"%PDF-")
    assert documents.make_missing_pdfs(run.session) == 0
