"""The IKU matrix page and its XLSX per role and scope; the registry's list exports as
filtered and within the user's scope."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.services import audit
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS
from tests.iku_expect import ROWS, enacted, enacted_units

PAGE = "/iku-matrix/?period=2025-2029"


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


@pytest.fixture
def browser(app, client, login):
    def _browser(username: str | None = None):
        other = app.test_client()  # a fresh app context per request (conftest's client class)
        if username:
            login(other, username)
        return other

    return _browser


def _codes(page: str) -> list[str]:
    return re.findall(r'/indicatorview/show/\d+">(IKU-[\w.]+)</a>', page)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_every_role_reads_the_matrix_within_its_scope(browser, demo, username):
    user = browser(username)
    response = user.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/iku-matrix/"' in user.get("/").get_data(as_text=True)  # the menu entry
    if username == "pengguna1":
        assert _codes(page) == ["IKU-1.1"]
        assert "Matriks IKU Sekretariat Presiden Periode 2025–2029" in page
        assert "Semua (konsolidasi)" not in page  # a liaison chooses only its own unit
    elif username == "pengguna2":
        assert _codes(page) == enacted("SETWAPRES")
    else:
        assert _codes(page) == enacted()
        assert "Kementerian Sekretariat Negara (konsolidasi) Periode 2025–2029" in page
        assert page.count('class="active iku-matrix-unit"') == len(enacted_units())
    assert "Penjelasan/Formula" in page and "Target 2029" in page
    assert 'id="iku-matrix-xlsx"' in page  # every role that reads the registry exports it


def test_the_page_shows_formula_targets_and_the_chosen_statuses(browser, demo):
    page = browser("staf").get(PAGE + "&unit=SETPRES&status=draft&status=ditetapkan").get_data(
        as_text=True)
    assert _codes(page) == ["IKU-1.1", "IKU-1.2"]
    assert "Jumlah rekomendasi yang ditindaklanjuti / Jumlah rekomendasi yang disampaikan × 100%" in page
    assert re.search(r'value="draft" checked', page) and not re.search(r'value="final" checked', page)
    assert '<td class="text-right">97</td>' in page
    assert 'rowspan="2"' in page  # the sasaran over its two indicators


def test_liaison_asking_for_another_unit_or_the_ministry_gets_404(browser, demo):
    liaison = browser("pengguna1")
    for unit in ("SETWAPRES", "kementerian", "NOPE"):
        assert liaison.get(f"{PAGE}&unit={unit}").status_code == 404
        assert liaison.get(f"/iku-matrix/xlsx?period=2025-2029&unit={unit}").status_code == 404
    page = liaison.get(f"{PAGE}&unit=semua").get_data(as_text=True)
    assert _codes(page) == ["IKU-1.1"]


def test_a_bad_request_is_told_in_words(browser, demo):
    user = browser("kabag")
    response = user.get("/iku-matrix/?period=2029-2025")
    assert response.status_code == 400 and "periode" in response.get_data(as_text=True).lower()
    assert user.get("/iku-matrix/?period=2025-2029&status=selesai").status_code == 400
    assert user.get("/iku-matrix/xlsx?period=2025-2029&status=selesai").status_code == 400


def test_no_iku_yet(browser):
    page = browser("admin").get("/iku-matrix/").get_data(as_text=True)
    assert "Belum ada IKU." in page


def test_anonymous_is_sent_to_login(browser):
    response = browser().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_xlsx_download_as_a_liaison(browser, demo, db_session, monkeypatch):
    calls = []

    def log_event(session, action, entity, entity_id=None, details=None, unit_id=None):
        calls.append({"action": action, "entity": entity, "details": details, "unit_id": unit_id})

    monkeypatch.setattr(audit, "log_event", log_event, raising=False)
    response = browser("pengguna1").get("/iku-matrix/xlsx?period=2025-2029")
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="matriks-iku_setpres_2025-2029_\d{2}-\d{2}-\d{4}_\d{4}\.xlsx"',
        response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Matriks IKU Sekretariat Presiden Periode 2025–2029"
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [row[2] for row in rows] == [
        "IKU-1.1 Persentase dukungan kegiatan Presiden yang terlaksana tepat waktu"]
    assert list(rows[0][5:10]) == [93, 94, 95, 96, 97]
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    assert calls == [{"action": "export", "entity": "IndicatorMatrix", "unit_id": unit.id,
                      "details": {"format": "xlsx", "row_count": 1, "filters": [
                          ["period", "eq", "2025–2029"], ["unit", "eq", "SETPRES"],
                          ["status", "in", ["final", "ditetapkan"]]]}}]


def test_consolidated_xlsx_for_the_bureau(browser, demo):
    response = browser("auditor").get("/iku-matrix/xlsx?period=2025-2029&unit=semua")
    assert "matriks-iku_konsolidasi_2025-2029_" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    headings = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)
                if isinstance(row[0], str) and row[1] is None]
    assert headings[:4] == ["Kementerian Sekretariat Negara", "Sekretariat Presiden",
                            "Sekretariat Wakil Presiden", "Sekretariat Militer Presiden"]
    assert len(headings) == len(enacted_units())


def test_the_registry_list_links_to_the_matrix(browser, demo):
    page = browser("pengguna2").get("/indicatorview/list/").get_data(as_text=True)
    assert 'id="iku-matrix-link"' in page and 'href="/iku-matrix/"' in page


# --- every list exports as filtered, within the user's scope ---------------------------------

def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))[1:]


def test_indicator_export_honours_the_search_filter_and_the_scope(browser, demo):
    query = "_flt_2_name=kegiatan+Presiden"
    every = sorted(row[3] for row in _csv_rows(browser("admin").get(f"/indicatorview/export/csv?{query}")))
    assert every == ["IKU-1.1"]
    liaison = browser("pengguna1")
    own = sorted(row[3] for row in _csv_rows(liaison.get(f"/indicatorview/export/csv?{query}")))
    assert own == ["IKU-1.1"]
    assert _csv_rows(liaison.get("/indicatorview/export/csv?_flt_2_name=Indeks")) == []
    every = sorted(row[3] for row in _csv_rows(liaison.get("/indicatorview/export/csv")))
    assert every == ["IKU-1.1", "IKU-1.2"]
    sheet = load_workbook(io.BytesIO(liaison.get(
        f"/indicatorview/export/xlsx?{query}").data)).active
    assert sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True)) == own


def test_indicator_target_export_honours_the_filter_and_the_scope(browser, demo):
    admin = _csv_rows(browser("admin").get("/indicatortargetview/export/csv?_flt_0_year=2025"))
    assert len(admin) == len(ROWS) + 1 and {row[1] for row in admin} == {"2025"}
    liaison = browser("pengguna1")
    own = _csv_rows(liaison.get("/indicatortargetview/export/csv?_flt_0_year=2025"))
    assert sorted(row[0].split()[0] for row in own) == ["IKU-1.1", "IKU-1.2"]
    other = demo["IKU-2.1v1"].id
    assert _csv_rows(liaison.get(f"/indicatortargetview/export/csv?_flt_0_indicator={other}")) == []
