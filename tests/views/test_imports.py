"""The import pages as an admin uses them: upload, preview, confirm; and who may not."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from app.models.org import OrgUnit, Pelaksana, Section
from tests.services.test_imports import NIP_A, NIP_B, PELAKSANA_HEADERS, UNIT_HEADERS, xlsx

TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@pytest.fixture(autouse=True)
def import_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_IMPORT_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def browser(app, client, login):
    def _browser(username: str | None = None):
        other = app.test_client()  # a fresh app context per request, see conftest's `client`
        if username:
            login(other, username)
        return other

    return _browser


@pytest.fixture
def admin(browser):
    return browser("admin")


def upload(browser, kind: str, content: bytes, name: str = "data.xlsx"):
    return browser.post(
        "/import/preview",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_upload_page_offers_both_kinds_and_their_templates(admin):
    page = admin.get("/import/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "/import/template/pelaksana" in page and "/import/template/units" in page


def test_template_download(admin):
    response = admin.get("/import/template/units")
    assert response.status_code == 200
    assert 'filename="template-import-units.xlsx"' in response.headers["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert list(header) == UNIT_HEADERS
    assert admin.get("/import/template/users").status_code == 404


@pytest.mark.parametrize("username", ["karo", "kabag", "staf", "auditor", "pengguna1"])
def test_only_admin_may_import(browser, username):
    browser = browser(username)
    assert browser.get("/import/").status_code == 403
    assert upload(browser, "units", xlsx(UNIT_HEADERS, ["X", "Y"])).status_code == 403


def test_anonymous_is_sent_to_login(browser):
    response = browser().get("/import/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bad_file_preview_lists_problems_and_saves_nothing(admin, db_session, import_dir):
    before = db_session.query(Pelaksana).count()
    content = xlsx(
        PELAKSANA_HEADERS,
        ["Siti", "123", "STAF", None, None, None],
        [None, NIP_B, "Direktur", None, "x@", None],
    )
    response = upload(admin, "pelaksana", content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="iku-problem"') == 4
    assert "NIP harus 18 digit angka." in page and "Jabatan tidak dikenal: Direktur" in page
    assert TOKEN_RE.search(page) is None  # nothing to confirm
    assert list(import_dir.iterdir()) == []
    assert db_session.query(Pelaksana).count() == before


def test_valid_file_preview_then_confirm_saves_all_rows(admin, db_session, import_dir):
    content = xlsx(
        PELAKSANA_HEADERS,
        ["Siti Rahma", NIP_A, "STAF", "AK1", "siti@setneg.go.id", "Ya"],
        ["Budi Santoso", NIP_B, "KABAG", "AK2", None, None],
    )
    page = upload(admin, "pelaksana", content).get_data(as_text=True)
    assert page.count('class="iku-import-row"') == 2 and "Siti Rahma" in page
    assert db_session.query(Pelaksana).filter(Pelaksana.nip.in_([NIP_A, NIP_B])).count() == 0
    token = TOKEN_RE.search(page).group(1)
    assert [p.name for p in import_dir.iterdir()] == [f"{token}.xlsx"]

    response = admin.post("/import/apply", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pelaksanaview/list/")
    assert db_session.query(Pelaksana).filter(Pelaksana.nip.in_([NIP_A, NIP_B])).count() == 2
    assert list(import_dir.iterdir()) == []
    listed = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"alert-success\">\s*<button[^>]*>&times;</button>[^<]*\b2\b", listed)
    replay = admin.post("/import/apply", data={"token": token})
    assert replay.status_code == 302 and replay.headers["Location"].endswith("/import/")


def test_confirm_revalidates_against_the_database(admin, db_session, import_dir):
    content = xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru", None, "AK2-PPK", None, None, None, None])
    token = TOKEN_RE.search(upload(admin, "units", content).get_data(as_text=True)).group(1)
    db_session.query(Section).filter_by(code="AK2-PPK").delete()  # gone since the preview
    db_session.commit()
    response = admin.post("/import/apply", data={"token": token})
    assert response.status_code == 422
    assert "Bagian tidak dikenal: AK2-PPK" in response.get_data(as_text=True)
    assert db_session.query(OrgUnit).filter_by(code="DEP-BARU").count() == 0
    assert list(import_dir.iterdir()) == []


def test_confirm_with_a_foreign_token_saves_nothing(admin, db_session):
    content = xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru"])
    upload(admin, "units", content)
    response = admin.post("/import/apply", data={"token": "A" * 43})
    assert response.status_code == 302 and response.headers["Location"].endswith("/import/")
    assert db_session.query(OrgUnit).filter_by(code="DEP-BARU").count() == 0


def test_expired_upload_is_refused(admin, db_session, monkeypatch):
    from app.views import imports as import_views

    content = xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru"])
    token = TOKEN_RE.search(upload(admin, "units", content).get_data(as_text=True)).group(1)
    monkeypatch.setattr(import_views, "IMPORT_TTL", -1)
    response = admin.post("/import/apply", data={"token": token}, follow_redirects=True)
    assert "expired" in response.get_data(as_text=True) or "kedaluwarsa" in response.get_data(as_text=True)
    assert db_session.query(OrgUnit).filter_by(code="DEP-BARU").count() == 0


def test_upload_without_csrf_token_is_refused(app, admin, db_session, monkeypatch, import_dir):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = upload(admin, "units", xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru"]))
    assert response.status_code == 400
    assert list(import_dir.iterdir()) == []
    page = admin.get("/import/").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_a_csv_file_goes_through_the_same_preview_and_confirm(admin, db_session, import_dir):
    from tests.services.test_imports import csv_bytes

    content = csv_bytes(PELAKSANA_HEADERS, ["Siti Rahma", NIP_A, "STAF", "AK1", "siti@iku.local", "Ya"],
                        separator=";", bom=True)
    page = upload(admin, "pelaksana", content, name="pelaksana.csv").get_data(as_text=True)
    assert page.count('class="iku-import-row"') == 1 and "siti@iku.local" in page
    token = TOKEN_RE.search(page).group(1)
    assert admin.post("/import/apply", data={"token": token}).status_code == 302
    saved = db_session.query(Pelaksana).filter_by(nip=NIP_A).one()
    assert (saved.name, saved.email) == ("Siti Rahma", "siti@iku.local")


def test_upload_page_says_csv_is_welcome(admin):
    page = admin.get("/import/").get_data(as_text=True)
    assert ".csv" in page and "CSV" in page
