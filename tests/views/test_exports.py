"""List export through the pages: the file holds what the list shows, within the user's scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from app.models.org import Competence, CompetenceRecord, OrgUnit, Pelaksana
from app.services import audit

ISTANA_DESC = [
    "Istana Kepresidenan Yogyakarta",
    "Istana Kepresidenan Tampaksiring Bali",
    "Istana Kepresidenan Cipanas",
    "Istana Kepresidenan Bogor",
]


@pytest.fixture
def browser(app, client, login):
    """Another logged-in client: `client` makes every request run in a fresh app context."""

    def _browser(username: str | None = None):
        other = app.test_client()
        if username:
            login(other, username)
        return other

    return _browser


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "CSV must start with a BOM for Excel"
    return list(csv.reader(io.StringIO(text[1:])))


def _labels(app, view_name: str) -> list[str]:
    view = next(v for v in app.appbuilder.baseviews if v.__class__.__name__ == view_name)
    with app.test_request_context():
        return [str(view.label_columns[col]) for col in view.list_columns]


@pytest.fixture
def admin(browser):
    return browser("admin")


def test_csv_export_follows_the_list_filter_and_order(app, admin):
    response = admin.get(
        "/orgunitview/export/csv?_flt_2_name=Istana&_oc_OrgUnitView=name&_od_OrgUnitView=desc"
    )
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="satuan-organisasi_\d{2}-\d{2}-\d{4}_\d{4}\.csv"',
                        disposition)
    rows = _csv(response)
    assert rows[0] == _labels(app, "OrgUnitView")
    assert [row[1] for row in rows[1:]] == ISTANA_DESC
    assert rows[1][3] == "Bagian Akuntabilitas Kinerja I"  # the related Section, by its str()


def test_xlsx_export_holds_every_page_with_the_list_labels(app, admin):
    response = admin.get("/orgunitview/export/xlsx?psize_OrgUnitView=2&page_OrgUnitView=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == _labels(app, "OrgUnitView")
    assert len(rows) == 1 + 13  # every seeded unit, not the 2 of the page shown
    codes = [row[0] for row in rows[1:]]
    assert codes[:2] == ["SETPRES", "SETWAPRES"] and codes[-1] == "SETKSP"  # the standard's order
    setpres = next(row for row in rows if row[0] == "SETPRES")
    assert setpres[1] == "Sekretariat Presiden" and setpres[3] == "Bagian Akuntabilitas Kinerja I"


def test_xlsx_export_applies_the_filter(admin):
    response = admin.get("/orgunitview/export/xlsx?_flt_2_name=Istana")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(ISTANA_DESC)


def test_liaison_exports_only_its_own_unit(browser):
    liaison = browser("pengguna1")
    rows = _csv(liaison.get("/orgunitview/export/csv"))
    assert [row[0] for row in rows[1:]] == ["SETPRES"]


def test_liaison_filter_tricks_reach_no_other_unit(browser, db_session):
    other = db_session.query(OrgUnit).filter_by(code="SETWAPRES").one()
    liaison = browser("pengguna1")
    for query in (f"_flt_0_id={other.id}", "_flt_3_code=SETWAPRES", f"_flt_0_section={other.section_id}"):
        rows = _csv(liaison.get(f"/orgunitview/export/csv?{query}"))
        assert "SETWAPRES" not in [row[0] for row in rows[1:]], query
    sheet = load_workbook(io.BytesIO(liaison.get("/orgunitview/export/xlsx?_flt_2_name=Wakil").data)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == []


def test_export_refused_without_read_permission(browser):
    liaison = browser("pengguna1")  # Pengguna reads OrgUnit only
    assert liaison.get("/pelaksanaview/export/csv").status_code == 403
    anonymous = browser()
    response = anonymous.get("/orgunitview/export/csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bureau_role_with_read_can_export(browser, db_session):
    db_session.add(Pelaksana(name="Siti Rahma", nip="198503152010122001", email="siti@setneg.go.id"))
    db_session.commit()
    rows = _csv(browser("staf").get("/pelaksanaview/export/csv?_flt_2_name=Siti"))
    assert rows[1][:2] == ["Siti Rahma", "198503152010122001"]


def test_dates_as_pages_show_them_and_relations_their_str(app, admin, db_session):
    person = Pelaksana(name="Budi", nip="198001012005011001")
    competence = Competence(code="zz", description="Memahami standar pelayanan")
    db_session.add(CompetenceRecord(pelaksana=person, competence=competence, level="memenuhi",
                                    assessed_on=dt.date(2026, 1, 15)))  # fmt: skip
    db_session.commit()
    rows = _csv(admin.get("/competencerecordview/export/csv"))
    record = next(row for row in rows[1:] if row[0] == "Budi (198001012005011001)")
    assert record[1] == "zz. Memahami standar pelayanan" and record[3] == "15-01-2026"
    assert record[2] == "Memenuhi"  # the level's label, not its code
    sheet = load_workbook(io.BytesIO(admin.get("/competencerecordview/export/xlsx").data)).active
    cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value.startswith("Budi"))[3]
    assert cell.value == dt.datetime(2026, 1, 15) and cell.number_format == "dd-mm-yyyy"


def test_export_over_the_cap_is_refused_with_a_message(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_EXPORT_MAX_ROWS", 3)
    response = admin.get("/orgunitview/export/csv?_flt_2_name=Istana")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/orgunitview/list/?_flt_2_name=Istana")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "4" in page and re.search(r"\b3\b", page)
    assert "iku-export" in page


def test_unknown_format_goes_back_to_the_list(admin):
    response = admin.get("/orgunitview/export/pdf")
    assert response.status_code == 302 and "/orgunitview/list/" in response.headers["Location"]


def test_list_page_buttons_carry_the_current_filters(admin):
    page = admin.get("/orgunitview/list/?_flt_2_name=Istana").get_data(as_text=True)
    assert 'href="/orgunitview/export/csv?_flt_2_name=Istana"' in page
    assert 'href="/orgunitview/export/xlsx?_flt_2_name=Istana"' in page


def test_export_is_recorded_in_the_audit_trail(browser, db_session, monkeypatch):
    calls = []

    def log_event(session, action, entity, entity_id=None, details=None, unit_id=None):
        calls.append({"action": action, "entity": entity, "details": details, "unit_id": unit_id})

    monkeypatch.setattr(audit, "log_event", log_event, raising=False)
    browser("pengguna1").get("/orgunitview/export/xlsx?_flt_2_name=Sekretariat")
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    assert calls == [{
        "action": "export", "entity": "OrgUnit", "unit_id": unit.id,
        "details": {"format": "xlsx", "filters": [["name", "ct", ["Sekretariat"]]],
                    "row_count": 1, "order": ["sort_order", "asc"]},
    }]  # fmt: skip


def test_export_lands_in_the_audit_trail(browser, db_session):
    if not hasattr(audit, "log_event"):
        pytest.skip("app.services.audit.log_event not built yet")
    from app.models.audit import AuditEntry

    browser("admin").get("/orgunitview/export/csv?_flt_2_name=Istana").get_data()
    entry = db_session.query(AuditEntry).filter_by(action="export").order_by(AuditEntry.id.desc()).first()
    assert (entry.entity, entry.actor, entry.unit_id) == ("OrgUnit", "admin", None)
    assert entry.changes == {
        "format": "csv", "filters": [["name", "ct", ["Istana"]]], "row_count": 4,
        "order": ["sort_order", "asc"],
    }  # fmt: skip
