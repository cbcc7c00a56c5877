"""The IKU import pages: who may import, preview by row and column, confirm, 409 on change."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from app.models.iku import Indicator
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS
from tests.services.test_iku_import import HEADERS, row
from tests.services.test_imports import UNIT_HEADERS, xlsx

TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')
IMPORTERS = {"admin", "karo", "kabag", "kasubbag", "staf"}


@pytest.fixture(autouse=True)
def import_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_IMPORT_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


@pytest.fixture
def browser(app, client, login):
    def _browser(username: str | None = None):
        other = app.test_client()
        if username:
            login(other, username)
        return other

    return _browser


def upload(browser, content: bytes, name: str = "iku.xlsx", url: str = "/iku-import/preview",
           kind: str = "indicator"):
    return browser.post(url, data={"kind": kind, "file": (io.BytesIO(content), name)},
                        content_type="multipart/form-data")


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_only_bureau_roles_and_admin_import_iku(browser, demo, db_session, username):
    user = browser(username)
    home = user.get("/").get_data(as_text=True)
    page = user.get("/iku-import/")
    response = upload(user, xlsx(HEADERS, row()))
    if username in IMPORTERS:
        assert page.status_code == 200 and 'href="/iku-import/"' in home
        text = page.get_data(as_text=True)
        assert "Kode Indikator*" in text and "Target &lt;tahun&gt;" in text
        assert "/iku-import/template/indicator" in text and "draf, versi 1" in text
        assert response.status_code == 200 and TOKEN_RE.search(response.get_data(as_text=True))
    else:
        assert page.status_code == 403 and 'href="/iku-import/"' not in home
        assert response.status_code == 403
    assert db_session.query(Indicator).filter_by(code="IKU-2.5").count() == 0


def test_bureau_still_may_not_import_people_or_units(browser):
    kabag = browser("kabag")
    assert kabag.get("/import/").status_code == 403
    assert upload(kabag, xlsx(UNIT_HEADERS, ["X", "Y"]), url="/import/preview",
                  kind="units").status_code == 403
    # and the IKU page takes no other kind
    assert upload(kabag, xlsx(UNIT_HEADERS, ["X", "Y"]), kind="units").status_code == 400


def test_template_download(browser):
    response = browser("staf").get("/iku-import/template/indicator")
    assert 'filename="template-import-indicator.xlsx"' in response.headers["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert list(header) == HEADERS
    assert browser("staf").get("/iku-import/template/units").status_code == 404


def test_bad_file_lists_problems_by_row_and_column_and_saves_nothing(browser, demo, db_session,
                                                                     import_dir):
    content = xlsx(HEADERS, row(**{"Kode Unit": "NOPE"}), row(**{"Target 2027": "120"}),
                   row(**{"Kode Unit": "SETPRES", "Kode Indikator": "IKU-1.1",
                          "Kode Sasaran": "SS1"}))
    page = upload(browser("kabag"), content).get_data(as_text=True)
    problems = re.findall(r'<tr class="iku-problem">\s*<td>(\d+)</td>\s*<td>([^<]+)</td>', page)
    assert problems == [("2", "Kode Unit"), ("3", "Target 2027"), ("4", "Kode Indikator")]
    assert "antara 0 dan 100" in page and "sudah ditetapkan" in page
    assert TOKEN_RE.search(page) is None and list(import_dir.iterdir()) == []
    assert db_session.query(Indicator).filter_by(code="IKU-2.5").count() == 0


def test_valid_file_preview_then_confirm_saves_all(browser, demo, db_session, import_dir):
    staf = browser("staf")
    content = xlsx(HEADERS, row(), row(**{"Kode Indikator": "IKU-2.6"}))
    page = upload(staf, content).get_data(as_text=True)
    assert page.count('class="iku-import-row"') == 2 and "82,5" in page
    token = TOKEN_RE.search(page).group(1)
    response = staf.post("/iku-import/apply", data={"token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/indicatorview/list/")
    saved = db_session.query(Indicator).filter(Indicator.code.in_(["IKU-2.5", "IKU-2.6"])).all()
    assert sorted((i.code, i.status, i.version) for i in saved) == [
        ("IKU-2.5", "draft", 1), ("IKU-2.6", "draft", 1)]
    assert list(import_dir.iterdir()) == []
    listed = staf.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"alert-success\">\s*<button[^>]*>&times;</button>[^<]*\b2\b", listed)


def test_confirm_is_409_when_the_draft_changed(browser, demo, db_session):
    kabag = browser("kabag")
    content = xlsx(HEADERS, row(**{"Kode Unit": "SETPRES", "Kode Indikator": "IKU-1.2",
                                   "Kode Sasaran": "SS1", "Nama Indikator": "Nama baru"}))
    token = TOKEN_RE.search(upload(kabag, content).get_data(as_text=True)).group(1)
    demo["IKU-1.2v1"].name = "Diubah orang lain"
    db_session.commit()
    response = kabag.post("/iku-import/apply", data={"token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Data berubah sejak pratinjau" in page
    assert '<td class="warning">Nama baru</td>' in page  # the cell that changes the stored name
    again = kabag.post("/iku-import/apply", data={"token": token})
    assert again.status_code == 302
    db_session.expire_all()
    assert db_session.get(Indicator, demo["IKU-1.2v1"].id).name == "Nama baru"


def test_a_pending_people_import_cannot_be_confirmed_on_the_iku_page(browser, db_session):
    admin = browser("admin")
    content = xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru", None, None, None, None, None, None])
    page = upload(admin, content, url="/import/preview", kind="units").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    response = admin.post("/iku-import/apply", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/iku-import/")
